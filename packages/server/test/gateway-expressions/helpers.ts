/** Compiling and evaluating policy expressions against the policy engine's hand-built request contexts. */
import assert from "node:assert/strict";
import {
  ExpressionEvaluationError,
  compileExpression,
  toPolicyString,
  type CompiledExpression,
} from "../../src/gateway/expressions/index.js";
import type { PipelineContext } from "../../src/gateway/pipeline/context.js";
import { PolicyLoadError, type SourcePosition } from "../../src/gateway/policy/definition.js";
import { harness, type TestRequest } from "../gateway-policy/helpers.js";

export interface Setup {
  request?: TestRequest;
  /** Changes the context before the expression runs (variables, product, response …). */
  context?: (context: PipelineContext) => void;
}

export function contextFor(setup: Setup = {}): PipelineContext {
  const { context } = harness(setup.request ?? {});
  setup.context?.(context);
  return context;
}

export function compile(source: string, position: SourcePosition = { line: 1, column: 1 }): CompiledExpression {
  return compileExpression(source, position);
}

/** The expression's value (runtime representation) for a request. */
export function evaluate(source: string, setup: Setup = {}): unknown {
  return compile(source).evaluate(contextFor(setup));
}

/** The expression's value as text, as policies use it. */
export function text(source: string, setup: Setup = {}): string {
  return toPolicyString(evaluate(source, setup));
}

/** The load error as `detail @ line:column`. */
export function loadError(source: string, position: SourcePosition = { line: 1, column: 1 }): string {
  try {
    compileExpression(source, position);
  } catch (error) {
    if (!(error instanceof PolicyLoadError)) throw error;
    return `${error.detail} @ ${error.position?.line}:${error.position?.column}`;
  }
  throw new Error(`the expression compiled: ${source}`);
}

/** The run-time failure's message; the failure must be an ExpressionEvaluationError. */
export function evaluationError(source: string, setup: Setup = {}): string {
  const compiled = compile(source);
  const context = contextFor(setup);
  try {
    compiled.evaluate(context);
  } catch (error) {
    assert.ok(error instanceof ExpressionEvaluationError, `expected ExpressionEvaluationError, got ${String(error)}`);
    return error.message;
  }
  throw new Error(`the expression evaluated: ${source}`);
}
