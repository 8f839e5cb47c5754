/**
 * `increment-condition` of rate-limit-by-key and quota-by-key (reference apim.md §2.5, §2.7): a literal is decided
 * when the document loads; an expression once the response is known, so the counting waits for the pipeline's end.
 */
import type { PolicyElement, PolicyValue } from "../definition.js";

export type IncrementCondition = boolean | PolicyValue;

/** true when absent. */
export function readIncrementCondition(element: PolicyElement): IncrementCondition {
  const value = element.valueAttribute("increment-condition");
  if (value === undefined) return true;
  return value.constant === undefined ? value : element.booleanAttribute("increment-condition", true);
}
