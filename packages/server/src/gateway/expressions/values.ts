/**
 * Run-time values of policy expressions, and the C# semantics every part of the runtime shares: the type of a value
 * (for members resolved at run time, casts and `is`), `ToString()`, `Equals` and hashing.
 *
 * Representation:
 * - null is `null` (never `undefined`); string is a JS string; char is a one-character JS string (its static type
 *   says char); bool is a JS boolean.
 * - int, long, double, float, decimal and byte are JS numbers. Static types keep int-ness, so `7 / 2 == 3` for ints
 *   and int arithmetic wraps at 32 bits; long and decimal carry a double's precision (53 bits of integer).
 * - T[] and IEnumerable<T> results are JS arrays; byte[] is a Uint8Array; List<T> and Dictionary<K,V> are classes
 *   here; DateTime, TimeSpan, Guid, JToken … are classes extending CsValue.
 * - The `context` facade is built of small views over the PipelineContext, made when a member is read.
 */
import type { Frame } from "./runtime.js";
import { argumentError, invalidOperation, keyNotFound } from "./runtime.js";
import {
  BOOL,
  BYTE_ARRAY,
  clrTypeName,
  DOUBLE,
  FUNC_DEF,
  INT,
  LONG,
  OBJECT,
  STRING,
  arrayOf,
  defineType,
  INTEGRAL_DEFS,
  NUMERIC_DEFS,
  underlying,
  pairOf,
  registerType,
  typeOf,
  type Type,
  type TypeDef,
} from "./types.js";

/** A value of a type defined by this runtime. */
export abstract class CsValue {
  abstract csType(): Type;
  /** C# `ToString()`. */
  csToString(): string {
    return clrTypeName(this.csType());
  }
  /** IFormattable's `ToString(format)`; types without formats ignore it. */
  csFormat(_format: string): string {
    return this.csToString();
  }
  /** C# `Equals(object)`: reference equality unless the type says otherwise. */
  csEquals(other: unknown): boolean {
    return this === other;
  }
  /** A key for hashing: value types return a string unique to their value, reference types themselves. */
  csKey(): unknown {
    return this;
  }
}

/** A read-only view whose members are properties of its type reading `target` (the context facade). */
export class Facade<T = unknown> extends CsValue {
  constructor(
    private readonly type: Type,
    readonly target: T,
  ) {
    super();
  }
  csType(): Type {
    return this.type;
  }
}

/** A value of an enum (StringComparison, RegexOptions …). */
export class EnumValue extends CsValue {
  constructor(
    readonly def: TypeDef,
    readonly value: number,
    readonly names: ReadonlyMap<number, string>,
  ) {
    super();
  }
  csType(): Type {
    return typeOf(this.def);
  }
  override csToString(): string {
    const name = this.names.get(this.value);
    if (name !== undefined) return name;
    const parts = [...this.names].filter(([bit]) => bit !== 0 && (this.value & bit) === bit).map(([, n]) => n);
    return parts.length > 0 ? parts.join(", ") : String(this.value);
  }
  override csEquals(other: unknown): boolean {
    return other instanceof EnumValue && other.def === this.def && other.value === this.value;
  }
  override csKey(): unknown {
    return `\u0000enum:${this.def.name}:${this.value}`;
  }
}

export class KeyValuePairValue extends CsValue {
  constructor(
    readonly key: unknown,
    readonly value: unknown,
    private readonly type: Type,
  ) {
    super();
  }
  csType(): Type {
    return this.type;
  }
  override csToString(): string {
    return `[${csString(this.key)}, ${csString(this.value)}]`;
  }
  override csEquals(other: unknown): boolean {
    return other instanceof KeyValuePairValue && csEquals(this.key, other.key) && csEquals(this.value, other.value);
  }
}

/** Every dictionary the runtime has: user-made ones and the facade's (headers, query, variables, claims …). */
export abstract class DictionaryValue extends CsValue {
  abstract get(key: unknown): unknown;
  abstract has(key: unknown): boolean;
  abstract keys(): unknown[];
  abstract values(): unknown[];
  abstract get count(): number;
  /** The pairs, in order, typed with the dictionary's key and value types. */
  pairs(): KeyValuePairValue[] {
    const type = this.csType();
    const pairType = pairOf(type.args[0] ?? OBJECT, type.args[1] ?? OBJECT);
    return this.keys().map((key) => new KeyValuePairValue(key, this.get(key), pairType));
  }
  /** The indexer: a missing key is KeyNotFoundException. */
  item(key: unknown): unknown {
    if (key === null) throw argumentError("Value cannot be null. (Parameter 'key')");
    if (!this.has(key)) throw keyNotFound(csString(key));
    return this.get(key);
  }
}

/** List<T>. */
export class ListValue extends CsValue {
  constructor(
    readonly items: unknown[],
    private readonly type: Type,
  ) {
    super();
  }
  csType(): Type {
    return this.type;
  }
}

/** A C# exception as `catch (Exception ex)` sees it. */
export class ExceptionValue extends CsValue {
  constructor(
    readonly exceptionType: string,
    readonly message: string,
    private readonly type: Type,
  ) {
    super();
  }
  csType(): Type {
    return this.type;
  }
  override csToString(): string {
    return `System.${this.exceptionType}: ${this.message}`;
  }
}

// ---- values the runtime does not define: recognised by shape or class ----

type Recognizer = (value: object) => Type | undefined;
const recognizers: Recognizer[] = [];

/** Lets a library recognise values it does not own (the validated Jwt, a send-request response). */
export function recognize(recognizer: Recognizer): void {
  recognizers.push(recognizer);
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** The run-time type of a value, for members resolved at run time, casts and messages. */
export function typeOfValue(value: unknown): Type {
  switch (typeof value) {
    case "string":
      return STRING;
    case "boolean":
      return BOOL;
    case "number":
      if (!Number.isInteger(value)) return DOUBLE;
      return value >= INT_MIN && value <= INT_MAX ? INT : LONG;
    case "function":
      return typeOf(FUNC_DEF);
    case "object":
      if (value === null) return OBJECT;
      if (value instanceof CsValue) return value.csType();
      if (Array.isArray(value)) return arrayOf(arrayElementType(value));
      if (value instanceof Uint8Array) return BYTE_ARRAY;
      for (const recognizer of recognizers) {
        const type = recognizer(value);
        if (type) return type;
      }
      return OBJECT;
    default:
      return OBJECT;
  }
}

/** The element type an untyped array shows (`System.String[]` when it holds strings). */
function arrayElementType(values: readonly unknown[]): Type {
  const first = values.find((v) => v !== null);
  if (first === undefined) return OBJECT;
  const type = typeOfValue(first);
  return values.every((v) => v === null || typeOfValue(v).def === type.def) ? type : OBJECT;
}

/** How a number of this static type prints: integral, floating, or unknown (object) — csString's `integral`. */
export function numberKind(type: Type): boolean | undefined {
  const def = underlying(type).def;
  if (INTEGRAL_DEFS.has(def)) return true;
  return NUMERIC_DEFS.has(def) ? false : undefined;
}

// ---- ToString, Equals, hashing ----

/** C# `double.ToString()` (shortest round-trip, `E+XX` beyond 15 integer digits or below 1e-5). */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const exponential = value.toExponential();
  const [mantissa, exponentText] = exponential.split("e") as [string, string];
  const exponent = Number(exponentText);
  if (exponent >= 15 || exponent < -4) {
    const sign = exponent < 0 ? "-" : "+";
    return `${mantissa.toUpperCase()}E${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return String(value);
}

/** An integer as C# prints it (never in exponent form). */
export function formatInteger(value: number): string {
  return Number.isSafeInteger(value) ? String(value) : BigInt(Math.trunc(value)).toString();
}

/**
 * C# `ToString()` of any value; "" for null. A number prints as its static type says (`integral` true for int and
 * long, false for double and decimal); without one, a safe integer prints as an integer.
 */
export function csString(value: unknown, integral?: boolean): string {
  switch (typeof value) {
    case "string":
      return value;
    case "boolean":
      return value ? "True" : "False";
    case "number":
      return (integral ?? Number.isSafeInteger(value)) ? formatInteger(value) : formatDouble(value);
    case "object":
      if (value === null) return "";
      if (value instanceof CsValue) return value.csToString();
      return clrTypeName(typeOfValue(value));
    case "undefined":
      return "";
    default:
      return clrTypeName(typeOfValue(value));
  }
}

/** C# `object.Equals(a, b)`: value equality for primitives and value types, reference equality otherwise. */
export function csEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (a instanceof CsValue) return a.csEquals(b);
  return false;
}

/** A Map key with C# Equals semantics. */
export function csKey(value: unknown): unknown {
  return value instanceof CsValue ? value.csKey() : value;
}

/** C# `GetHashCode()`, stable for equal values within a process. */
export function csHash(value: unknown): number {
  const key = csKey(value);
  const text = typeof key === "string" ? key : typeof key === "object" ? "" : String(key);
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

// ---- enumeration ----

/** What `foreach` and LINQ walk: the values of any enumerable value, each element costing a step. */
export function enumerate(value: unknown, frame: Frame): readonly unknown[] {
  const items = elementsOf(value);
  if (items === undefined) throw invalidOperation(`'${clrTypeName(typeOfValue(value))}' is not enumerable`);
  frame.charge(items.length);
  return items;
}

type Enumerator = (value: object) => readonly unknown[] | undefined;
const enumerators: Enumerator[] = [];

/** Lets a library make its values enumerable (JArray, JObject …). */
export function enumerable(enumerator: Enumerator): void {
  enumerators.push(enumerator);
}

export function elementsOf(value: unknown): readonly unknown[] | undefined {
  if (typeof value === "string")
    return [...value].flatMap((c) => (c.length > 1 ? [c[0] as string, c[1] as string] : [c]));
  if (typeof value !== "object" || value === null) return undefined;
  if (Array.isArray(value)) return value;
  if (value instanceof Uint8Array) return Array.from(value);
  if (value instanceof ListValue) return value.items;
  if (value instanceof DictionaryValue) return value.pairs();
  for (const enumerator of enumerators) {
    const items = enumerator(value);
    if (items) return items;
  }
  return undefined;
}

/** An enum type with its named values as static members (`StringComparison.OrdinalIgnoreCase`). */
export function defineEnum(name: string, clrName: string, values: Readonly<Record<string, number>>): TypeDef {
  const names = new Map<number, string>();
  for (const [n, v] of Object.entries(values)) if (!names.has(v)) names.set(v, n);
  const def = defineType(name, { clrName, valueType: true, test: (v) => v instanceof EnumValue && v.def === def });
  def.enumNames = names;
  def.defaultValue = () => new EnumValue(def, 0, names);
  const type = typeOf(def);
  for (const [n, v] of Object.entries(values)) {
    const value = new EnumValue(def, v, names);
    def.statics.set(n, { kind: "property", type: () => type, get: () => value });
  }
  registerType(def, clrName);
  return def;
}
