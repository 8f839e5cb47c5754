/**
 * C# conversions: `(T)x` casts, `is`/`as` tests, numeric conversions and `default(T)`. A cast's function is chosen
 * at load time from the static types; only casts from object (unboxing, reference tests) look at the value's type.
 */
import { JToken, JValue, tokenToBoolean, tokenToNumber, tokenToString, toToken, JTOKEN_DEF } from "./json.js";
import { invalidCast, nullReference } from "./runtime.js";
import {
  BOOL_DEF,
  BYTE_DEF,
  CHAR_DEF,
  DECIMAL_DEF,
  DOUBLE_DEF,
  ENUMERABLE_DEF,
  FLOAT_DEF,
  INT_DEF,
  LONG_DEF,
  NULLABLE_DEF,
  NUMERIC_DEFS,
  OBJECT_DEF,
  STRING_DEF,
  clrTypeName,
  derivesFrom,
  isDynamic,
  underlying,
  type Type,
  type TypeDef,
} from "./types.js";
import { EnumValue, elementsOf, typeOfValue } from "./values.js";

/** Whether a non-null value is of the type (`is T`). */
export function isInstance(value: unknown, target: Type): boolean {
  if (value === null || value === undefined) return false;
  const def = underlying(target).def;
  if (def === OBJECT_DEF) return true;
  if (def.test) return def.test(value);
  if (def === ENUMERABLE_DEF) return typeof value !== "string" && elementsOf(value) !== undefined;
  return derivesFrom(typeOfValue(value).def, def);
}

/** C#'s numeric conversion (unchecked): integral targets truncate and wrap. */
function convertNumber(value: number, target: TypeDef): number {
  switch (target) {
    case INT_DEF:
      return Number.isFinite(value) ? Math.trunc(value) | 0 : -2147483648;
    case LONG_DEF:
      return Number.isFinite(value) ? Math.trunc(value) : -9223372036854775808;
    case BYTE_DEF:
      return Math.trunc(value) & 0xff;
    case FLOAT_DEF:
      return Math.fround(value);
    default:
      return value;
  }
}

const isIntegralDef = (def: TypeDef): boolean => def === INT_DEF || def === LONG_DEF || def === BYTE_DEF;

function failCast(value: unknown, target: Type): never {
  throw invalidCast(clrTypeName(typeOfValue(value)), clrTypeName(target));
}

/** The run-time function of `(target)x` for an operand of static type `source`. */
export function castFunction(source: Type, target: Type): (value: unknown) => unknown {
  if (target.def === NULLABLE_DEF) {
    const inner = castFunction(underlying(source), underlying(target));
    const t = underlying(target).def;
    // A JToken null converts to a null nullable rather than failing.
    if (NUMERIC_DEFS.has(t) || t === BOOL_DEF) {
      return (value) => {
        if (value === null) return null;
        if (value instanceof JValue && value.tokenType === "Null") return null;
        return inner(value);
      };
    }
    return (value) => (value === null ? null : inner(value));
  }
  const def = target.def;
  const from = underlying(source).def;
  const fromToken = derivesFrom(from, JTOKEN_DEF);
  if (def === OBJECT_DEF) return (value) => value;
  if (NUMERIC_DEFS.has(def)) {
    const integral = isIntegralDef(def);
    if (NUMERIC_DEFS.has(from)) return (value) => (value === null ? null : convertNumber(value as number, def));
    if (from === CHAR_DEF) return (value) => convertNumber((value as string).charCodeAt(0), def);
    return (value) => {
      if (value === null) throw nullReference();
      if (typeof value === "number") return convertNumber(value, def);
      if (value instanceof EnumValue) return convertNumber(value.value, def);
      if (value instanceof JToken)
        return convertNumber(tokenToNumber(value, def.clrName.slice(7), integral, false) as number, def);
      if (typeof value === "string" && value.length === 1 && from === CHAR_DEF) return value.charCodeAt(0);
      return failCast(value, target);
    };
  }
  if (def === CHAR_DEF) {
    if (NUMERIC_DEFS.has(from)) return (value) => String.fromCharCode((value as number) & 0xffff);
    return (value) => {
      if (value === null) throw nullReference();
      if (typeof value === "string" && value.length === 1) return value;
      if (typeof value === "number") return String.fromCharCode(value & 0xffff);
      if (value instanceof JToken) {
        const text = tokenToString(value);
        if (text !== null && text.length === 1) return text;
      }
      return failCast(value, target);
    };
  }
  if (def === BOOL_DEF) {
    return (value) => {
      if (value === null) throw nullReference();
      if (typeof value === "boolean") return value;
      if (value instanceof JToken) return tokenToBoolean(value, false);
      return failCast(value, target);
    };
  }
  if (def === STRING_DEF) {
    if (from === STRING_DEF) return (value) => value;
    return (value) => {
      if (value === null || typeof value === "string") return value;
      if (value instanceof JToken) return tokenToString(value);
      return failCast(value, target);
    };
  }
  if (def.enumNames) {
    const names = def.enumNames;
    return (value) => {
      if (value === null) throw nullReference();
      if (typeof value === "number") return new EnumValue(def, value | 0, names);
      if (value instanceof EnumValue && value.def === def) return value;
      return failCast(value, target);
    };
  }
  if (derivesFrom(def, JTOKEN_DEF) && !isDynamic(source) && !fromToken && from !== NULLABLE_DEF) {
    // Implicit conversions to JToken (`(JToken)"text"`).
    return (value) => {
      const token = toToken(value);
      if (!isInstance(token, target)) failCast(value, target);
      return token;
    };
  }
  return (value) => {
    if (value === null) return null;
    if (isInstance(value, target)) return value;
    if (value instanceof JToken && def.test) {
      // Explicit conversions from JToken to DateTime, Guid …: the token's value when it holds one.
      if (value instanceof JValue && def.test(value.value)) return value.value;
    }
    return failCast(value, target);
  };
}

/** The implicit conversion of an assignment to a declared type (numbers widen, text becomes a JToken). */
export function implicitFunction(source: Type, target: Type): ((value: unknown) => unknown) | undefined {
  const def = underlying(target).def;
  const from = underlying(source).def;
  if (def === from || def === OBJECT_DEF) return undefined;
  if (derivesFrom(def, JTOKEN_DEF) && !derivesFrom(from, JTOKEN_DEF)) {
    return (value) => (value === null || value instanceof JToken ? value : toToken(value));
  }
  if (NUMERIC_DEFS.has(def) && from === CHAR_DEF) return (value) => (value as string).charCodeAt(0);
  if (isIntegralDef(def) && isDynamic(source)) return castFunction(source, target);
  if ((def === DOUBLE_DEF || def === DECIMAL_DEF) && isDynamic(source)) return castFunction(source, target);
  return undefined;
}

/** `default(T)`. */
export function defaultOf(type: Type): unknown {
  const def = type.def;
  if (def === NULLABLE_DEF) return null;
  if (NUMERIC_DEFS.has(def)) return 0;
  if (def === BOOL_DEF) return false;
  if (def === CHAR_DEF) return "\0";
  return def.defaultValue ? def.defaultValue() : null;
}
