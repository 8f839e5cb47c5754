/** How expression results become what policies use: C#'s ToString for text, a real bool for conditions. */
import { ExpressionEvaluationError } from "./errors.js";
import { csString } from "./values.js";

/** C# `ToString()` of a result: `True`/`False` for booleans, "" for null, invariant-culture numbers and dates. */
export function toPolicyString(value: unknown): string {
  return csString(value);
}

/** A condition: a bool result, or the text `true`/`false` (any case) as APIM parses constants. */
export function toPolicyBoolean(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const lower = value.trim().toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
  }
  throw new ExpressionEvaluationError(`Expression value '${toPolicyString(value)}' is not a boolean`);
}
