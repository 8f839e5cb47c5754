/**
 * Typed policy settings that may be policy expressions (reference apim.md §3.1). A literal is read and checked once,
 * at load, and becomes a fixed setting; an expression is evaluated per request and its value checked then, a bad
 * value failing the request as APIM's `ExpressionValueEvaluationFailure`.
 */
import { ExpressionEvaluationError, toPolicyString } from "../expressions/index.js";
import type { PipelineContext } from "../pipeline/context.js";
import type { PolicyElement, PolicyValue } from "./definition.js";

export type Setting<T> =
  { readonly fixed: true; readonly value: T } | { readonly fixed: false; compute(context: PipelineContext): T };

export function fixed<T>(value: T): Setting<T> {
  return { fixed: true, value };
}

export function computed<T>(compute: (context: PipelineContext) => T): Setting<T> {
  return { fixed: false, compute };
}

/** The setting's value for this request. */
export function valueOf<T>(setting: Setting<T>, context: PipelineContext): T {
  return setting.fixed ? setting.value : setting.compute(context);
}

/** A PolicyValue as text: fixed for a literal. */
export function textSetting(value: PolicyValue): Setting<string> {
  const { constant } = value;
  return constant !== undefined ? fixed(constant) : computed((context) => value.text(context));
}

/** An optional attribute as text; undefined when absent. */
export function optionalText(element: PolicyElement, name: string): Setting<string> | undefined {
  const value = element.valueAttribute(name);
  return value && textSetting(value);
}

/** Several settings as one list, fixed when every one is. */
export function listSetting<T>(settings: readonly Setting<T>[]): Setting<T[]> {
  if (settings.every((s) => s.fixed)) return fixed(settings.map((s) => (s as { value: T }).value));
  return computed((context) => settings.map((s) => valueOf(s, context)));
}

/** A setting derived from another, computed once at load when the source is fixed. */
export function mapSetting<T, U>(setting: Setting<T>, map: (value: T) => U): Setting<U> {
  return setting.fixed ? fixed(map(setting.value)) : computed((context) => map(setting.compute(context)));
}

function invalid(attribute: string, value: unknown, expected: string): ExpressionEvaluationError {
  return new ExpressionEvaluationError(
    `Expression value '${toPolicyString(value)}' of attribute '${attribute}' is not ${expected}`,
  );
}

/** The attribute's value; required (absent is a load error) when there is no fallback. */
function readValue(element: PolicyElement, name: string, fallback: unknown): PolicyValue | undefined {
  return fallback === undefined ? element.requiredValueAttribute(name) : element.valueAttribute(name);
}

/** `true`/`false`; an expression may give a bool or that text. Required without a fallback. */
export function booleanSetting(element: PolicyElement, name: string, fallback?: boolean): Setting<boolean> {
  const value = readValue(element, name, fallback);
  if (value === undefined) return fixed(fallback as boolean);
  if (value.constant !== undefined) return fixed(element.booleanAttribute(name, false));
  return computed((context) => value.condition(context));
}

/** Integer text as literal attributes take it: digits with an optional sign, nothing else (no `1e3`, no `0x10`). */
const INTEGER_TEXT = /^\s*[+-]?\d{1,16}\s*$/;

/** An integer within the range; an expression may give a number or its text. Required without a fallback. */
export function integerSetting(
  element: PolicyElement,
  name: string,
  fallback: number | undefined,
  range: { min?: number; max?: number } = {},
): Setting<number> {
  const value = readValue(element, name, fallback);
  if (value === undefined) return fixed(fallback as number);
  if (value.constant !== undefined) return fixed(element.integerAttribute(name, 0, range));
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  return computed((context) => {
    const result = value.evaluate(context);
    const number =
      typeof result === "number"
        ? result
        : typeof result === "string" && INTEGER_TEXT.test(result)
          ? Number(result)
          : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      throw invalid(name, result, `an integer between ${min} and ${max}`);
    }
    return number;
  });
}

/** One of the allowed values, matched without regard to case. */
export function enumSetting<T extends string>(
  element: PolicyElement,
  name: string,
  allowed: readonly T[],
  fallback: T,
): Setting<T> {
  const value = element.valueAttribute(name);
  if (value === undefined) return fixed(fallback);
  if (value.constant !== undefined) return fixed(element.enumAttribute(name, allowed, fallback));
  return computed((context) => {
    const text = value.text(context).trim().toLowerCase();
    const match = allowed.find((a) => a.toLowerCase() === text);
    if (match === undefined) throw invalid(name, text, `one of ${allowed.join(", ")}`);
    return match;
  });
}
