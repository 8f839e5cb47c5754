/**
 * Exceptions an expression can catch and throw: `catch (FormatException ex) { … ex.Message … }`, `throw new
 * InvalidOperationException("…")`. A thrown exception fails the request as ExpressionValueEvaluationFailure.
 */
import type { ExpressionEvaluationError } from "../errors.js";
import { ExpressionException, nullReference } from "../runtime.js";
import { addMembers, libraryType, method, property } from "../members.js";
import { STRING, defineType, derivesFrom, registerType, typeOf, type Type, type TypeDef } from "../types.js";
import { ExceptionValue } from "../values.js";

export const EXCEPTION_DEF = libraryType("System.Exception", { test: (v) => v instanceof ExceptionValue });

const HIERARCHY: readonly [name: string, base: string, namespace: string][] = [
  ["SystemException", "Exception", "System"],
  ["ArgumentException", "SystemException", "System"],
  ["ArgumentNullException", "ArgumentException", "System"],
  ["ArgumentOutOfRangeException", "ArgumentException", "System"],
  ["InvalidOperationException", "SystemException", "System"],
  ["FormatException", "SystemException", "System"],
  ["UriFormatException", "FormatException", "System"],
  ["NullReferenceException", "SystemException", "System"],
  ["InvalidCastException", "SystemException", "System"],
  ["IndexOutOfRangeException", "SystemException", "System"],
  ["ArithmeticException", "SystemException", "System"],
  ["OverflowException", "ArithmeticException", "System"],
  ["DivideByZeroException", "ArithmeticException", "System"],
  ["NotSupportedException", "SystemException", "System"],
  ["NotImplementedException", "SystemException", "System"],
  ["TimeoutException", "SystemException", "System"],
  ["KeyNotFoundException", "SystemException", "System.Collections.Generic"],
  ["JsonException", "Exception", "Newtonsoft.Json"],
  ["JsonReaderException", "JsonException", "Newtonsoft.Json"],
  ["JsonSerializationException", "JsonException", "Newtonsoft.Json"],
  ["RegexMatchTimeoutException", "TimeoutException", "System.Text.RegularExpressions"],
  ["RuntimeBinderException", "Exception", "Microsoft.CSharp.RuntimeBinder"],
];

const EXCEPTIONS = new Map<string, TypeDef>([["Exception", EXCEPTION_DEF]]);
for (const [name, base, namespace] of HIERARCHY) {
  const def = defineType(name, {
    clrName: `${namespace}.${name}`,
    base: EXCEPTIONS.get(base) as TypeDef,
    test: (v) =>
      v instanceof ExceptionValue &&
      exceptionDef(v.exceptionType) !== undefined &&
      derivesFrom(exceptionDef(v.exceptionType) as TypeDef, def),
  });
  EXCEPTIONS.set(name, def);
  if (name !== "RuntimeBinderException") registerType(def, `${namespace}.${name}`);
}

const exceptionDef = (name: string): TypeDef | undefined => EXCEPTIONS.get(name);

addMembers(EXCEPTION_DEF.members, {
  Message: property<ExceptionValue>(STRING, (e) => e.message),
  InnerException: property<ExceptionValue>(typeOf(EXCEPTION_DEF), () => null),
  StackTrace: property<ExceptionValue>(STRING, () => null),
  Source: property<ExceptionValue>(STRING, () => null),
  ToString: method<ExceptionValue>({ returns: STRING, invoke: (e) => e.csToString() }),
});

for (const [name, def] of EXCEPTIONS) {
  const type = typeOf(def);
  def.create = method({
    params: ["message", "innerException"],
    min: 0,
    returns: type,
    invoke: (_s, [message]) =>
      new ExceptionValue(
        name,
        typeof message === "string" ? message : `Exception of type '${def.clrName}' was thrown.`,
        type,
      ),
  });
}

/** The exception an error thrown inside an expression is, as a catch clause sees it. */
export function exceptionValue(error: ExpressionEvaluationError): ExceptionValue {
  const name =
    error instanceof ExpressionException && EXCEPTIONS.has(error.exceptionType) ? error.exceptionType : "Exception";
  return new ExceptionValue(name, error.message, typeOf(EXCEPTIONS.get(name) as TypeDef));
}

export function exceptionMatches(exception: ExceptionValue, type: Type): boolean {
  const def = exceptionDef(exception.exceptionType) ?? EXCEPTION_DEF;
  return derivesFrom(def, type.def);
}

/** What `throw x;` raises. */
export function thrownException(value: unknown): ExpressionException {
  if (value === null) return nullReference();
  if (value instanceof ExceptionValue) return new ExpressionException(value.exceptionType, value.message);
  return new ExpressionException("InvalidCastException", "Only exceptions can be thrown");
}
