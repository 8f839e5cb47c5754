/**
 * Integer and boolean attributes that may be policy expressions: a literal is checked when the document loads (with
 * the element's usual messages), an expression's result on each request.
 */
import { ExpressionEvaluationError, toPolicyString } from "../../expressions/index.js";
import type { PipelineContext } from "../../pipeline/context.js";
import type { PolicyElement } from "../definition.js";

export type IntegerValue = (context: PipelineContext) => number;
export type FlagValue = (context: PipelineContext) => boolean;

/** Required when `fallback` is undefined. */
export function readIntegerValue(
  element: PolicyElement,
  name: string,
  range: { min: number; max?: number },
  fallback?: number,
): IntegerValue {
  const value = fallback === undefined ? element.requiredValueAttribute(name) : element.valueAttribute(name);
  if (value === undefined) return () => fallback as number;
  if (value.constant !== undefined) {
    const constant = element.integerAttribute(name, 0, range);
    return () => constant;
  }
  const { min, max = Number.MAX_SAFE_INTEGER } = range;
  return (context) => {
    const result = value.evaluate(context);
    const number =
      typeof result === "number" || typeof result === "bigint"
        ? Number(result)
        : typeof result === "string" && /^\s*[+-]?\d{1,16}\s*$/.test(result)
          ? Number(result)
          : Number.NaN;
    if (Number.isSafeInteger(number) && number >= min && number <= max) return number;
    throw new ExpressionEvaluationError(
      `Attribute '${name}' of ${element.name} must be an integer between ${min} and ${max}, not '${toPolicyString(result)}'`,
    );
  };
}

/** Required when `fallback` is undefined. */
export function readFlagValue(element: PolicyElement, name: string, fallback?: boolean): FlagValue {
  const value = fallback === undefined ? element.requiredValueAttribute(name) : element.valueAttribute(name);
  if (value === undefined) return () => fallback as boolean;
  if (value.constant !== undefined) {
    const constant = element.booleanAttribute(name, false);
    return () => constant;
  }
  return (context) => value.condition(context);
}
