/**
 * One evaluation's state: the request it runs for, its local variable slots and its step budget. Every statement,
 * loop iteration, call and lambda invocation costs a step, and built-ins that walk collections cost one per element,
 * so no expression can hang the gateway; strings and collections are capped so none can exhaust its memory.
 */
import type { PipelineContext } from "../pipeline/context.js";
import { ExpressionEvaluationError } from "./errors.js";

export const DEFAULT_STEP_BUDGET = 100_000;
/** The longest string an expression may build (16 MiB of UTF-16 code units). */
const MAX_STRING_LENGTH = 16 * 1024 * 1024;
/** The most elements an expression may hold in one collection. */
const MAX_COLLECTION_LENGTH = 1024 * 1024;

/** Thrown when the budget is spent; never caught by the expression's own try/catch. */
export class ExpressionBudgetError extends ExpressionEvaluationError {
  override name = "ExpressionBudgetError";
}

/** A C# exception raised inside an expression, with its .NET type name for `catch (FormatException)` clauses. */
export class ExpressionException extends ExpressionEvaluationError {
  override name = "ExpressionException";
  constructor(
    readonly exceptionType: string,
    message: string,
  ) {
    super(message);
  }
}

export class Frame {
  steps = 0;
  readonly slots: unknown[];
  /** The value of the `return` statement that ended the block. */
  returned: unknown = null;

  constructor(
    readonly context: PipelineContext,
    slotCount: number,
    private readonly budget: number,
  ) {
    this.slots = new Array<unknown>(slotCount).fill(null);
  }

  step(): void {
    if (++this.steps > this.budget) {
      throw new ExpressionBudgetError(`Expression evaluation exceeded its budget of ${this.budget} steps`);
    }
  }

  /** Charges `count` steps at once: a built-in about to walk that many elements. */
  charge(count: number): void {
    this.steps += count;
    if (this.steps > this.budget) {
      throw new ExpressionBudgetError(`Expression evaluation exceeded its budget of ${this.budget} steps`);
    }
  }
}

export const nullReference = (): ExpressionException =>
  new ExpressionException("NullReferenceException", "Object reference not set to an instance of an object.");

export const argumentNull = (name: string): ExpressionException =>
  new ExpressionException("ArgumentNullException", `Value cannot be null. (Parameter '${name}')`);

export const argumentOutOfRange = (name: string, detail?: string): ExpressionException =>
  new ExpressionException(
    "ArgumentOutOfRangeException",
    `${detail ?? "Specified argument was out of the range of valid values."} (Parameter '${name}')`,
  );

export const argumentError = (message: string): ExpressionException =>
  new ExpressionException("ArgumentException", message);

export const indexOutOfRange = (): ExpressionException =>
  new ExpressionException("IndexOutOfRangeException", "Index was outside the bounds of the array.");

export const formatError = (message: string): ExpressionException =>
  new ExpressionException("FormatException", message);

export const invalidOperation = (message: string): ExpressionException =>
  new ExpressionException("InvalidOperationException", message);

export const invalidCast = (from: string, to: string): ExpressionException =>
  new ExpressionException("InvalidCastException", `Unable to cast object of type '${from}' to type '${to}'.`);

export const keyNotFound = (key: string): ExpressionException =>
  new ExpressionException("KeyNotFoundException", `The given key '${key}' was not present in the dictionary.`);

export const overflow = (message = "Arithmetic operation resulted in an overflow."): ExpressionException =>
  new ExpressionException("OverflowException", message);

/** A string an expression built, refused beyond MAX_STRING_LENGTH. */
export function checkedString(value: string): string {
  checkStringLength(value.length);
  return value;
}

/** Refuses a string about to reach `length` characters beyond MAX_STRING_LENGTH. */
export function checkStringLength(length: number): void {
  if (length > MAX_STRING_LENGTH) {
    throw new ExpressionEvaluationError(
      `Expression built a string longer than ${MAX_STRING_LENGTH} characters, the most an expression may`,
    );
  }
}

/** A collection about to reach `length` elements, refused beyond MAX_COLLECTION_LENGTH. */
export function checkedLength(length: number): void {
  if (length > MAX_COLLECTION_LENGTH) {
    throw new ExpressionEvaluationError(
      `Expression built a collection of more than ${MAX_COLLECTION_LENGTH} elements, the most an expression may`,
    );
  }
}
