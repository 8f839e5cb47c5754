/** A run-time failure inside an expression: APIM's `ExpressionValueEvaluationFailure`. */
export class ExpressionEvaluationError extends Error {
  override name = "ExpressionEvaluationError";
}
