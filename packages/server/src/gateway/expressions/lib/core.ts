/** object, string, char, the numeric types, bool, Nullable<T> and arrays: their members and static members. */
import { defaultOf } from "../casts.js";
import { compositeFormat, formatNumber } from "../format.js";
import {
  argumentError,
  argumentNull,
  argumentOutOfRange,
  checkStringLength,
  checkedLength,
  checkedString,
  formatError,
  indexOutOfRange,
  invalidOperation,
  nullReference,
  overflow,
  type Frame,
} from "../runtime.js";
import { addMembers, libraryType, method, property, tryParseMethod } from "../members.js";
import {
  ARRAY_DEF,
  BOOL,
  BOOL_DEF,
  BYTE_DEF,
  CHAR,
  CHAR_DEF,
  DECIMAL_DEF,
  DOUBLE_DEF,
  ENUMERABLE_DEF,
  FLOAT_DEF,
  INT,
  INT_DEF,
  KEY_VALUE_PAIR_DEF,
  LONG_DEF,
  NULLABLE_DEF,
  OBJECT_MEMBERS,
  STRING,
  STRING_ARRAY,
  STRING_DEF,
  VOID,
  argOf,
  arrayOf,
  typeOf,
  type TypeDef,
} from "../types.js";
import { EnumValue, csEquals, csHash, csString, defineEnum, elementsOf, formatInteger } from "../values.js";

// ---- object ----

addMembers(OBJECT_MEMBERS, {
  ToString: method({ returns: STRING, invoke: (self) => csString(self) }),
  Equals: method({ params: ["obj"], returns: BOOL, invoke: (self, [other]) => csEquals(self, other ?? null) }),
  GetHashCode: method({ returns: INT, invoke: (self) => csHash(self) }),
});

// ---- enums shared by string and others ----

const STRING_COMPARISON_DEF = defineEnum("StringComparison", "System.StringComparison", {
  CurrentCulture: 0,
  CurrentCultureIgnoreCase: 1,
  InvariantCulture: 2,
  InvariantCultureIgnoreCase: 3,
  Ordinal: 4,
  OrdinalIgnoreCase: 5,
});
defineEnum("StringSplitOptions", "System.StringSplitOptions", {
  None: 0,
  RemoveEmptyEntries: 1,
  TrimEntries: 2,
});

/** Whether a StringComparison argument asks to ignore case (the *IgnoreCase members are odd). */
export const ignoresCase = (comparison: unknown): boolean =>
  comparison instanceof EnumValue && comparison.value % 2 === 1;
const fold = (text: string, ignoreCase: boolean): string => (ignoreCase ? text.toLowerCase() : text);

const collator = new Intl.Collator("en", { sensitivity: "variant" });
const collatorIgnoreCase = new Intl.Collator("en", { sensitivity: "accent" });

/** String.Compare: culture-aware (ICU, as .NET 5+), or ordinal for the Ordinal comparisons. */
function compareStrings(a: string | null, b: string | null, comparison: unknown): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  const ignoreCase = comparison === true || ignoresCase(comparison);
  if (comparison instanceof EnumValue && comparison.value >= 4) {
    const x = fold(a, ignoreCase);
    const y = fold(b, ignoreCase);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return Math.sign((ignoreCase ? collatorIgnoreCase : collator).compare(a, b));
}

// ---- string ----

/** A string argument that must not be null: ArgumentNullException like .NET. */
function requireString(value: unknown, name: string): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) throw argumentNull(name);
  return csString(value);
}

function checkIndex(index: number, length: number, name: string): void {
  if (index < 0 || index > length) {
    throw argumentOutOfRange(
      name,
      "Index was out of range. Must be non-negative and less than or equal to the size of the collection.",
    );
  }
}

const WHITESPACE = /^[\s\u0085]+|[\s\u0085]+$/g;

function trimChars(text: string, chars: readonly unknown[], start: boolean, end: boolean): string {
  const set = chars.flatMap((c) => (Array.isArray(c) ? c : [c])).filter((c): c is string => typeof c === "string");
  if (set.length === 0) {
    if (start && end) return text.replace(WHITESPACE, "");
    return start ? text.replace(/^[\s\u0085]+/, "") : text.replace(/[\s\u0085]+$/, "");
  }
  let from = 0;
  let to = text.length;
  if (start) while (from < to && set.includes(text[from] as string)) from++;
  if (end) while (to > from && set.includes(text[to - 1] as string)) to--;
  return text.slice(from, to);
}

/** String.Split in all its overloads: separators (chars, strings or arrays of them), then count and options. */
function split(text: string, args: readonly unknown[]): string[] {
  const separators: string[] = [];
  let count = Number.MAX_SAFE_INTEGER;
  let options = 0;
  for (const arg of args) {
    if (arg === undefined || arg === null) continue;
    if (typeof arg === "number") {
      count = arg;
    } else if (arg instanceof EnumValue) {
      options = arg.value;
    } else if (Array.isArray(arg)) {
      for (const s of arg) if (typeof s === "string" && s !== "") separators.push(s);
    } else if (typeof arg === "string" && arg !== "") {
      separators.push(arg);
    }
  }
  if (count < 0) throw argumentOutOfRange("count", "Count cannot be less than zero.");
  if (separators.length === 1 && options === 0 && count >= text.length + 1) {
    // The common case, Split(' '): JavaScript's split has the same semantics for one separator.
    const parts = text.split(separators[0] as string);
    checkedLength(parts.length);
    return parts;
  }
  const removeEmpty = (options & 1) !== 0;
  const trim = (options & 2) !== 0;
  const whitespace = separators.length === 0 && !args.some((a) => typeof a === "string" && a !== "");
  const parts: string[] = [];
  if (count === 0) return parts;
  let start = 0;
  let i = 0;
  const push = (part: string) => {
    const value = trim ? part.trim() : part;
    if (removeEmpty && value === "") return;
    checkedLength(parts.length + 1);
    parts.push(value);
  };
  while (i < text.length && parts.length < count - 1) {
    let matched = 0;
    if (whitespace) {
      if (/\s/.test(text[i] as string)) matched = 1;
    } else {
      for (const separator of separators) {
        if (text.startsWith(separator, i)) {
          matched = separator.length;
          break;
        }
      }
    }
    if (matched > 0) {
      push(text.slice(start, i));
      i += matched;
      start = i;
    } else {
      i++;
    }
  }
  push(text.slice(start));
  return parts;
}

const stringArg = (value: unknown): string => (typeof value === "string" ? value : csString(value));

/**
 * IndexOf and LastIndexOf: `find` on the string and the value (as `written`, and folded with the string when a
 * StringComparison argument ignores case).
 */
function position(
  s: string,
  args: readonly unknown[],
  find: (text: string, value: string, written: string) => number,
): number {
  const value = requireString(args[0], "value");
  const ic = ignoresCase(args.find((a) => a instanceof EnumValue));
  return find(fold(s, ic), fold(value, ic), value);
}

/**
 * Contains, StartsWith and EndsWith: `find` on the string and the value, both case-folded when the comparison ignores
 * case, or when the `ignoreCase` bool of the overloads that have one (`StartsWith(value, true, culture)`) is true.
 */
const search = (find: (text: string, value: string) => boolean, ignoreCaseOverload: boolean) =>
  method<string>({
    params: ["value", "comparisonType"],
    min: 1,
    max: ignoreCaseOverload ? 3 : 2,
    returns: BOOL,
    invoke: (s, [value, comparison]) => {
      const ic = ignoresCase(comparison) || (ignoreCaseOverload && comparison === true);
      return find(fold(s, ic), fold(requireString(value, "value"), ic));
    },
  });

/**
 * Substring and Remove: `cut` of the characters from startIndex, `countName` of them or all to the end, checked as
 * .NET checks them.
 */
const ranged = (countName: string, startProblem: string, cut: (s: string, from: number, to: number) => string) =>
  method<string>({
    params: ["startIndex", countName],
    min: 1,
    returns: STRING,
    invoke: (s, [start, count]) => {
      const from = start as number;
      if (from < 0 || from > s.length) throw argumentOutOfRange("startIndex", startProblem);
      if (count === undefined) return cut(s, from, s.length);
      const n = count as number;
      if (n < 0 || from + n > s.length)
        throw argumentOutOfRange(countName, `Index and ${countName} must refer to a location within the string.`);
      return cut(s, from, from + n);
    },
  });

/** Trim, TrimStart and TrimEnd: white space, or the characters given. */
const trimmer = (start: boolean, end: boolean) =>
  method<string>({
    params: ["trimChars"],
    min: 0,
    max: Infinity,
    returns: STRING,
    invoke: (s, args) => trimChars(s, args, start, end),
  });

addMembers(STRING_DEF.members, {
  Length: property<string>(INT, (s) => s.length),
  Substring: ranged("length", "startIndex cannot be larger than length of string.", (s, from, to) => s.slice(from, to)),
  IndexOf: method<string>({
    params: ["value", "startIndex", "count"],
    min: 1,
    max: 3,
    returns: INT,
    invoke: (s, args) =>
      position(s, args, (text, value) => {
        const start = typeof args[1] === "number" ? args[1] : 0;
        checkIndex(start, s.length, "startIndex");
        return text.indexOf(value, start);
      }),
  }),
  IndexOfAny: method<string>({
    params: ["anyOf", "startIndex"],
    min: 1,
    returns: INT,
    invoke: (s, [chars, start]) => {
      const set = chars as string[];
      for (let i = (start as number | undefined) ?? 0; i < s.length; i++) if (set.includes(s[i] as string)) return i;
      return -1;
    },
  }),
  LastIndexOf: method<string>({
    params: ["value", "startIndex"],
    min: 1,
    max: 3,
    returns: INT,
    invoke: (s, args) =>
      position(s, args, (text, value, written) =>
        text.lastIndexOf(value, typeof args[1] === "number" ? args[1] - written.length + 1 : undefined),
      ),
  }),
  Contains: search((text, value) => text.includes(value), false),
  StartsWith: search((text, value) => text.startsWith(value), true),
  EndsWith: search((text, value) => text.endsWith(value), true),
  Equals: method<string>({
    params: ["value", "comparisonType"],
    min: 1,
    returns: BOOL,
    invoke: (s, [value, comparison]) => {
      if (typeof value !== "string") return false;
      const ic = ignoresCase(comparison);
      return fold(s, ic) === fold(value, ic);
    },
  }),
  CompareTo: method<string>({
    params: ["strB"],
    returns: INT,
    invoke: (s, [other]) => compareStrings(s, (other as string | null) ?? null, undefined),
  }),
  Split: method<string>({
    params: ["separator", "count", "options"],
    min: 0,
    max: Infinity,
    returns: STRING_ARRAY,
    invoke: (s, args) => split(s, args),
  }),
  Trim: trimmer(true, true),
  TrimStart: trimmer(true, false),
  TrimEnd: trimmer(false, true),
  ToLower: method<string>({ params: ["culture"], min: 0, returns: STRING, invoke: (s) => s.toLowerCase() }),
  ToUpper: method<string>({ params: ["culture"], min: 0, returns: STRING, invoke: (s) => s.toUpperCase() }),
  ToLowerInvariant: method<string>({ returns: STRING, invoke: (s) => s.toLowerCase() }),
  ToUpperInvariant: method<string>({ returns: STRING, invoke: (s) => s.toUpperCase() }),
  Replace: method<string>({
    params: ["oldValue", "newValue", "comparisonType"],
    min: 2,
    max: 4,
    returns: STRING,
    invoke: (s, [from, to, third]) => {
      const old = requireString(from, "oldValue");
      if (old === "") throw argumentError("String cannot be of zero length. (Parameter 'oldValue')");
      const replacement = to === null ? "" : stringArg(to);
      if (!ignoresCase(third) && third !== true) return checkedString(s.split(old).join(replacement));
      const lower = s.toLowerCase();
      const needle = old.toLowerCase();
      let out = "";
      let last = 0;
      for (let i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, last)) {
        out += s.slice(last, i) + replacement;
        last = i + old.length;
      }
      return checkedString(out + s.slice(last));
    },
  }),
  PadLeft: method<string>({
    params: ["totalWidth", "paddingChar"],
    min: 1,
    returns: STRING,
    invoke: (s, [width, pad]) => checkedString(s.padStart(checkWidth(width), (pad as string | undefined) ?? " ")),
  }),
  PadRight: method<string>({
    params: ["totalWidth", "paddingChar"],
    min: 1,
    returns: STRING,
    invoke: (s, [width, pad]) => checkedString(s.padEnd(checkWidth(width), (pad as string | undefined) ?? " ")),
  }),
  Insert: method<string>({
    params: ["startIndex", "value"],
    returns: STRING,
    invoke: (s, [index, value]) => {
      checkIndex(index as number, s.length, "startIndex");
      return checkedString(s.slice(0, index as number) + requireString(value, "value") + s.slice(index as number));
    },
  }),
  Remove: ranged(
    "count",
    "startIndex must be less than length of string.",
    (s, from, to) => s.slice(0, from) + s.slice(to),
  ),
  ToCharArray: method<string>({
    returns: arrayOf(CHAR),
    invoke: (s) => Array.from({ length: s.length }, (_, i) => s[i]),
  }),
  ToString: method<string>({ params: ["provider"], min: 0, returns: STRING, invoke: (s) => s }),
  Normalize: method<string>({ params: ["normalizationForm"], min: 0, returns: STRING, invoke: (s) => s.normalize() }),
  IsNormalized: method<string>({ returns: BOOL, invoke: (s) => s === s.normalize() }),
});

function checkWidth(width: unknown): number {
  const n = width as number;
  if (n < 0) throw argumentOutOfRange("totalWidth", "Non-negative number required.");
  checkStringLength(n);
  return n;
}

STRING_DEF.indexer = {
  type: () => CHAR,
  get: (self, [index]) => {
    const s = self as string;
    const i = index as number;
    if (i < 0 || i >= s.length) throw indexOutOfRange();
    return s[i];
  },
};
STRING_DEF.element = () => CHAR;
STRING_DEF.create = method({
  params: ["c", "count"],
  min: 1,
  returns: STRING,
  invoke: (_self, [first, count]) => {
    if (Array.isArray(first)) return first.join("");
    if (count === undefined) throw formatError("new string(char) needs a count");
    const n = count as number;
    if (n < 0) throw argumentOutOfRange("count", "Count cannot be less than zero.");
    checkStringLength(n);
    return (first as string).repeat(n);
  },
});

/** The values of a `params object[]` argument list: one array (or enumerable) argument stands for all of them. */
function paramsValues(args: readonly unknown[]): readonly unknown[] {
  if (args.length === 1) {
    const only = args[0];
    if (typeof only !== "string" && only !== null) {
      const items = elementsOf(only);
      if (items) return items;
    }
  }
  return args;
}

/** ToString of each value; numbers print as C# prints them. */
const text = (value: unknown): string => csString(value);

addMembers(STRING_DEF.statics, {
  Empty: property(STRING, () => ""),
  IsNullOrEmpty: method({ params: ["value"], returns: BOOL, invoke: (_s, [v]) => v === null || v === "" }),
  IsNullOrWhiteSpace: method({
    params: ["value"],
    returns: BOOL,
    invoke: (_s, [v]) => v === null || /^[\s\u0085]*$/.test(v as string),
  }),
  Join: method({
    params: ["separator", "values"],
    min: 2,
    max: Infinity,
    returns: STRING,
    invoke: (_s, [separator, ...values], frame) => {
      const items = paramsValues(values);
      frame.charge(items.length);
      return checkedString(items.map(text).join(separator === null ? "" : text(separator)));
    },
  }),
  Concat: method({
    params: ["values"],
    min: 1,
    max: Infinity,
    returns: STRING,
    invoke: (_s, values, frame) => {
      const items = paramsValues(values);
      frame.charge(items.length);
      return checkedString(items.map(text).join(""));
    },
  }),
  Format: method({
    params: ["format", "args"],
    min: 1,
    max: Infinity,
    returns: STRING,
    invoke: (_s, [first, ...rest]) => {
      // Format(IFormatProvider, format, args…): only the invariant culture exists, so the provider changes nothing.
      const withProvider = typeof first !== "string" && typeof rest[0] === "string";
      const [format, ...values] = withProvider ? rest : [first, ...rest];
      const args = values.length === 1 && Array.isArray(values[0]) ? (values[0] as unknown[]) : values;
      return compositeFormat(requireString(format, "format"), args);
    },
  }),
  Compare: method({
    params: ["strA", "strB", "comparisonType"],
    min: 2,
    max: 3,
    returns: INT,
    invoke: (_s, [a, b, comparison]) => compareStrings(a as string | null, b as string | null, comparison),
  }),
  CompareOrdinal: method({
    params: ["strA", "strB"],
    returns: INT,
    invoke: (_s, [a, b]) =>
      compareStrings(a as string | null, b as string | null, new EnumValue(STRING_COMPARISON_DEF, 4, new Map())),
  }),
  Equals: method({
    params: ["a", "b", "comparisonType"],
    min: 2,
    returns: BOOL,
    invoke: (_s, [a, b, comparison]) => {
      if (a === null || b === null) return a === b;
      const ic = ignoresCase(comparison);
      return fold(a as string, ic) === fold(b as string, ic);
    },
  }),
});

// ---- char ----

const charTest = (test: RegExp) =>
  method({
    params: ["c", "index"],
    min: 1,
    returns: BOOL,
    invoke: (_s, [c, index]) => {
      const ch = index === undefined ? (c as string) : ((c as string)[index as number] ?? "");
      return test.test(ch);
    },
  });

addMembers(CHAR_DEF.statics, {
  IsDigit: charTest(/^\p{Nd}$/u),
  IsNumber: charTest(/^\p{N}$/u),
  IsLetter: charTest(/^\p{L}$/u),
  IsLetterOrDigit: charTest(/^[\p{L}\p{Nd}]$/u),
  IsWhiteSpace: charTest(/^[\s\u0085]$/),
  IsUpper: charTest(/^\p{Lu}$/u),
  IsLower: charTest(/^\p{Ll}$/u),
  IsPunctuation: charTest(/^\p{P}$/u),
  IsSymbol: charTest(/^\p{S}$/u),
  IsControl: charTest(/^\p{Cc}$/u),
  ToUpper: method({ params: ["c"], returns: CHAR, invoke: (_s, [c]) => (c as string).toUpperCase() }),
  ToLower: method({ params: ["c"], returns: CHAR, invoke: (_s, [c]) => (c as string).toLowerCase() }),
  ToUpperInvariant: method({ params: ["c"], returns: CHAR, invoke: (_s, [c]) => (c as string).toUpperCase() }),
  ToLowerInvariant: method({ params: ["c"], returns: CHAR, invoke: (_s, [c]) => (c as string).toLowerCase() }),
  Parse: method({
    params: ["s"],
    returns: CHAR,
    invoke: (_s, [s]) => {
      if (typeof s !== "string" || s.length !== 1) throw formatError("String must be exactly one character long.");
      return s;
    },
  }),
  MaxValue: property(CHAR, () => "\uffff"),
  MinValue: property(CHAR, () => "\0"),
});
addMembers(CHAR_DEF.members, {
  ToString: method<string>({ returns: STRING, invoke: (c) => c }),
  CompareTo: method<string>({
    params: ["value"],
    returns: INT,
    invoke: (c, [o]) => c.charCodeAt(0) - (o as string).charCodeAt(0),
  }),
});

// ---- numbers ----

interface NumberTraits {
  def: TypeDef;
  integral: boolean;
  min: number;
  max: number;
  clr: string;
}

const NUMBERS: readonly NumberTraits[] = [
  { def: INT_DEF, integral: true, min: -2147483648, max: 2147483647, clr: "Int32" },
  { def: LONG_DEF, integral: true, min: -(2 ** 63), max: 2 ** 63, clr: "Int64" },
  { def: BYTE_DEF, integral: true, min: 0, max: 255, clr: "Byte" },
  { def: DOUBLE_DEF, integral: false, min: -Number.MAX_VALUE, max: Number.MAX_VALUE, clr: "Double" },
  { def: FLOAT_DEF, integral: false, min: -3.4028234663852886e38, max: 3.4028234663852886e38, clr: "Single" },
  {
    def: DECIMAL_DEF,
    integral: false,
    min: -7.922816251426434e28,
    max: 7.922816251426434e28,
    clr: "Decimal",
  },
];

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const FLOAT_TEXT = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;
const GROUPED_TEXT = /^\s*[+-]?\d{1,3}(,\d{3})*(\.\d*)?\s*$/;

/** Parses as int.Parse / double.Parse with the invariant culture; undefined when the text is not a number. */
function parseNumber(text: string, traits: NumberTraits, allowGroups: boolean): number | undefined {
  let source = text;
  if (allowGroups && GROUPED_TEXT.test(source)) source = source.replace(/,/g, "");
  if (!(traits.integral ? INTEGER_TEXT : FLOAT_TEXT).test(source)) {
    if (!traits.integral) {
      const special = source.trim();
      if (special === "NaN") return Number.NaN;
      if (special === "Infinity" || special === "∞") return Infinity;
      if (special === "-Infinity" || special === "-∞") return -Infinity;
    }
    return undefined;
  }
  return Number(source.trim());
}

function numberStatics(traits: NumberTraits): void {
  const type = typeOf(traits.def);
  const parse = (value: unknown, styles: unknown): number => {
    if (value === null) throw argumentNull("s");
    const number = parseNumber(value as string, traits, styles instanceof EnumValue && (styles.value & 0x200) !== 0);
    if (number === undefined) throw formatError(`The input string '${value as string}' was not in a correct format.`);
    if (number < traits.min || number > traits.max)
      throw overflow(
        `Value was either too large or too small for ${traits.clr === "Int32" ? "an Int32" : `a ${traits.clr}`}.`,
      );
    return traits.def === FLOAT_DEF ? Math.fround(number) : number;
  };
  addMembers(traits.def.statics, {
    Parse: method({
      params: ["s", "style", "provider"],
      min: 1,
      returns: type,
      invoke: (_s, [v, style]) => parse(v, style),
    }),
    TryParse: tryParseMethod({
      params: ["s", "result"],
      min: 2,
      max: 4,
      result: type,
      fallback: 0,
      parse: (args) => parse(args[0], args.length > 2 ? args[1] : undefined),
    }),
    MaxValue: property(type, () => traits.max),
    MinValue: property(type, () => traits.min),
  });
  if (!traits.integral) {
    addMembers(traits.def.statics, {
      IsNaN: method({ params: ["d"], returns: BOOL, invoke: (_s, [d]) => Number.isNaN(d) }),
      IsInfinity: method({ params: ["d"], returns: BOOL, invoke: (_s, [d]) => d === Infinity || d === -Infinity }),
      NaN: property(type, () => Number.NaN),
      PositiveInfinity: property(type, () => Infinity),
      NegativeInfinity: property(type, () => -Infinity),
      Epsilon: property(type, () => Number.MIN_VALUE),
    });
  }
  addMembers(traits.def.members, {
    ToString: method<number>({
      params: ["format", "provider"],
      min: 0,
      returns: STRING,
      invoke: (n, [format]) =>
        typeof format === "string"
          ? formatNumber(n, format, traits.integral)
          : traits.integral
            ? formatInteger(n)
            : csString(n),
    }),
    CompareTo: method<number>({ params: ["value"], returns: INT, invoke: (n, [o]) => Math.sign(n - (o as number)) }),
    Equals: method<number>({ params: ["obj"], returns: BOOL, invoke: (n, [o]) => n === o }),
  });
}
for (const traits of NUMBERS) numberStatics(traits);

// ---- bool ----

function parseBoolean(value: unknown): boolean {
  if (value === null) throw argumentNull("value");
  const lower = (value as string).trim().toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  throw formatError(`String '${value as string}' was not recognized as a valid Boolean.`);
}

addMembers(BOOL_DEF.statics, {
  Parse: method({ params: ["value"], returns: BOOL, invoke: (_s, [v]) => parseBoolean(v) }),
  TryParse: tryParseMethod({
    params: ["value", "result"],
    result: BOOL,
    fallback: false,
    parse: ([v]) => parseBoolean(v),
  }),
  TrueString: property(STRING, () => "True"),
  FalseString: property(STRING, () => "False"),
});
addMembers(BOOL_DEF.members, {
  ToString: method<boolean>({ params: ["provider"], min: 0, returns: STRING, invoke: (b) => (b ? "True" : "False") }),
  CompareTo: method<boolean>({ params: ["value"], returns: INT, invoke: (b, [o]) => Number(b) - Number(o) }),
});

// ---- Nullable<T> ----

addMembers(NULLABLE_DEF.members, {
  HasValue: property<unknown>(BOOL, (v) => v !== null),
  Value: property<unknown>(
    (t) => argOf(t, 0),
    (v) => {
      if (v === null) throw invalidOperation("Nullable object must have a value.");
      return v;
    },
  ),
  GetValueOrDefault: {
    ...method<unknown>({
      params: ["defaultValue"],
      min: 0,
      returns: (t) => argOf(t, 0),
      invoke: (v, [fallback]) => (v !== null ? v : (fallback ?? null)),
    }),
    specialize: (receiver) => {
      const zero = defaultOf(argOf(receiver, 0));
      return (v, [fallback]) => (v !== null ? v : fallback === undefined ? zero : fallback);
    },
  },
  ToString: method<unknown>({ returns: STRING, invoke: (v) => csString(v) }),
});

// ---- arrays and IEnumerable<T> ----

ARRAY_DEF.element = (type) => argOf(type, 0);
ENUMERABLE_DEF.element = (type) => argOf(type, 0);
ARRAY_DEF.indexer = {
  type: (t) => argOf(t, 0),
  get: (self, [index]) => {
    const items = self as ArrayLike<unknown>;
    const i = index as number;
    if (!Number.isInteger(i) || i < 0 || i >= items.length) throw indexOutOfRange();
    return items[i];
  },
  set: (self, [index], value) => {
    const items = self as unknown[];
    const i = index as number;
    if (!Number.isInteger(i) || i < 0 || i >= items.length) throw indexOutOfRange();
    items[i] = value;
  },
};
addMembers(ARRAY_DEF.members, {
  Length: property<ArrayLike<unknown>>(INT, (a) => a.length),
  Clone: method<unknown[]>({ returns: (t) => t, invoke: (a) => [...a] }),
});
const ARRAY_STATIC_DEF = libraryType("System.Array", { isStatic: true });
addMembers(ARRAY_STATIC_DEF.statics, {
  IndexOf: method({
    params: ["array", "value"],
    returns: INT,
    invoke: (_s, [array, value]) => {
      if (array === null) throw argumentNull("array");
      return (array as unknown[]).findIndex((item) => csEquals(item, value ?? null));
    },
  }),
  Empty: method({ typeArgs: [1], returns: (_r, _a, [t]) => arrayOf(t ?? STRING), invoke: () => [] }),
  Reverse: method({
    params: ["array"],
    returns: VOID,
    invoke: (_s, [array]) => {
      if (array === null) throw argumentNull("array");
      (array as unknown[]).reverse();
      return undefined;
    },
  }),
  Exists: method({
    params: ["array", "match"],
    lambda: (_r, index, before) => (index === 1 ? [argOf(before[0] ?? STRING_ARRAY, 0)] : undefined),
    returns: BOOL,
    invoke: (_s, [array, match], frame: Frame) => {
      if (array === null) throw nullReference();
      frame.charge((array as unknown[]).length);
      return (array as unknown[]).some((item) => (match as (x: unknown) => unknown)(item) === true);
    },
  }),
});

// KeyValuePair<K, V>
addMembers(KEY_VALUE_PAIR_DEF.members, {
  Key: property<{ key: unknown }>(
    (t) => argOf(t, 0),
    (p) => p.key,
  ),
  Value: property<{ value: unknown }>(
    (t) => argOf(t, 1),
    (p) => p.value,
  ),
});
