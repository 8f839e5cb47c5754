/**
 * Newtonsoft.Json's LINQ-to-JSON model (JToken, JObject, JArray, JValue, JProperty) as policy expressions see it:
 * a reader that keeps integers and floats apart (`1.0` stays a float), and writers that match Newtonsoft's indented
 * `ToString()` and compact `Formatting.None` output byte for byte for the common cases.
 */
import { MAX_BODY_NODES } from "../transform/body-limits.js";
import { ExpressionException, argumentError, checkedLength, checkStringLength, invalidOperation } from "./runtime.js";
import { libraryType } from "./members.js";
import { typeOf, type Type } from "./types.js";
import { CsValue, csString, formatDouble, formatInteger } from "./values.js";

const LINQ = "Newtonsoft.Json.Linq";
export const JTOKEN_DEF = libraryType(`${LINQ}.JToken`, { test: (v) => v instanceof JToken });
export const JCONTAINER_DEF = libraryType(`${LINQ}.JContainer`, {
  base: JTOKEN_DEF,
  test: (v) => v instanceof JObject || v instanceof JArray || v instanceof JProperty,
});
export const JOBJECT_DEF = libraryType(`${LINQ}.JObject`, { base: JCONTAINER_DEF, test: (v) => v instanceof JObject });
export const JARRAY_DEF = libraryType(`${LINQ}.JArray`, { base: JCONTAINER_DEF, test: (v) => v instanceof JArray });
export const JPROPERTY_DEF = libraryType(`${LINQ}.JProperty`, {
  base: JCONTAINER_DEF,
  test: (v) => v instanceof JProperty,
});
export const JVALUE_DEF = libraryType(`${LINQ}.JValue`, { base: JTOKEN_DEF, test: (v) => v instanceof JValue });
export const JTOKEN = typeOf(JTOKEN_DEF);
export const JOBJECT = typeOf(JOBJECT_DEF);
export const JARRAY = typeOf(JARRAY_DEF);
export const JPROPERTY = typeOf(JPROPERTY_DEF);
export const JVALUE = typeOf(JVALUE_DEF);

/** JTokenType, by name. */
export type TokenType =
  | "Object"
  | "Array"
  | "Property"
  | "Integer"
  | "Float"
  | "String"
  | "Boolean"
  | "Null"
  | "Date"
  | "Guid"
  | "Uri"
  | "TimeSpan"
  | "Bytes";

export const TOKEN_TYPES: readonly string[] = [
  "None",
  "Object",
  "Array",
  "Constructor",
  "Property",
  "Comment",
  "Integer",
  "Float",
  "String",
  "Boolean",
  "Null",
  "Undefined",
  "Date",
  "Raw",
  "Bytes",
  "Guid",
  "Uri",
  "TimeSpan",
];

export abstract class JToken extends CsValue {
  parent: JToken | null = null;
  abstract readonly tokenType: TokenType;
  abstract clone(): JToken;
  override csToString(): string {
    return writeJson(this, true);
  }
  /** The JSONPath Newtonsoft reports (`a.b[0]`). */
  path(): string {
    const parent = this.parent;
    if (parent === null) return "";
    const above = parent.path();
    if (parent instanceof JArray) return `${above}[${parent.items.indexOf(this)}]`;
    if (!(parent instanceof JProperty)) return above;
    const name = /^[A-Za-z_][\w]*$/.test(parent.name) ? parent.name : `['${parent.name}']`;
    return above === "" || name.startsWith("[") ? above + name : `${above}.${name}`;
  }
}

/** A token about to be placed in a container: Newtonsoft copies one that already has a parent. */
function adopt(token: JToken, parent: JToken): JToken {
  const placed = token.parent === null ? token : token.clone();
  placed.parent = parent;
  return placed;
}

export class JValue extends JToken {
  constructor(
    readonly tokenType:
      "Integer" | "Float" | "String" | "Boolean" | "Null" | "Date" | "Guid" | "Uri" | "TimeSpan" | "Bytes",
    /** number, string, boolean or null; Date/Guid/TimeSpan values hold the runtime's CsValue, Bytes a Uint8Array. */
    readonly value: unknown,
  ) {
    super();
  }
  csType(): Type {
    return JVALUE;
  }
  clone(): JValue {
    return new JValue(this.tokenType, this.value);
  }
  /** JValue.ToString(): the value's own ToString, not JSON. */
  override csToString(): string {
    if (this.tokenType === "Integer") return formatInteger(this.value as number);
    if (this.tokenType === "Float") return formatDouble(this.value as number);
    return csString(this.value);
  }
  override csEquals(other: unknown): boolean {
    return other instanceof JValue && other.tokenType === this.tokenType && valueEquals(this.value, other.value);
  }
}

const valueEquals = (a: unknown, b: unknown): boolean => a === b || (a instanceof CsValue && a.csEquals(b));

export class JProperty extends JToken {
  readonly tokenType = "Property";
  private current: JToken;
  constructor(
    readonly name: string,
    value: JToken,
  ) {
    super();
    this.current = adopt(value, this);
  }
  get value(): JToken {
    return this.current;
  }
  set value(token: JToken) {
    this.current.parent = null;
    this.current = adopt(token, this);
  }
  csType(): Type {
    return JPROPERTY;
  }
  clone(): JProperty {
    return new JProperty(this.name, this.current.clone());
  }
}

export class JObject extends JToken {
  readonly tokenType = "Object";
  readonly properties = new Map<string, JProperty>();
  csType(): Type {
    return JOBJECT;
  }
  clone(): JObject {
    const copy = new JObject();
    for (const property of this.properties.values()) copy.add(property.clone());
    return copy;
  }
  get(name: string): JToken | null {
    return this.properties.get(name)?.value ?? null;
  }
  /** The indexer's setter: replaces the value in place, or appends a property. */
  set(name: string, value: JToken): void {
    const existing = this.properties.get(name);
    if (existing) existing.value = value;
    else this.add(new JProperty(name, value));
  }
  /** JObject.Add(JProperty): a duplicate name is an error, as in Newtonsoft. */
  add(property: JProperty): void {
    if (this.properties.has(property.name)) {
      throw argumentError(
        `Can not add property ${property.name} to Newtonsoft.Json.Linq.JObject. Property with the same name already exists on object.`,
      );
    }
    checkedLength(this.properties.size + 1);
    const placed = adopt(property, this) as JProperty;
    this.properties.set(property.name, placed);
  }
  remove(name: string): boolean {
    const existing = this.properties.get(name);
    if (!existing) return false;
    existing.parent = null;
    return this.properties.delete(name);
  }
}

export class JArray extends JToken {
  readonly tokenType = "Array";
  readonly items: JToken[] = [];
  csType(): Type {
    return JARRAY;
  }
  clone(): JArray {
    const copy = new JArray();
    for (const item of this.items) copy.add(item.clone());
    return copy;
  }
  add(token: JToken): void {
    checkedLength(this.items.length + 1);
    this.items.push(adopt(token, this));
  }
  insert(index: number, token: JToken): void {
    checkedLength(this.items.length + 1);
    this.items.splice(index, 0, adopt(token, this));
  }
  removeAt(index: number): void {
    const [removed] = this.items.splice(index, 1);
    if (removed) removed.parent = null;
  }
}

export const JSON_NULL = (): JValue => new JValue("Null", null);

/** Removes a token from its parent (JToken.Remove()). */
export function removeToken(token: JToken): void {
  const parent = token.parent;
  if (parent === null) throw invalidOperation("The parent is missing.");
  if (parent instanceof JArray) parent.removeAt(parent.items.indexOf(token));
  else if (parent instanceof JProperty) {
    const owner = parent.parent;
    if (owner instanceof JObject) owner.remove(parent.name);
    else throw invalidOperation("Cannot add or remove items from Newtonsoft.Json.Linq.JProperty.");
  } else if (parent instanceof JObject && token instanceof JProperty) parent.remove(token.name);
}

// ---- reading ----

export class JsonReaderError extends ExpressionException {
  constructor(message: string) {
    super("JsonReaderException", message);
  }
}

/** Newtonsoft's `JToken.Parse`: one JSON value, integers kept apart from floats; comments are not accepted. */
export function parseJson(text: string): JToken {
  const reader = new JsonReader(text);
  reader.skipSpace();
  const token = reader.value("");
  reader.skipSpace();
  if (reader.pos < text.length)
    reader.fail(`Additional text encountered after finished reading JSON content: ${text[reader.pos]}`);
  return token;
}

class JsonReader {
  pos = 0;
  private depth = 0;
  private values = 0;
  constructor(private readonly text: string) {}

  fail(message: string, path = ""): never {
    const before = this.text.slice(0, this.pos);
    const line = before.split("\n").length;
    const position = this.pos - (before.lastIndexOf("\n") + 1);
    throw new JsonReaderError(`${message}. Path '${path}', line ${line}, position ${position}.`);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }

  value(path: string): JToken {
    const c = this.text[this.pos];
    if (c === undefined) this.fail("Unexpected end of content while loading JObject", path);
    if (++this.depth > 64) this.fail("The reader's MaxDepth of 64 has been exceeded", path);
    if (++this.values > MAX_BODY_NODES) this.fail(`The JSON holds more than ${MAX_BODY_NODES} values`, path);
    try {
      if (c === "{") return this.object(path);
      if (c === "[") return this.array(path);
      if (c === '"' || c === "'") return new JValue("String", this.string());
      if (c === "-" || (c >= "0" && c <= "9")) return this.number(path);
      for (const [word, token] of [
        ["true", () => new JValue("Boolean", true)],
        ["false", () => new JValue("Boolean", false)],
        ["null", JSON_NULL],
      ] as const) {
        if (this.text.startsWith(word, this.pos)) {
          this.pos += word.length;
          return token();
        }
      }
      return this.fail(`Unexpected character encountered while parsing value: ${c}`, path);
    } finally {
      this.depth--;
    }
  }

  private object(path: string): JObject {
    const object = new JObject();
    this.items("}", () => {
      const q = this.text[this.pos];
      if (q !== '"' && q !== "'") this.fail(`Invalid property identifier character: ${q ?? "end of text"}`, path);
      const name = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ":")
        this.fail(
          `Invalid character after parsing property name. Expected ':' but got: ${this.text[this.pos] ?? "end of text"}`,
          path,
        );
      this.pos++;
      this.skipSpace();
      const childPath = path ? `${path}.${name}` : name;
      // Newtonsoft's JObject.Parse keeps the last of duplicate names.
      object.set(name, this.value(childPath));
      return childPath;
    });
    return object;
  }

  private array(path: string): JArray {
    const array = new JArray();
    this.items("]", (index) => {
      array.add(this.value(`${path}[${index}]`));
      return path;
    });
    return array;
  }

  /**
   * The items of an object or an array, from its opening character to `close`: each read by `item`, which returns
   * the path a misplaced character after it is reported at; commas between them, white space anywhere.
   */
  private items(close: string, item: (index: number) => string): void {
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === close) {
      this.pos++;
      return;
    }
    for (let index = 0; ; index++) {
      this.skipSpace();
      const path = item(index);
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === close) return;
      if (c !== ",")
        this.fail(`After parsing a value an unexpected character was encountered: ${c ?? "end of text"}`, path);
    }
  }

  private string(): string {
    const quote = this.text[this.pos];
    this.pos++;
    let out = "";
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail("Unterminated string. Expected delimiter: " + quote);
      this.pos++;
      if (c === quote) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.text[this.pos];
      this.pos++;
      switch (e) {
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "\t";
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "u": {
          const hex = this.text.slice(this.pos, this.pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(`Invalid Unicode escape sequence: \\u${hex}`);
          out += String.fromCharCode(Number.parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        case '"':
        case "'":
        case "\\":
        case "/":
          out += e;
          break;
        default:
          this.fail(`Bad JSON escape sequence: \\${e ?? ""}`);
      }
    }
  }

  private number(path: string): JValue {
    const match = /^-?(?:\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!match) this.fail(`Input string '${this.text.slice(this.pos, this.pos + 10)}' is not a valid number`, path);
    const text = match[0];
    this.pos += text.length;
    const float = /[.eE]/.test(text);
    return new JValue(float ? "Float" : "Integer", Number(text));
  }
}

// ---- writing ----

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** A JSON string literal as Newtonsoft writes it: control characters and U+0085/2028/2029 escaped. */
function quoteJson(text: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${text.replace(/[\u0000-\u001f"\\\u0085\u2028\u2029]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
}

/** A float as Newtonsoft writes it: round-trip digits, with `.0` when they would read back as an integer. */
function floatJson(value: number): string {
  if (!Number.isFinite(value)) return `"${formatDouble(value)}"`;
  const text = formatDouble(value);
  return /[.E]/.test(text) ? text : `${text}.0`;
}

/** Newtonsoft's JSON text of a token: two-space indentation, `"name": value`, or compact. */
export function writeJson(token: JToken, indented: boolean): string {
  const out: string[] = [];
  let length = 0;
  const push = (text: string) => {
    length += text.length;
    checkStringLength(length);
    out.push(text);
  };
  const write = (t: JToken, indent: string): void => {
    const inner = indented ? `${indent}  ` : "";
    const newline = indented ? "\n" : "";
    if (t instanceof JObject) {
      if (t.properties.size === 0) return push("{}");
      push(`{${newline}`);
      let first = true;
      for (const property of t.properties.values()) {
        if (!first) push(`,${newline}`);
        first = false;
        push(`${inner}${quoteJson(property.name)}:${indented ? " " : ""}`);
        write(property.value, inner);
      }
      return push(`${newline}${indent}}`);
    }
    if (t instanceof JArray) {
      if (t.items.length === 0) return push("[]");
      push(`[${newline}`);
      t.items.forEach((item, i) => {
        if (i > 0) push(`,${newline}`);
        push(inner);
        write(item, inner);
      });
      return push(`${newline}${indent}]`);
    }
    if (t instanceof JProperty) {
      push(`${quoteJson(t.name)}:${indented ? " " : ""}`);
      return write(t.value, indent);
    }
    push(valueJson(t as JValue));
  };
  write(token, "");
  return out.join("");
}

function valueJson(token: JValue): string {
  const { value } = token;
  switch (token.tokenType) {
    case "Null":
      return "null";
    case "Integer":
      return formatInteger(value as number);
    case "Float":
      return floatJson(value as number);
    case "Boolean":
      return value ? "true" : "false";
    case "String":
      return quoteJson(value as string);
    case "Bytes":
      return quoteJson(Buffer.from(value as Uint8Array).toString("base64"));
    default:
      return quoteJson(jsonText(value));
  }
}

type JsonTextHook = (value: unknown) => string | undefined;
const jsonTextHooks: JsonTextHook[] = [];

/** Lets the date and guid libraries say how their values appear in JSON (ISO 8601, `D` format …). */
export function jsonTextOf(hook: JsonTextHook): void {
  jsonTextHooks.push(hook);
}

function jsonText(value: unknown): string {
  for (const hook of jsonTextHooks) {
    const text = hook(value);
    if (text !== undefined) return text;
  }
  return csString(value);
}

// ---- conversions between runtime values and tokens ----

type TokenHook = (value: unknown) => JToken | undefined;
const tokenHooks: TokenHook[] = [];

/** Lets libraries turn their values into tokens (DateTime → Date, List → JArray …). */
export function tokenFrom(hook: TokenHook): void {
  tokenHooks.push(hook);
}

/** The implicit conversion to JToken (`b["x"] = "apim"`), and JToken.FromObject for collections. */
export function toToken(value: unknown): JToken {
  if (value === null || value === undefined) return JSON_NULL();
  if (value instanceof JToken) return value;
  switch (typeof value) {
    case "string":
      return new JValue("String", value);
    case "boolean":
      return new JValue("Boolean", value);
    case "number":
      return new JValue(Number.isInteger(value) ? "Integer" : "Float", value);
  }
  if (value instanceof Uint8Array) return new JValue("Bytes", value);
  for (const hook of tokenHooks) {
    const token = hook(value);
    if (token) return token;
  }
  if (Array.isArray(value)) {
    const array = new JArray();
    for (const item of value) array.add(toToken(item));
    return array;
  }
  return new JValue("String", csString(value));
}

const conversionName = (token: JToken): string => token.tokenType;

/** `(string)token`: null for a null token; objects and arrays cannot convert. */
export function tokenToString(token: JToken | null): string | null {
  if (token === null) return null;
  if (!(token instanceof JValue)) throw argumentError(`Can not convert ${conversionName(token)} to String.`);
  if (token.tokenType === "Null") return null;
  if (token.tokenType === "Bytes") return Buffer.from(token.value as Uint8Array).toString("base64");
  return token.csToString();
}

/** `(int)token`, `(double)token` …: integral targets round as Convert.ToInt32 does. */
export function tokenToNumber(
  token: JToken | null,
  target: string,
  integral: boolean,
  nullable: boolean,
): number | null {
  if (token === null || (token instanceof JValue && token.tokenType === "Null")) {
    if (nullable) return null;
    throw argumentError(`Can not convert Null to ${target}.`);
  }
  if (!(token instanceof JValue)) throw argumentError(`Can not convert ${conversionName(token)} to ${target}.`);
  let number: number;
  switch (token.tokenType) {
    case "Integer":
    case "Float":
      number = token.value as number;
      break;
    case "Boolean":
      number = token.value ? 1 : 0;
      break;
    case "String": {
      const text = (token.value as string).trim();
      number = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
      if (Number.isNaN(number)) {
        throw new ExpressionException("FormatException", `Input string was not in a correct format.`);
      }
      break;
    }
    default:
      throw argumentError(`Can not convert ${conversionName(token)} to ${target}.`);
  }
  return integral ? bankersRound(number) : number;
}

/** `(bool)token`. */
export function tokenToBoolean(token: JToken | null, nullable: boolean): boolean | null {
  if (token === null || (token instanceof JValue && token.tokenType === "Null")) {
    if (nullable) return null;
    throw argumentError("Can not convert Null to Boolean.");
  }
  if (token instanceof JValue) {
    if (token.tokenType === "Boolean") return token.value as boolean;
    if (token.tokenType === "Integer" || token.tokenType === "Float") return token.value !== 0;
    if (token.tokenType === "String") {
      const text = (token.value as string).trim().toLowerCase();
      if (text === "true") return true;
      if (text === "false") return false;
      throw new ExpressionException(
        "FormatException",
        `String '${token.value as string}' was not recognized as a valid Boolean.`,
      );
    }
  }
  throw argumentError(`Can not convert ${conversionName(token)} to Boolean.`);
}

/** Math.Round's default: to even. */
export function bankersRound(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** JToken.DeepEquals. */
export function deepEquals(a: JToken | null, b: JToken | null): boolean {
  if (a === null || b === null) return a === b;
  if (a instanceof JValue) return a.csEquals(b);
  if (a instanceof JArray) {
    return (
      b instanceof JArray &&
      a.items.length === b.items.length &&
      a.items.every((item, i) => deepEquals(item, b.items[i] ?? null))
    );
  }
  if (a instanceof JObject) {
    if (!(b instanceof JObject) || a.properties.size !== b.properties.size) return false;
    for (const [name, property] of a.properties) if (!deepEquals(property.value, b.get(name))) return false;
    return true;
  }
  if (a instanceof JProperty) return b instanceof JProperty && a.name === b.name && deepEquals(a.value, b.value);
  return false;
}

/** JToken.SelectToken for simple paths: `a.b[0].c`, `$.a`, `['a b']`; null when a step is missing. */
export function selectToken(token: JToken, path: string, errorWhenNoMatch: boolean): JToken | null {
  let current: JToken | null = token;
  const re = /\s*(?:\.?([^.[\]\s]+)|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[\s*(-?\d+)\s*\])/y;
  let rest = path.trim();
  if (rest.startsWith("$")) rest = rest.slice(1);
  re.lastIndex = 0;
  while (re.lastIndex < rest.length) {
    const match = re.exec(rest);
    if (!match) throw new JsonReaderError(`Unexpected character while parsing path: ${rest[re.lastIndex] ?? ""}`);
    const name = match[1] ?? match[2] ?? match[3];
    if (name === "*" || (match[4] === undefined && name === undefined)) {
      throw new JsonReaderError("Path wildcards and filters are not supported by SelectToken in policy expressions");
    }
    if (current === null) return null;
    if (match[4] !== undefined) {
      const index = Number(match[4]);
      current = current instanceof JArray ? (current.items[index] ?? null) : null;
    } else {
      current = current instanceof JObject ? current.get(name as string) : null;
    }
    if (current === null && errorWhenNoMatch) throw new JsonReaderError(`Path '${path}' does not exist`);
  }
  return current;
}
