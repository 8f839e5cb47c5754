/** Convert, Math, Encoding, StringBuilder, Uri, WebUtility/HttpUtility, Random and the hashing classes policies use. */
import { createHash, createHmac, randomInt } from "node:crypto";
import { compositeFormat, formatValue } from "../format.js";
import { JToken, bankersRound, tokenToString } from "../json.js";
import {
  ExpressionException,
  argumentNull,
  argumentOutOfRange,
  checkStringLength,
  checkedString,
  formatError,
  overflow,
} from "../runtime.js";
import { addMembers, libraryType, method, property, tryParseMethod } from "../members.js";
import {
  BOOL,
  BYTE,
  BYTE_ARRAY,
  CHAR,
  DECIMAL,
  DECIMAL_DEF,
  DOUBLE,
  INT,
  LONG,
  STRING,
  STRING_ARRAY,
  VOID,
  registerType,
  typeOf,
  underlying,
  type MethodSpec,
  type Type,
} from "../types.js";
import { CsValue, EnumValue, csString, defineEnum } from "../values.js";
import { parseTime } from "../time-parse.js";
import { DATE_TIME, DateTimeValue } from "./time.js";

const staticType = (name: string, namespace = "System") => libraryType(`${namespace}.${name}`, { isStatic: true });

const bytesOf = (value: unknown, name: string): Uint8Array => {
  if (value === null || value === undefined) throw argumentNull(name);
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return Uint8Array.from(value as number[]);
  throw new ExpressionException("InvalidCastException", `Argument '${name}' is not a byte[]`);
};

/** `count` bytes from `offset` of a byte[] argument (all of them, or all from `offset`, when those are absent). */
const byteRange = (value: unknown, name: string, offset: unknown, count: unknown): Buffer => {
  const start = (offset as number | undefined) ?? 0;
  return Buffer.from(bytesOf(value, name)).subarray(start, count === undefined ? undefined : start + (count as number));
};

// ---- Convert ----

const CONVERT_DEF = staticType("Convert");

/** Convert.ToInt32 and friends: strings parse (invariant), doubles round to even, bools are 0/1, null is 0. */
function toNumber(value: unknown, integral: boolean, name: string, min: number, max: number): number {
  let number: number;
  if (value === null || value === undefined) return 0;
  if (typeof value === "number") number = integral ? bankersRound(value) : value;
  else if (typeof value === "boolean") number = value ? 1 : 0;
  else if (typeof value === "string") {
    const text = value.trim();
    if (value.length === 1 && !/\d/.test(value) && integral) {
      number = Number.NaN;
    } else {
      number = (integral ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/).test(text)
        ? Number(text)
        : Number.NaN;
    }
    if (Number.isNaN(number)) throw formatError(`The input string '${value}' was not in a correct format.`);
  } else if (value instanceof JToken) {
    return toNumber(tokenToString(value), integral, name, min, max);
  } else if (value instanceof EnumValue) number = value.value;
  else throw new ExpressionException("InvalidCastException", `Unable to cast object to ${name}.`);
  if (number < min || number > max)
    throw overflow(`Value was either too large or too small for ${name === "Int32" ? "an Int32" : `a ${name}`}.`);
  return number;
}

function toBoolean(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") {
    const text = value.trim().toLowerCase();
    if (text === "true") return true;
    if (text === "false") return false;
    throw formatError(`String '${value}' was not recognized as a valid Boolean.`);
  }
  throw new ExpressionException("InvalidCastException", "Unable to cast object to Boolean.");
}

function fromBase64(value: unknown): Uint8Array {
  if (value === null || value === undefined) throw argumentNull("s");
  const text = (value as string).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw formatError(
      "The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.",
    );
  }
  return new Uint8Array(Buffer.from(text, "base64"));
}

const numberConverter = (returns: Type, integral: boolean, name: string, min: number, max: number): MethodSpec =>
  method({
    params: ["value", "provider"],
    min: 1,
    returns,
    invoke: (_s, [value, base]) => {
      if (typeof base === "number" && typeof value === "string") {
        const parsed = Number.parseInt(value, base);
        if (Number.isNaN(parsed)) throw formatError("Could not find any recognizable digits.");
        return parsed;
      }
      return toNumber(value, integral, name, min, max);
    },
  });

addMembers(CONVERT_DEF.statics, {
  ToBase64String: method({
    params: ["inArray", "offset", "length"],
    min: 1,
    returns: STRING,
    invoke: (_s, [bytes, offset, length]) => byteRange(bytes, "inArray", offset, length).toString("base64"),
  }),
  FromBase64String: method({ params: ["s"], returns: BYTE_ARRAY, invoke: (_s, [text]) => fromBase64(text) }),
  ToHexString: method({
    params: ["inArray"],
    returns: STRING,
    invoke: (_s, [bytes]) => Buffer.from(bytesOf(bytes, "inArray")).toString("hex").toUpperCase(),
  }),
  FromHexString: method({
    params: ["s"],
    returns: BYTE_ARRAY,
    invoke: (_s, [text]) => {
      if (typeof text !== "string" || !/^([0-9a-fA-F]{2})*$/.test(text))
        throw formatError("The input is not a valid hex string as it contains a non-hex character.");
      return new Uint8Array(Buffer.from(text, "hex"));
    },
  }),
  ToInt32: numberConverter(INT, true, "Int32", -2147483648, 2147483647),
  ToInt16: numberConverter(INT, true, "Int16", -32768, 32767),
  ToInt64: numberConverter(LONG, true, "Int64", -(2 ** 63), 2 ** 63),
  ToByte: numberConverter(BYTE, true, "Byte", 0, 255),
  ToDouble: numberConverter(DOUBLE, false, "Double", -Infinity, Infinity),
  ToSingle: numberConverter(DOUBLE, false, "Single", -Infinity, Infinity),
  ToDecimal: numberConverter(DECIMAL, false, "Decimal", -7.9e28, 7.9e28),
  ToBoolean: method({ params: ["value", "provider"], min: 1, returns: BOOL, invoke: (_s, [v]) => toBoolean(v) }),
  ToString: method({
    params: ["value", "provider"],
    min: 1,
    returns: STRING,
    invoke: (_s, [value, second]) => (typeof second === "string" ? formatValue(value, second, false) : csString(value)),
  }),
  ToChar: method({
    params: ["value"],
    returns: CHAR,
    invoke: (_s, [value]) => {
      if (typeof value === "number") return String.fromCharCode(value);
      if (typeof value === "string" && value.length === 1) return value;
      throw formatError("String must be exactly one character long.");
    },
  }),
  ToDateTime: method({
    params: ["value", "provider"],
    min: 1,
    returns: DATE_TIME,
    invoke: (_s, [value]) => {
      if (value instanceof DateTimeValue) return value;
      if (value === null) return new DateTimeValue(-62135596800000, 0);
      const parsed = typeof value === "string" ? parseTime(value) : undefined;
      if (!parsed) throw formatError(`String '${csString(value)}' was not recognized as a valid DateTime.`);
      return parsed.zone === undefined
        ? new DateTimeValue(parsed.clock, 0)
        : new DateTimeValue(parsed.clock - parsed.zone * 60_000, 2);
    },
  }),
});

// ---- Math ----

const MATH_DEF = staticType("Math");
const promoted = (_t: Type, args: readonly Type[]): Type => {
  const defs = args.map((a) => underlying(a).def);
  if (defs.includes(DECIMAL_DEF)) return DECIMAL;
  if (defs.some((d) => d === DOUBLE.def || d.name === "float")) return DOUBLE;
  if (defs.includes(LONG.def)) return LONG;
  return args[0] ?? DOUBLE;
};
const sameAsArgument = (_t: Type, args: readonly Type[]): Type => (args[0]?.def === DECIMAL_DEF ? DECIMAL : DOUBLE);
const unary = (f: (x: number) => number, returns: MethodSpec["returns"] = () => DOUBLE) =>
  method({ params: ["d"], returns, invoke: (_s, [x]) => f(x as number) });

/** Math.Round(value[, digits][, MidpointRounding]): to even unless AwayFromZero (1). */
function round(value: number, digits: number, mode: number): number {
  const factor = 10 ** digits;
  const scaled = Number((value * factor).toPrecision(15));
  const rounded =
    mode === 1
      ? Math.sign(scaled) * Math.round(Math.abs(scaled))
      : mode === 2
        ? Math.trunc(scaled)
        : mode === 3
          ? Math.floor(scaled)
          : mode === 4
            ? Math.ceil(scaled)
            : bankersRound(scaled);
  return rounded / factor;
}

addMembers(MATH_DEF.statics, {
  PI: property(DOUBLE, () => Math.PI),
  E: property(DOUBLE, () => Math.E),
  Min: method({
    params: ["val1", "val2"],
    returns: promoted,
    invoke: (_s, [a, b]) => Math.min(a as number, b as number),
  }),
  Max: method({
    params: ["val1", "val2"],
    returns: promoted,
    invoke: (_s, [a, b]) => Math.max(a as number, b as number),
  }),
  Abs: method({
    params: ["value"],
    returns: (_t, [a]) => a ?? DOUBLE,
    invoke: (_s, [x]) => {
      if (x === -2147483648) throw overflow("Negating the minimum value of a twos complement number is invalid.");
      return Math.abs(x as number);
    },
  }),
  Floor: unary(Math.floor, sameAsArgument),
  Ceiling: unary(Math.ceil, sameAsArgument),
  Truncate: unary(Math.trunc, sameAsArgument),
  Sqrt: unary(Math.sqrt),
  Exp: unary(Math.exp),
  Log10: unary(Math.log10),
  Log2: unary(Math.log2),
  Sin: unary(Math.sin),
  Cos: unary(Math.cos),
  Tan: unary(Math.tan),
  Sign: unary(Math.sign, () => INT),
  Log: method({
    params: ["a", "newBase"],
    min: 1,
    returns: DOUBLE,
    invoke: (_s, [a, base]) =>
      base === undefined ? Math.log(a as number) : Math.log(a as number) / Math.log(base as number),
  }),
  Pow: method({ params: ["x", "y"], returns: DOUBLE, invoke: (_s, [x, y]) => (x as number) ** (y as number) }),
  Round: method({
    params: ["value", "digits", "mode"],
    min: 1,
    returns: sameAsArgument,
    invoke: (_s, [x, second, third]) => {
      const digits = typeof second === "number" ? second : 0;
      const mode = second instanceof EnumValue ? second.value : third instanceof EnumValue ? third.value : 0;
      if (digits < 0 || digits > 15)
        throw argumentOutOfRange("digits", "Rounding digits must be between 0 and 15, inclusive.");
      return round(x as number, digits, mode);
    },
  }),
  Clamp: method({
    params: ["value", "min", "max"],
    returns: promoted,
    invoke: (_s, [x, min, max]) => {
      if ((min as number) > (max as number))
        throw new ExpressionException(
          "ArgumentException",
          `'${csString(min)}' cannot be greater than ${csString(max)}.`,
        );
      return Math.min(Math.max(x as number, min as number), max as number);
    },
  }),
});
defineEnum("MidpointRounding", "System.MidpointRounding", {
  ToEven: 0,
  AwayFromZero: 1,
  ToZero: 2,
  ToNegativeInfinity: 3,
  ToPositiveInfinity: 4,
});

// ---- Encoding ----

class EncodingValue extends CsValue {
  constructor(
    readonly name: string,
    readonly encoding: BufferEncoding,
  ) {
    super();
  }
  csType(): Type {
    return ENCODING;
  }
  override csToString(): string {
    return `System.Text.${this.name}Encoding`;
  }
}
const ENCODING_DEF = libraryType("System.Text.Encoding", { test: (v) => v instanceof EncodingValue });
const ENCODING = typeOf(ENCODING_DEF);
const UTF8 = new EncodingValue("UTF8", "utf8");
for (const [name, value] of [
  ["UTF8", UTF8],
  ["Default", UTF8],
  ["ASCII", new EncodingValue("ASCII", "ascii")],
  ["Unicode", new EncodingValue("Unicode", "utf16le")],
  ["Latin1", new EncodingValue("Latin1", "latin1")],
] as const) {
  ENCODING_DEF.statics.set(
    name,
    property(ENCODING, () => value),
  );
}
const encode = (e: EncodingValue, text: string): Buffer =>
  // ASCII replaces what it cannot encode with '?', as .NET's ASCIIEncoding does.
  e.encoding === "ascii" ? Buffer.from(text.replace(/[\u0080-\uffff]/g, "?"), "latin1") : Buffer.from(text, e.encoding);
addMembers(ENCODING_DEF.members, {
  GetBytes: method<EncodingValue>({
    params: ["s"],
    returns: BYTE_ARRAY,
    invoke: (e, [text]) => {
      if (text === null) throw argumentNull("s");
      return new Uint8Array(encode(e, typeof text === "string" ? text : (text as string[]).join("")));
    },
  }),
  GetString: method<EncodingValue>({
    params: ["bytes", "index", "count"],
    min: 1,
    returns: STRING,
    invoke: (e, [bytes, index, count]) => {
      const slice = byteRange(bytes, "bytes", index, count);
      return e.encoding === "ascii"
        ? slice.toString("latin1").replace(/[\u0080-\uffff]/g, "?")
        : slice.toString(e.encoding);
    },
  }),
  GetByteCount: method<EncodingValue>({
    params: ["s"],
    returns: INT,
    invoke: (e, [text]) => encode(e, text as string).length,
  }),
  WebName: property<EncodingValue>(
    STRING,
    (e) => ({ UTF8: "utf-8", ASCII: "us-ascii", Unicode: "utf-16", Latin1: "iso-8859-1" })[e.name] ?? e.name,
  ),
});

// ---- StringBuilder ----

class StringBuilderValue extends CsValue {
  text = "";
  csType(): Type {
    return STRING_BUILDER;
  }
  override csToString(): string {
    return this.text;
  }
  append(value: string): this {
    this.text = checkedString(this.text + value);
    return this;
  }
}
const STRING_BUILDER_DEF = libraryType("System.Text.StringBuilder", { test: (v) => v instanceof StringBuilderValue });
const STRING_BUILDER = typeOf(STRING_BUILDER_DEF);
STRING_BUILDER_DEF.create = method({
  params: ["value", "capacity"],
  min: 0,
  returns: STRING_BUILDER,
  invoke: (_s, [value]) => {
    const builder = new StringBuilderValue();
    if (typeof value === "string") builder.append(value);
    return builder;
  },
});
const builderText = (value: unknown): string => (Array.isArray(value) ? value.join("") : csString(value));
addMembers(STRING_BUILDER_DEF.members, {
  Length: property<StringBuilderValue>(INT, (b) => b.text.length),
  Append: method<StringBuilderValue>({
    params: ["value", "repeatCount"],
    min: 1,
    returns: STRING_BUILDER,
    invoke: (b, [value, count]) => {
      const text = builderText(value);
      if (typeof count !== "number") return b.append(text);
      checkStringLength(b.text.length + text.length * count);
      return b.append(text.repeat(count));
    },
  }),
  AppendLine: method<StringBuilderValue>({
    params: ["value"],
    min: 0,
    returns: STRING_BUILDER,
    invoke: (b, [value]) => b.append(`${value === undefined ? "" : csString(value)}\r\n`),
  }),
  AppendFormat: method<StringBuilderValue>({
    params: ["format", "args"],
    min: 1,
    max: Infinity,
    returns: STRING_BUILDER,
    invoke: (b, [format, ...args]) =>
      b.append(
        compositeFormat(format as string, args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args),
      ),
  }),
  Insert: method<StringBuilderValue>({
    params: ["index", "value"],
    returns: STRING_BUILDER,
    invoke: (b, [index, value]) => {
      b.text = checkedString(b.text.slice(0, index as number) + csString(value) + b.text.slice(index as number));
      return b;
    },
  }),
  Remove: method<StringBuilderValue>({
    params: ["startIndex", "length"],
    returns: STRING_BUILDER,
    invoke: (b, [start, length]) => {
      b.text = b.text.slice(0, start as number) + b.text.slice((start as number) + (length as number));
      return b;
    },
  }),
  Replace: method<StringBuilderValue>({
    params: ["oldValue", "newValue"],
    returns: STRING_BUILDER,
    invoke: (b, [from, to]) => {
      b.text = checkedString(b.text.split(from as string).join(to === null ? "" : (to as string)));
      return b;
    },
  }),
  Clear: method<StringBuilderValue>({
    returns: STRING_BUILDER,
    invoke: (b) => {
      b.text = "";
      return b;
    },
  }),
  ToString: method<StringBuilderValue>({ returns: STRING, invoke: (b) => b.text }),
});
STRING_BUILDER_DEF.indexer = {
  type: () => CHAR,
  get: (self, [i]) => (self as StringBuilderValue).text[i as number] ?? "",
};

// ---- URL encoding ----

const UNRESERVED_WEB = /[A-Za-z0-9\-_.!*()]/;
/** WebUtility.UrlEncode (upper-case hex) and HttpUtility.UrlEncode (lower-case): spaces become `+`. */
function urlEncode(value: unknown, upper: boolean): string | null {
  if (value === null || value === undefined) return null;
  let out = "";
  for (const byte of Buffer.from(value as string, "utf8")) {
    const c = String.fromCharCode(byte);
    if (c === " ") out += "+";
    else if (byte < 0x80 && UNRESERVED_WEB.test(c)) out += c;
    else {
      const hex = byte.toString(16).padStart(2, "0");
      out += `%${upper ? hex.toUpperCase() : hex}`;
    }
  }
  return out;
}

function urlDecode(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const bytes: number[] = [];
  const text = value as string;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "+") bytes.push(0x20);
    else if (c === "%" && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const HTML_ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
};
const htmlEncode = (value: unknown) =>
  value === null || value === undefined ? null : (value as string).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
const htmlDecode = (value: unknown) =>
  value === null || value === undefined
    ? null
    : (value as string).replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (all, body: string) => {
        if (body.startsWith("#x")) return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
        if (body.startsWith("#")) return String.fromCodePoint(Number(body.slice(1)));
        return HTML_ENTITIES[body] ?? all;
      });

const webUtility = (upper: boolean) => ({
  UrlEncode: method({ params: ["value"], returns: STRING, invoke: (_s, [v]) => urlEncode(v, upper) }),
  UrlDecode: method({ params: ["encodedValue"], returns: STRING, invoke: (_s, [v]) => urlDecode(v) }),
  HtmlEncode: method({ params: ["value"], returns: STRING, invoke: (_s, [v]) => htmlEncode(v) }),
  HtmlDecode: method({ params: ["value"], returns: STRING, invoke: (_s, [v]) => htmlDecode(v) }),
});
addMembers(staticType("WebUtility", "System.Net").statics, webUtility(true));
addMembers(staticType("HttpUtility", "System.Web").statics, {
  ...webUtility(false),
  UrlPathEncode: method({
    params: ["value"],
    returns: STRING,
    invoke: (_s, [v]) => (v === null ? null : encodeURI(v as string)),
  }),
});

/** Uri.EscapeDataString: RFC 3986 unreserved characters stay, everything else is %XX (upper case). */
const escapeData = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

// ---- Uri ----

class UriValue extends CsValue {
  constructor(
    readonly url: URL,
    readonly original: string,
  ) {
    super();
  }
  csType(): Type {
    return URI;
  }
  override csToString(): string {
    return decodeURI(this.url.href);
  }
}
const URI_DEF = libraryType("System.Uri", { test: (v) => v instanceof UriValue });
const URI = typeOf(URI_DEF);
defineEnum("UriKind", "System.UriKind", { RelativeOrAbsolute: 0, Absolute: 1, Relative: 2 });

function parseUri(text: unknown, base?: unknown): UriValue {
  if (text === null || text === undefined) throw argumentNull("uriString");
  try {
    const source = text instanceof UriValue ? text.url.href : (text as string);
    const url =
      base instanceof UriValue
        ? new URL(base === undefined ? source : String(base === null ? "" : source), base.url)
        : new URL(source.trim());
    if (!/^[a-z][a-z0-9+.-]*:$/i.test(url.protocol)) throw new Error("scheme");
    return new UriValue(url, typeof text === "string" ? text : url.href);
  } catch {
    throw new ExpressionException("UriFormatException", "Invalid URI: The format of the URI could not be determined.");
  }
}
URI_DEF.create = method({
  params: ["uriString", "relativeUri"],
  min: 1,
  returns: URI,
  invoke: (_s, [a, b]) => (b === undefined ? parseUri(a) : parseUri(b, a)),
});
const uriOf = (self: unknown) => (self as UriValue).url;
const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  "http:": 80,
  "https:": 443,
  "ftp:": 21,
  "ws:": 80,
  "wss:": 443,
};
addMembers(URI_DEF.members, {
  AbsoluteUri: property(STRING, (u) => uriOf(u).href),
  OriginalString: property(STRING, (u) => (u as UriValue).original),
  Scheme: property(STRING, (u) => uriOf(u).protocol.replace(/:$/, "")),
  Host: property(STRING, (u) => uriOf(u).hostname),
  Authority: property(STRING, (u) => uriOf(u).host),
  Port: property(INT, (u) => (uriOf(u).port === "" ? (DEFAULT_PORTS[uriOf(u).protocol] ?? -1) : Number(uriOf(u).port))),
  AbsolutePath: property(STRING, (u) => uriOf(u).pathname),
  PathAndQuery: property(STRING, (u) => uriOf(u).pathname + uriOf(u).search),
  Query: property(STRING, (u) => uriOf(u).search),
  Fragment: property(STRING, (u) => uriOf(u).hash),
  Segments: property(STRING_ARRAY, (u) => uriOf(u).pathname.split(/(?<=\/)/)),
  IsAbsoluteUri: property(BOOL, () => true),
  IsDefaultPort: property(BOOL, (u) => uriOf(u).port === ""),
  UserInfo: property(STRING, (u) =>
    uriOf(u).username ? `${uriOf(u).username}${uriOf(u).password ? `:${uriOf(u).password}` : ""}` : "",
  ),
});
addMembers(URI_DEF.statics, {
  EscapeDataString: method({
    params: ["stringToEscape"],
    returns: STRING,
    invoke: (_s, [v]) => escapeData(v as string),
  }),
  UnescapeDataString: method({
    params: ["stringToUnescape"],
    returns: STRING,
    invoke: (_s, [v]) => {
      try {
        return decodeURIComponent(v as string);
      } catch {
        return v;
      }
    },
  }),
  EscapeUriString: method({ params: ["stringToEscape"], returns: STRING, invoke: (_s, [v]) => encodeURI(v as string) }),
  IsWellFormedUriString: method({
    params: ["uriString", "uriKind"],
    returns: BOOL,
    invoke: (_s, [text, kind]) => {
      if (typeof text !== "string" || /\s/.test(text)) return false;
      const relative = (kind as EnumValue).value !== 1;
      try {
        new URL(text);
        return (kind as EnumValue).value !== 2;
      } catch {
        return relative && !/^[a-z][a-z0-9+.-]*:/i.test(text);
      }
    },
  }),
  TryCreate: tryParseMethod({
    params: ["uriString", "uriKind", "result"],
    result: URI,
    fallback: null,
    parse: ([text]) => parseUri(text),
  }),
});

// ---- Random ----

class RandomValue extends CsValue {
  csType(): Type {
    return typeOf(RANDOM_DEF);
  }
}
const RANDOM_DEF = libraryType("System.Random", { test: (v) => v instanceof RandomValue });
RANDOM_DEF.create = method({ params: ["Seed"], min: 0, returns: typeOf(RANDOM_DEF), invoke: () => new RandomValue() });
addMembers(RANDOM_DEF.members, {
  Next: method({
    params: ["minValue", "maxValue"],
    min: 0,
    returns: INT,
    invoke: (_r, args) => {
      const [min, max] = args.length === 2 ? (args as number[]) : [0, (args[0] as number | undefined) ?? 2147483647];
      if ((min as number) > (max as number))
        throw argumentOutOfRange("minValue", "'minValue' cannot be greater than maxValue.");
      return min === max ? min : randomInt(min as number, max as number);
    },
  }),
  NextDouble: method({ returns: DOUBLE, invoke: () => randomInt(0, 2 ** 48 - 1) / 2 ** 48 }),
});

// ---- hashing ----

class HashValue extends CsValue {
  constructor(
    readonly algorithm: string,
    readonly key: Uint8Array | undefined,
    private readonly type: Type,
  ) {
    super();
  }
  csType(): Type {
    return this.type;
  }
  hash(data: Uint8Array): Uint8Array {
    const digest = this.key
      ? createHmac(this.algorithm, this.key).update(data).digest()
      : createHash(this.algorithm).update(data).digest();
    return new Uint8Array(digest);
  }
}
for (const [name, algorithm, keyed] of [
  ["SHA1", "sha1", false],
  ["SHA256", "sha256", false],
  ["SHA384", "sha384", false],
  ["SHA512", "sha512", false],
  ["MD5", "md5", false],
  ["HMACSHA1", "sha1", true],
  ["HMACSHA256", "sha256", true],
  ["HMACSHA384", "sha384", true],
  ["HMACSHA512", "sha512", true],
  ["HMACMD5", "md5", true],
] as const) {
  const def = libraryType(`System.Security.Cryptography.${name}`);
  const type = typeOf(def);
  def.test = (v) => v instanceof HashValue && v.csType() === type;
  const create = (key: unknown) =>
    new HashValue(algorithm, keyed ? bytesOf(key ?? new Uint8Array(0), "key") : undefined, type);
  def.create = method({
    params: ["key"],
    min: 0,
    max: keyed ? 1 : 0,
    returns: type,
    invoke: (_s, [key]) => create(key),
  });
  if (!keyed) {
    def.statics.set("Create", method({ returns: type, invoke: () => create(undefined) }));
    // The older managed implementations are the same algorithm.
    registerType(def, `${name}Managed`, `System.Security.Cryptography.${name}Managed`);
  }
  addMembers(def.members, {
    ComputeHash: method<HashValue>({
      params: ["buffer"],
      returns: BYTE_ARRAY,
      invoke: (h, [data]) => h.hash(bytesOf(data, "buffer")),
    }),
    Dispose: method<HashValue>({ returns: VOID, invoke: () => undefined }),
  });
  if (!keyed) {
    def.statics.set(
      "HashData",
      method({
        params: ["source"],
        returns: BYTE_ARRAY,
        invoke: (_s, [data]) => create(undefined).hash(bytesOf(data, "source")),
      }),
    );
  }
}

// ---- BitConverter ----

addMembers(staticType("BitConverter").statics, {
  ToString: method({
    params: ["value"],
    returns: STRING,
    invoke: (_s, [bytes]) =>
      Array.from(bytesOf(bytes, "value"), (b) => b.toString(16).padStart(2, "0").toUpperCase()).join("-"),
  }),
});
