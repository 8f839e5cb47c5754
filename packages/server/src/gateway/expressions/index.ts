/**
 * Policy expressions (reference apim.md §3): `@(…)` and `@{…}` C# compiled once, when a document loads, into a tree
 * of closures that run against the request's `context` with a step budget. No eval, no Function, no Node access.
 */
import type { PipelineContext } from "../pipeline/context.js";

export interface CompiledExpression {
  /** The expression as written, `@(…)` or `@{…}`, named values substituted. */
  readonly source: string;
  /** Which bodies it reads: the step that holds it buffers them before it runs. */
  readonly readsBody: { readonly request: boolean; readonly response: boolean };
  /** Its value for this request, in the expression runtime's representation; throws ExpressionEvaluationError. */
  evaluate(context: PipelineContext): unknown;
}

export { ExpressionEvaluationError } from "./errors.js";
export { compileExpression } from "./compile.js";
export { toPolicyString, toPolicyBoolean } from "./conversions.js";
