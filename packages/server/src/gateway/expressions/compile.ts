/**
 * compileExpression: parse once, check names and members against the type model, and build the closures that run
 * per request. Load-time problems become PolicyLoadError at the exact document position of the offending token.
 */
import type { PipelineContext } from "../pipeline/context.js";
import { PolicyLoadError, type SourcePosition } from "../policy/definition.js";
import { Compiler, CompileError } from "./compiler.js";
import { ExpressionEvaluationError } from "./errors.js";
import type { CompiledExpression } from "./index.js";
import { ExpressionSyntaxError } from "./lexer.js";
import { parseExpressionSource } from "./parser.js";
import { DEFAULT_STEP_BUDGET, Frame } from "./runtime.js";

/** The document position of `offset` in an expression that starts at `base`. */
function positionAt(source: string, base: SourcePosition, offset: number): SourcePosition {
  let { line, column } = base;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === "\n") {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return { line, column };
}

export interface CompileOptions {
  /** Steps one evaluation may take; DEFAULT_STEP_BUDGET unless a test needs another. */
  budget?: number;
}

export function compileExpression(
  source: string,
  position: SourcePosition,
  options: CompileOptions = {},
): CompiledExpression {
  let compiler: Compiler;
  let run: (frame: Frame) => unknown;
  try {
    compiler = new Compiler(source);
    run = compiler.compileRoot(parseExpressionSource(source));
  } catch (error) {
    if (error instanceof ExpressionSyntaxError || error instanceof CompileError) {
      throw new PolicyLoadError(error.message, positionAt(source, position, error.offset));
    }
    // Thousands of nested parentheses exhaust the parser's stack: refuse the document, not the process.
    if (error instanceof RangeError) throw new PolicyLoadError("The policy expression is nested too deeply", position);
    throw error;
  }
  const slots = compiler.slotCount;
  const budget = options.budget ?? DEFAULT_STEP_BUDGET;
  return {
    source,
    readsBody: { request: compiler.readsBody.request, response: compiler.readsBody.response },
    evaluate(context: PipelineContext): unknown {
      const frame = new Frame(context, slots, budget);
      try {
        return run(frame);
      } catch (error) {
        if (error instanceof ExpressionEvaluationError) throw error;
        // A JavaScript failure (stack overflow from deep nesting, a runtime defect) still fails only this request.
        const detail = error instanceof Error ? error.message : String(error);
        throw new ExpressionEvaluationError(`Expression evaluation failed: ${detail}`);
      }
    },
  };
}
