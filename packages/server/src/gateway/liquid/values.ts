/**
 * Liquid's values and their semantics (DotLiquid in C# mode, as set-body uses it): JSON values as JSON.parse gives
 * them, drops for the gateway's objects, and Liquid's truthiness, equality, ordering and text. Lookups read only own
 * properties, so nothing of JavaScript's objects (prototype, constructor) is reachable from a template.
 */

export type LiquidValue =
  null | undefined | string | number | boolean | LiquidDrop | readonly LiquidValue[] | LiquidRecord;

export interface LiquidRecord {
  readonly [key: string]: LiquidValue;
}

/** A read-only object of the gateway (context.Request, its headers …) seen through named properties. */
export class LiquidDrop {
  constructor(
    private readonly lookup: (key: string) => LiquidValue,
    /** What `{{ drop }}` renders (a URL drop renders the URL). */
    readonly text: string = "",
    /** Its entries, for `for` loops and `size`. */
    private readonly list: () => [string, LiquidValue][] = () => [],
  ) {}

  get(key: string): LiquidValue {
    return this.lookup(key);
  }

  entries(): [string, LiquidValue][] {
    return this.list();
  }

  /** Named fields, matched exactly (C#'s property names). */
  static of(fields: Readonly<Record<string, () => LiquidValue>>, text = ""): LiquidDrop {
    return new LiquidDrop(
      (key) => (Object.hasOwn(fields, key) ? (fields[key] as () => LiquidValue)() : undefined),
      text,
      () => Object.keys(fields).map((key) => [key, (fields[key] as () => LiquidValue)()]),
    );
  }

  /** A dictionary whose keys match without regard to case (headers, query parameters). */
  static caseInsensitive(entries: readonly [string, string][]): LiquidDrop {
    const byName = new Map(entries.map(([name, value]) => [name.toLowerCase(), value]));
    return new LiquidDrop(
      (key) => byName.get(key.toLowerCase()),
      "",
      () => entries.map(([name, value]) => [name, value]),
    );
  }
}

/** `empty` and `blank`, which compare by meaning rather than by value. */
export const EMPTY: unique symbol = Symbol("empty");
export const BLANK: unique symbol = Symbol("blank");
export type Operand = LiquidValue | typeof EMPTY | typeof BLANK;

export function isRecord(value: Operand): value is LiquidRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof LiquidDrop);
}

/** `a.b` and `a[b]`: own properties, array indexes (negative from the end), and size/first/last. */
export function lookup(value: LiquidValue, key: LiquidValue): LiquidValue {
  if (Array.isArray(value)) {
    const list = value as readonly LiquidValue[];
    if (typeof key === "number" && Number.isInteger(key)) return list[key < 0 ? list.length + key : key];
    if (key === "size") return list.length;
    if (key === "first") return list[0];
    if (key === "last") return list[list.length - 1];
    return undefined;
  }
  if (typeof key !== "string") return undefined;
  if (value instanceof LiquidDrop) return key === "size" ? value.entries().length : value.get(key);
  if (isRecord(value)) {
    if (Object.hasOwn(value, key)) return value[key];
    return key === "size" ? Object.keys(value).length : undefined;
  }
  if (typeof value === "string" && key === "size") return value.length;
  return undefined;
}

/** What `{{ value }}` writes: nothing for nil, `true`/`false`, lists joined, objects as JSON. */
export function toText(value: Operand): string {
  if (value === null || value === undefined || value === EMPTY || value === BLANK) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return numberText(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof LiquidDrop) return value.text;
  if (Array.isArray(value)) return (value as readonly LiquidValue[]).map(toText).join("");
  return JSON.stringify(value);
}

function numberText(value: number): string {
  if (Number.isFinite(value)) return String(value);
  return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
}

/** Only nil and false are false. */
export function isTruthy(value: Operand): boolean {
  return value !== null && value !== undefined && value !== false;
}

function isEmpty(value: LiquidValue): boolean {
  if (typeof value === "string") return value.length === 0;
  if (Array.isArray(value)) return value.length === 0;
  if (value instanceof LiquidDrop) return value.entries().length === 0;
  if (isRecord(value)) return Object.keys(value).length === 0;
  return false;
}

function isBlank(value: LiquidValue): boolean {
  if (value === null || value === undefined || value === false) return true;
  if (typeof value === "string") return value.trim() === "";
  return isEmpty(value);
}

export function equals(left: Operand, right: Operand): boolean {
  if (right === EMPTY || right === BLANK) return matchesSpecial(left, right);
  if (left === EMPTY || left === BLANK) return matchesSpecial(right, left);
  if (left === undefined) left = null;
  if (right === undefined) right = null;
  if (Array.isArray(left) && Array.isArray(right)) {
    const a = left as readonly LiquidValue[];
    const b = right as readonly LiquidValue[];
    return a.length === b.length && a.every((item, i) => equals(item, b[i]));
  }
  return left === right;
}

function matchesSpecial(value: Operand, special: typeof EMPTY | typeof BLANK): boolean {
  if (value === EMPTY || value === BLANK) return value === special;
  return special === EMPTY ? isEmpty(value) : isBlank(value);
}

/** `<`, `>` …: numbers with numbers, strings with strings; anything else does not compare. */
export function compare(left: Operand, right: Operand): number | undefined {
  if (typeof left === "number" && typeof right === "number") return left - right;
  if (typeof left === "string" && typeof right === "string") return left < right ? -1 : left > right ? 1 : 0;
  return undefined;
}

/** `contains`: a substring, a list element, or an object key. */
export function contains(container: Operand, item: Operand): boolean {
  if (item === EMPTY || item === BLANK) return false;
  if (typeof container === "string") return item !== null && item !== undefined && container.includes(toText(item));
  if (Array.isArray(container)) return (container as readonly LiquidValue[]).some((element) => equals(element, item));
  if (container instanceof LiquidDrop) return typeof item === "string" && container.get(item) !== undefined;
  if (isRecord(container)) return typeof item === "string" && Object.hasOwn(container, item);
  return false;
}

/** The items a `for` loop or a list filter walks: lists, objects as [key, value] pairs, a lone value as itself. */
export function toList(value: LiquidValue): readonly LiquidValue[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value as readonly LiquidValue[];
  if (value instanceof LiquidDrop) return value.entries();
  if (isRecord(value)) return Object.entries(value);
  return [value];
}

/** A number from a number or numeric text; undefined otherwise. */
export function toNumber(value: LiquidValue): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}
