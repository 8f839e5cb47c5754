/**
 * DateTime, DateTimeOffset and TimeSpan with .NET's invariant-culture formats and parsing. Times are milliseconds
 * since the Unix epoch (sub-millisecond ticks kept as fractions). The gateway's local time zone is UTC, as API
 * Management's is: `DateTime.Now` equals `DateTime.UtcNow` with Kind Local.
 */
import { jsonTextOf, tokenFrom, JValue } from "../json.js";
import { declareOperator, declareOrdered } from "../operators.js";
import { argumentOutOfRange, formatError, overflow } from "../runtime.js";
import {
  BOOL,
  DOUBLE,
  INT,
  LONG,
  STRING,
  addMembers,
  defineType,
  method,
  property,
  registerType,
  typeOf,
  type OutRef,
  type Type,
} from "../types.js";
import { CsValue, EnumValue, defineEnum } from "../values.js";

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;
/** 0001-01-01T00:00:00Z in Unix milliseconds: where .NET ticks start. */
const TICKS_EPOCH_MS = -62135596800000;
const MIN_MS = TICKS_EPOCH_MS;
const MAX_MS = 253402300800000 - 0.0001;

const DAY_OF_WEEK_DEF = defineEnum("DayOfWeek", "System.DayOfWeek", {
  Sunday: 0,
  Monday: 1,
  Tuesday: 2,
  Wednesday: 3,
  Thursday: 4,
  Friday: 5,
  Saturday: 6,
});
const DATE_TIME_KIND_DEF = defineEnum("DateTimeKind", "System.DateTimeKind", {
  Unspecified: 0,
  Utc: 1,
  Local: 2,
});
defineEnum("DateTimeStyles", "System.Globalization.DateTimeStyles", {
  None: 0,
  AllowLeadingWhite: 1,
  AllowTrailingWhite: 2,
  AllowInnerWhite: 4,
  AllowWhiteSpaces: 7,
  NoCurrentDateDefault: 8,
  AdjustToUniversal: 16,
  AssumeLocal: 32,
  AssumeUniversal: 64,
  RoundtripKind: 128,
});
defineEnum("NumberStyles", "System.Globalization.NumberStyles", {
  None: 0,
  AllowLeadingWhite: 1,
  AllowTrailingWhite: 2,
  AllowLeadingSign: 4,
  Integer: 7,
  AllowDecimalPoint: 32,
  AllowExponent: 128,
  Float: 167,
  AllowThousands: 512,
  Number: 111,
  HexNumber: 515,
  Any: 511,
});

export type Kind = 0 | 1 | 2;

const pad = (n: number, width: number) => String(Math.trunc(Math.abs(n))).padStart(width, "0");

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

function checkRange(ms: number): number {
  if (!(ms >= MIN_MS && ms <= MAX_MS)) {
    throw argumentOutOfRange("value", "The added or subtracted value results in an un-representable DateTime.");
  }
  return ms;
}

export class DateTimeValue extends CsValue {
  constructor(
    readonly ms: number,
    readonly kind: Kind,
  ) {
    super();
  }
  csType(): Type {
    return DATE_TIME;
  }
  private get date(): Date {
    return new Date(Math.floor(this.ms));
  }
  get year(): number {
    return this.date.getUTCFullYear();
  }
  get month(): number {
    return this.date.getUTCMonth() + 1;
  }
  get day(): number {
    return this.date.getUTCDate();
  }
  get hour(): number {
    return this.date.getUTCHours();
  }
  get minute(): number {
    return this.date.getUTCMinutes();
  }
  get second(): number {
    return this.date.getUTCSeconds();
  }
  get millisecond(): number {
    return this.date.getUTCMilliseconds();
  }
  /** The 100-ns ticks within the second (0…9 999 999). */
  get fractionTicks(): number {
    const withinSecond = this.ms - Math.floor(this.ms / MS_PER_SECOND) * MS_PER_SECOND;
    return Math.min(9_999_999, Math.round(withinSecond * 10_000));
  }
  get dayOfWeek(): number {
    return this.date.getUTCDay();
  }
  with(ms: number): DateTimeValue {
    return new DateTimeValue(checkRange(ms), this.kind);
  }
  override csToString(): string {
    return formatDateTime(this, "G", 0);
  }
  override csFormat(format: string): string {
    return formatDateTime(this, format, 0);
  }
  override csEquals(other: unknown): boolean {
    return other instanceof DateTimeValue && other.ms === this.ms;
  }
  override csKey(): unknown {
    return `\u0000DateTime:${this.ms}`;
  }
  csCompare(other: unknown): number {
    return Math.sign(this.ms - (other as DateTimeValue).ms);
  }
}

class TimeSpanValue extends CsValue {
  constructor(readonly ms: number) {
    super();
  }
  csType(): Type {
    return TIME_SPAN;
  }
  override csToString(): string {
    return formatTimeSpan(this.ms, "c");
  }
  override csFormat(format: string): string {
    return formatTimeSpan(this.ms, format);
  }
  override csEquals(other: unknown): boolean {
    return other instanceof TimeSpanValue && other.ms === this.ms;
  }
  override csKey(): unknown {
    return `\u0000TimeSpan:${this.ms}`;
  }
  csCompare(other: unknown): number {
    return Math.sign(this.ms - (other as TimeSpanValue).ms);
  }
}

class DateTimeOffsetValue extends CsValue {
  constructor(
    /** The instant, UTC. */
    readonly ms: number,
    readonly offsetMinutes: number,
  ) {
    super();
  }
  csType(): Type {
    return DATE_TIME_OFFSET;
  }
  /** The clock time at the offset, as an unspecified DateTime. */
  get clock(): DateTimeValue {
    return new DateTimeValue(this.ms + this.offsetMinutes * MS_PER_MINUTE, 0);
  }
  override csToString(): string {
    return (
      formatDateTime(this.clock, "G", this.offsetMinutes, true) +
      " " +
      formatDateTime(this.clock, "zzz", this.offsetMinutes, true)
    );
  }
  override csFormat(format: string): string {
    return formatDateTime(this.clock, format, this.offsetMinutes, true);
  }
  override csEquals(other: unknown): boolean {
    return other instanceof DateTimeOffsetValue && other.ms === this.ms;
  }
  override csKey(): unknown {
    return `\u0000DateTimeOffset:${this.ms}`;
  }
  csCompare(other: unknown): number {
    return Math.sign(this.ms - (other as DateTimeOffsetValue).ms);
  }
}

const DATE_TIME_DEF = registerType(
  defineType("DateTime", { clrName: "System.DateTime", valueType: true, test: (v) => v instanceof DateTimeValue }),
  "System.DateTime",
);
const TIME_SPAN_DEF = registerType(
  defineType("TimeSpan", { clrName: "System.TimeSpan", valueType: true, test: (v) => v instanceof TimeSpanValue }),
  "System.TimeSpan",
);
const DATE_TIME_OFFSET_DEF = registerType(
  defineType("DateTimeOffset", {
    clrName: "System.DateTimeOffset",
    valueType: true,
    test: (v) => v instanceof DateTimeOffsetValue,
  }),
  "System.DateTimeOffset",
);
export const DATE_TIME = typeOf(DATE_TIME_DEF);
export const TIME_SPAN = typeOf(TIME_SPAN_DEF);
const DATE_TIME_OFFSET = typeOf(DATE_TIME_OFFSET_DEF);
const MIN_VALUE = new DateTimeValue(MIN_MS, 0);
DATE_TIME_DEF.defaultValue = () => MIN_VALUE;
TIME_SPAN_DEF.defaultValue = () => new TimeSpanValue(0);
DATE_TIME_OFFSET_DEF.defaultValue = () => new DateTimeOffsetValue(MIN_MS, 0);
for (const def of [DATE_TIME_DEF, TIME_SPAN_DEF, DATE_TIME_OFFSET_DEF]) declareOrdered(def);

/** A JS Date (or ms) as a UTC DateTime. */
export const utcDateTime = (ms: number): DateTimeValue => new DateTimeValue(ms, 1);

// ---- formatting ----

const STANDARD_DATE_FORMATS: Readonly<Record<string, string>> = {
  d: "MM/dd/yyyy",
  D: "dddd, dd MMMM yyyy",
  f: "dddd, dd MMMM yyyy HH:mm",
  F: "dddd, dd MMMM yyyy HH:mm:ss",
  g: "MM/dd/yyyy HH:mm",
  G: "MM/dd/yyyy HH:mm:ss",
  m: "MMMM dd",
  M: "MMMM dd",
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
  t: "HH:mm",
  T: "HH:mm:ss",
  u: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
  U: "dddd, dd MMMM yyyy HH:mm:ss",
  y: "yyyy MMMM",
  Y: "yyyy MMMM",
};

const offsetText = (minutes: number, width: 1 | 2 | 3): string => {
  const sign = minutes < 0 ? "-" : "+";
  const hours = Math.trunc(Math.abs(minutes) / 60);
  const rest = Math.abs(minutes) % 60;
  if (width === 1) return `${sign}${hours}`;
  if (width === 2) return `${sign}${pad(hours, 2)}`;
  return `${sign}${pad(hours, 2)}:${pad(rest, 2)}`;
};

/** A DateTime with a standard or custom format, invariant culture; `offset` is a DateTimeOffset's, in minutes. */
function formatDateTime(value: DateTimeValue, format: string, offset: number, isOffset = false): string {
  let pattern = format === "" ? "G" : format;
  if (pattern.length === 1) {
    const standard = STANDARD_DATE_FORMATS[pattern];
    if (standard === undefined) throw formatError("Input string was not in a correct format.");
    if ((pattern === "o" || pattern === "O") && isOffset) pattern = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffzzz";
    else if (pattern === "r" || pattern === "R" || pattern === "u") {
      // These show UTC: a DateTimeOffset converts, a DateTime prints as it is.
      if (isOffset) value = new DateTimeValue(value.ms - offset * MS_PER_MINUTE, 1);
      pattern = standard;
    } else pattern = standard;
  }
  let out = "";
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i] as string;
    let run = 1;
    while (pattern[i + run] === c) run++;
    switch (c) {
      case "y":
        out += run === 2 ? pad(value.year % 100, 2) : run === 1 ? String(value.year % 100) : pad(value.year, run);
        break;
      case "M":
        out +=
          run >= 4
            ? MONTH_NAMES[value.month - 1]
            : run === 3
              ? (MONTH_NAMES[value.month - 1] as string).slice(0, 3)
              : pad(value.month, run);
        break;
      case "d":
        out +=
          run >= 4
            ? DAY_NAMES[value.dayOfWeek]
            : run === 3
              ? (DAY_NAMES[value.dayOfWeek] as string).slice(0, 3)
              : pad(value.day, run);
        break;
      case "H":
        out += pad(value.hour, Math.min(run, 2));
        break;
      case "h":
        out += pad(value.hour % 12 === 0 ? 12 : value.hour % 12, Math.min(run, 2));
        break;
      case "m":
        out += pad(value.minute, Math.min(run, 2));
        break;
      case "s":
        out += pad(value.second, Math.min(run, 2));
        break;
      case "f":
      case "F": {
        if (run > 7) throw formatError("Input string was not in a correct format.");
        let digits = pad(value.fractionTicks, 7).slice(0, run);
        if (c === "F") {
          digits = digits.replace(/0+$/, "");
          if (digits === "" && out.endsWith(".")) out = out.slice(0, -1);
        }
        out += digits;
        break;
      }
      case "t":
        out += (value.hour < 12 ? "AM" : "PM").slice(0, run === 1 ? 1 : 2);
        break;
      case "K":
        out += isOffset ? offsetText(offset, 3) : value.kind === 1 ? "Z" : value.kind === 2 ? "+00:00" : "";
        run = 1;
        break;
      case "z":
        out += offsetText(isOffset ? offset : 0, Math.min(run, 3) as 1 | 2 | 3);
        break;
      case "g":
        out += "A.D.";
        break;
      case "'":
      case '"': {
        const end = pattern.indexOf(c, i + 1);
        if (end < 0) throw formatError(`Cannot find a matching quote character for the character '${c}'.`);
        out += pattern.slice(i + 1, end);
        i = end + 1;
        continue;
      }
      case "\\":
        out += pattern[i + 1] ?? "";
        i += 2;
        continue;
      case "%":
        i += 1;
        continue;
      default:
        out += c.repeat(run);
    }
    i += run;
  }
  return out;
}

/** TimeSpan formats: `c` (default), `g`, `G`, and custom (`hh\:mm\:ss`, `%d`). */
function formatTimeSpan(ms: number, format: string): string {
  const negative = ms < 0;
  const total = Math.abs(ms);
  const days = Math.floor(total / MS_PER_DAY);
  const hours = Math.floor((total % MS_PER_DAY) / MS_PER_HOUR);
  const minutes = Math.floor((total % MS_PER_HOUR) / MS_PER_MINUTE);
  const seconds = Math.floor((total % MS_PER_MINUTE) / MS_PER_SECOND);
  const fraction = Math.min(9_999_999, Math.round((total % MS_PER_SECOND) * 10_000));
  const sign = negative ? "-" : "";
  switch (format) {
    case "":
    case "c":
    case "t":
    case "T":
      return `${sign}${days > 0 ? `${days}.` : ""}${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}${fraction > 0 ? `.${pad(fraction, 7)}` : ""}`;
    case "g":
      return `${sign}${days > 0 ? `${days}:` : ""}${hours}:${pad(minutes, 2)}:${pad(seconds, 2)}${fraction > 0 ? `.${pad(fraction, 7).replace(/0+$/, "")}` : ""}`;
    case "G":
      return `${sign}${days}:${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(fraction, 7)}`;
  }
  let out = "";
  for (let i = 0; i < format.length;) {
    const c = format[i] as string;
    let run = 1;
    while (format[i + run] === c) run++;
    switch (c) {
      case "d":
        out += pad(days, run);
        break;
      case "h":
        out += pad(hours, Math.min(run, 2));
        break;
      case "m":
        out += pad(minutes, Math.min(run, 2));
        break;
      case "s":
        out += pad(seconds, Math.min(run, 2));
        break;
      case "f":
        out += pad(fraction, 7).slice(0, run);
        break;
      case "F":
        out += pad(fraction, 7).slice(0, run).replace(/0+$/, "");
        break;
      case "'":
      case '"': {
        const end = format.indexOf(c, i + 1);
        if (end < 0) throw formatError("Input string was not in a correct format.");
        out += format.slice(i + 1, end);
        i = end + 1;
        continue;
      }
      case "\\":
        out += format[i + 1] ?? "";
        i += 2;
        continue;
      case "%":
        i += 1;
        continue;
      default:
        throw formatError("Input string was not in a correct format.");
    }
    i += run;
  }
  return out;
}

// ---- parsing ----

const MONTHS = new Map(
  MONTH_NAMES.flatMap((name, i) => [
    [name.toLowerCase(), i + 1],
    [name.slice(0, 3).toLowerCase(), i + 1],
  ]),
);

const ISO =
  /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$/i;
const US =
  /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(AM|PM)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$/i;
const RFC1123 =
  /^\s*(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(GMT|UTC|Z|[+-]\d{2}:?\d{2})?\s*$/i;

function utcMs(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  fraction = 0,
): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime() + fraction;
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}
const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

const fractionMs = (digits: string | undefined): number => (digits ? Number(`0.${digits.slice(0, 7)}`) * 1000 : 0);

/** Minutes east of UTC of a `Z`/`+01:00`/`GMT` zone, undefined without one. */
function zoneMinutes(zone: string | undefined): number | undefined {
  if (!zone) return undefined;
  if (/^(z|gmt|utc)$/i.test(zone)) return 0;
  const match = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone) as RegExpExecArray;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === "-" ? -minutes : minutes;
}

export interface ParsedTime {
  /** The clock time, as UTC milliseconds of the written fields. */
  clock: number;
  /** The written zone, in minutes east of UTC. */
  zone: number | undefined;
}

/** DateTime.Parse's common forms: ISO 8601, MM/dd/yyyy [HH:mm[:ss]] [AM|PM], RFC 1123. */
export function parseTime(text: string): ParsedTime | undefined {
  let m = ISO.exec(text);
  if (m) {
    const clock = utcMs(
      Number(m[1]),
      Number(m[2]),
      Number(m[3]),
      Number(m[4] ?? 0),
      Number(m[5] ?? 0),
      Number(m[6] ?? 0),
      fractionMs(m[7]),
    );
    return clock === undefined ? undefined : { clock, zone: zoneMinutes(m[8]) };
  }
  m = US.exec(text);
  if (m) {
    let hour = Number(m[4] ?? 0);
    if (m[8]) {
      if (hour > 12) return undefined;
      hour = (hour % 12) + (m[8].toUpperCase() === "PM" ? 12 : 0);
    }
    const clock = utcMs(
      Number(m[3]),
      Number(m[1]),
      Number(m[2]),
      hour,
      Number(m[5] ?? 0),
      Number(m[6] ?? 0),
      fractionMs(m[7]),
    );
    return clock === undefined ? undefined : { clock, zone: zoneMinutes(m[9]) };
  }
  m = RFC1123.exec(text);
  if (m) {
    const month = MONTHS.get((m[2] as string).toLowerCase());
    if (month === undefined) return undefined;
    const clock = utcMs(Number(m[3]), month, Number(m[1]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
    return clock === undefined ? undefined : { clock, zone: zoneMinutes(m[7]) };
  }
  return undefined;
}

/** DateTime.ParseExact: the custom (or standard) format's fields, exactly. */
function parseExact(text: string, format: string, isOffset = false): ParsedTime | undefined {
  let pattern = format;
  if (pattern.length === 1) {
    pattern = STANDARD_DATE_FORMATS[pattern] ?? pattern;
    if ((format === "o" || format === "O") && isOffset) pattern = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffzzz";
  }
  const fields: string[] = [];
  let regex = "";
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i] as string;
    let run = 1;
    while (pattern[i + run] === c) run++;
    const field = (name: string, source: string) => {
      fields.push(name);
      regex += `(${source})`;
    };
    switch (c) {
      case "y":
        field("y", run <= 2 ? "\\d{2}" : `\\d{${run}}`);
        break;
      case "M":
        field(run >= 3 ? "MMM" : "M", run >= 3 ? "[A-Za-z]+" : run === 2 ? "\\d{2}" : "\\d{1,2}");
        break;
      case "d":
        if (run >= 3) regex += "[A-Za-z]+";
        else field("d", run === 2 ? "\\d{2}" : "\\d{1,2}");
        break;
      case "H":
      case "h":
        field(c, run === 2 ? "\\d{2}" : "\\d{1,2}");
        break;
      case "m":
        field("m", run === 2 ? "\\d{2}" : "\\d{1,2}");
        break;
      case "s":
        field("s", run === 2 ? "\\d{2}" : "\\d{1,2}");
        break;
      case "f":
        field("f", `\\d{${run}}`);
        break;
      case "F":
        field("f", `\\d{0,${run}}`);
        break;
      case "t":
        field("t", run === 1 ? "[AaPp]" : "[AaPp][Mm]");
        break;
      case "K":
        field("z", "Z|[+-]\\d{2}:\\d{2}|");
        run = 1;
        break;
      case "z":
        field("z", run >= 3 ? "[+-]\\d{2}:\\d{2}" : run === 2 ? "[+-]\\d{2}" : "[+-]\\d{1,2}");
        break;
      case "'":
      case '"': {
        const end = pattern.indexOf(c, i + 1);
        if (end < 0) return undefined;
        regex += escapeRegex(pattern.slice(i + 1, end));
        i = end + 1;
        continue;
      }
      case "\\":
        regex += escapeRegex(pattern[i + 1] ?? "");
        i += 2;
        continue;
      case "%":
        i += 1;
        continue;
      default:
        regex += escapeRegex(c.repeat(run));
    }
    i += run;
  }
  const match = new RegExp(`^${regex}$`).exec(text);
  if (!match) return undefined;
  const values: Record<string, string> = {};
  fields.forEach((name, i) => {
    values[name] = match[i + 1] ?? "";
  });
  let year = values.y ? Number(values.y) : 1;
  if (values.y && values.y.length === 2) year += year < 50 ? 2000 : 1900;
  const month = values.MMM ? MONTHS.get(values.MMM.toLowerCase()) : values.M ? Number(values.M) : 1;
  if (month === undefined) return undefined;
  let hour = Number(values.H ?? values.h ?? 0);
  if (values.t) hour = (hour % 12) + (/^p/i.test(values.t) ? 12 : 0);
  const zoneText = values.z;
  const zone =
    zoneText === undefined || zoneText === ""
      ? undefined
      : zoneMinutes(zoneText.length === 3 ? `${zoneText}:00` : zoneText);
  const clock = utcMs(
    year,
    month,
    Number(values.d ?? 1),
    hour,
    Number(values.m ?? 0),
    Number(values.s ?? 0),
    fractionMs(values.f),
  );
  return clock === undefined ? undefined : { clock, zone };
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** A parsed time as DateTime: a written zone converts to local time (UTC here) with Kind Local, as .NET does. */
function toDateTime(parsed: ParsedTime, styles: unknown): DateTimeValue {
  const flags = styles instanceof EnumValue ? styles.value : 0;
  const toUniversal = (flags & (16 | 64)) !== 0;
  if (parsed.zone === undefined) return new DateTimeValue(parsed.clock, toUniversal ? 1 : 0);
  return new DateTimeValue(parsed.clock - parsed.zone * MS_PER_MINUTE, toUniversal || (flags & 128) !== 0 ? 1 : 2);
}

const notRecognized = (text: unknown) =>
  formatError(`String '${String(text)}' was not recognized as a valid DateTime.`);

function parseDateTime(text: unknown, styles?: unknown): DateTimeValue {
  if (typeof text !== "string") throw notRecognized(text);
  const parsed = parseTime(text);
  if (!parsed) throw notRecognized(text);
  return toDateTime(parsed, styles);
}

function parseDateTimeExact(text: unknown, formats: unknown, styles: unknown): DateTimeValue {
  if (typeof text !== "string") throw notRecognized(text);
  for (const format of Array.isArray(formats) ? formats : [formats]) {
    const parsed = parseExact(text, format as string);
    if (parsed) return toDateTime(parsed, styles);
  }
  throw notRecognized(text);
}

function parseOffset(text: unknown, exact?: unknown): DateTimeOffsetValue {
  if (typeof text !== "string") throw notRecognized(text);
  const parsed = exact === undefined ? parseTime(text) : parseExact(text, exact as string, true);
  if (!parsed) throw formatError(`String '${text}' was not recognized as a valid DateTimeOffset.`);
  const zone = parsed.zone ?? 0;
  return new DateTimeOffsetValue(parsed.clock - zone * MS_PER_MINUTE, zone);
}

const tryParse = <T>(parse: () => T, out: unknown, fallback: T): boolean => {
  try {
    (out as OutRef).set(parse());
    return true;
  } catch {
    (out as OutRef).set(fallback);
    return false;
  }
};

/** TimeSpan.Parse: [-][d.]hh:mm[:ss[.fffffff]] or a whole number of days. */
function parseTimeSpan(text: unknown): TimeSpanValue {
  const m =
    typeof text === "string"
      ? (/^\s*(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?\s*$/.exec(text) ??
        /^\s*(-)?(\d+):(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?\s*$/.exec(text))
      : null;
  if (!m) {
    if (typeof text === "string" && /^\s*-?\d+\s*$/.test(text)) return new TimeSpanValue(Number(text) * MS_PER_DAY);
    throw formatError("String was not recognized as a valid TimeSpan.");
  }
  const hours = Number(m[3]);
  const minutes = Number(m[4]);
  const seconds = Number(m[5] ?? 0);
  if (hours > 23 || minutes > 59 || seconds > 59)
    throw overflow(
      "The TimeSpan string could not be parsed because at least one of the numeric components is out of range or contains too many digits.",
    );
  const ms =
    Number(m[2] ?? 0) * MS_PER_DAY +
    hours * MS_PER_HOUR +
    minutes * MS_PER_MINUTE +
    seconds * MS_PER_SECOND +
    fractionMs(m[6]);
  return new TimeSpanValue(m[1] ? -ms : ms);
}

// ---- members ----

const span = (ms: number) => new TimeSpanValue(ms);
const spanMs = (value: unknown) => (value as TimeSpanValue).ms;
const DATE_TIME_KIND = typeOf(DATE_TIME_KIND_DEF);

/** Adds months as .NET does: the day clamps to the target month's length. */
function addMonths(value: DateTimeValue, months: number): DateTimeValue {
  const total = value.year * 12 + (value.month - 1) + Math.trunc(months);
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const day = Math.min(value.day, daysInMonth(year, month));
  const timeOfDay = value.ms - Math.floor(value.ms / MS_PER_DAY) * MS_PER_DAY;
  const dateMs = utcMs(year, month, day);
  if (dateMs === undefined || year < 1 || year > 9999) throw argumentOutOfRange("months");
  return value.with(dateMs + timeOfDay);
}

const adder = (unit: number) =>
  method<DateTimeValue>({
    params: ["value"],
    returns: DATE_TIME,
    invoke: (d, [n]) => d.with(d.ms + (n as number) * unit),
  });

addMembers(DATE_TIME_DEF.members, {
  Year: property<DateTimeValue>(INT, (d) => d.year),
  Month: property<DateTimeValue>(INT, (d) => d.month),
  Day: property<DateTimeValue>(INT, (d) => d.day),
  Hour: property<DateTimeValue>(INT, (d) => d.hour),
  Minute: property<DateTimeValue>(INT, (d) => d.minute),
  Second: property<DateTimeValue>(INT, (d) => d.second),
  Millisecond: property<DateTimeValue>(INT, (d) => d.millisecond),
  Ticks: property<DateTimeValue>(LONG, (d) => Math.round((d.ms - TICKS_EPOCH_MS) * 10_000)),
  DayOfWeek: property<DateTimeValue>(
    typeOf(DAY_OF_WEEK_DEF),
    (d) => new EnumValue(DAY_OF_WEEK_DEF, d.dayOfWeek, DAY_OF_WEEK_DEF.enumNames ?? new Map()),
  ),
  DayOfYear: property<DateTimeValue>(
    INT,
    (d) => Math.floor((Math.floor(d.ms / MS_PER_DAY) * MS_PER_DAY - (utcMs(d.year, 1, 1) as number)) / MS_PER_DAY) + 1,
  ),
  Date: property<DateTimeValue>(
    DATE_TIME,
    (d) => new DateTimeValue(Math.floor(d.ms / MS_PER_DAY) * MS_PER_DAY, d.kind),
  ),
  TimeOfDay: property<DateTimeValue>(TIME_SPAN, (d) => span(d.ms - Math.floor(d.ms / MS_PER_DAY) * MS_PER_DAY)),
  Kind: property<DateTimeValue>(
    DATE_TIME_KIND,
    (d) => new EnumValue(DATE_TIME_KIND_DEF, d.kind, DATE_TIME_KIND_DEF.enumNames ?? new Map()),
  ),
  Add: method<DateTimeValue>({ params: ["value"], returns: DATE_TIME, invoke: (d, [t]) => d.with(d.ms + spanMs(t)) }),
  AddDays: adder(MS_PER_DAY),
  AddHours: adder(MS_PER_HOUR),
  AddMinutes: adder(MS_PER_MINUTE),
  AddSeconds: adder(MS_PER_SECOND),
  AddMilliseconds: adder(1),
  AddTicks: adder(0.0001),
  AddMonths: method<DateTimeValue>({
    params: ["months"],
    returns: DATE_TIME,
    invoke: (d, [n]) => addMonths(d, n as number),
  }),
  AddYears: method<DateTimeValue>({
    params: ["value"],
    returns: DATE_TIME,
    invoke: (d, [n]) => addMonths(d, (n as number) * 12),
  }),
  Subtract: method<DateTimeValue>({
    params: ["value"],
    returns: (_t, [arg]) => (arg?.def === DATE_TIME_DEF ? TIME_SPAN : DATE_TIME),
    invoke: (d, [other]) => (other instanceof DateTimeValue ? span(d.ms - other.ms) : d.with(d.ms - spanMs(other))),
  }),
  ToString: method<DateTimeValue>({
    params: ["format", "provider"],
    min: 0,
    returns: STRING,
    invoke: (d, [format]) => formatDateTime(d, typeof format === "string" ? format : "G", 0),
  }),
  ToUniversalTime: method<DateTimeValue>({ returns: DATE_TIME, invoke: (d) => new DateTimeValue(d.ms, 1) }),
  ToLocalTime: method<DateTimeValue>({ returns: DATE_TIME, invoke: (d) => new DateTimeValue(d.ms, 2) }),
  ToShortDateString: method<DateTimeValue>({ returns: STRING, invoke: (d) => formatDateTime(d, "d", 0) }),
  ToLongDateString: method<DateTimeValue>({ returns: STRING, invoke: (d) => formatDateTime(d, "D", 0) }),
  ToShortTimeString: method<DateTimeValue>({ returns: STRING, invoke: (d) => formatDateTime(d, "t", 0) }),
  ToLongTimeString: method<DateTimeValue>({ returns: STRING, invoke: (d) => formatDateTime(d, "T", 0) }),
  CompareTo: method<DateTimeValue>({ params: ["value"], returns: INT, invoke: (d, [o]) => d.csCompare(o) }),
});

DATE_TIME_DEF.create = method({
  params: ["year", "month", "day", "hour", "minute", "second", "millisecond", "kind"],
  min: 1,
  returns: DATE_TIME,
  invoke: (_s, args) => {
    const kindArg = args.find((a) => a instanceof EnumValue) as EnumValue | undefined;
    const kind = (kindArg?.value ?? 0) as Kind;
    const numbers = args.filter((a): a is number => typeof a === "number");
    if (numbers.length === 1)
      return new DateTimeValue(checkRange((numbers[0] as number) / 10_000 + TICKS_EPOCH_MS), kind);
    const [year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0, millisecond = 0] = numbers;
    const ms = year >= 1 && year <= 9999 ? utcMs(year, month, day, hour, minute, second, millisecond) : undefined;
    if (ms === undefined)
      throw argumentOutOfRange("year", "Year, Month, and Day parameters describe an un-representable DateTime.");
    return new DateTimeValue(ms, kind);
  },
});

addMembers(DATE_TIME_DEF.statics, {
  UtcNow: property(DATE_TIME, () => new DateTimeValue(Date.now(), 1)),
  Now: property(DATE_TIME, () => new DateTimeValue(Date.now(), 2)),
  Today: property(DATE_TIME, () => new DateTimeValue(Math.floor(Date.now() / MS_PER_DAY) * MS_PER_DAY, 2)),
  MinValue: property(DATE_TIME, () => MIN_VALUE),
  MaxValue: property(DATE_TIME, () => new DateTimeValue(MAX_MS, 0)),
  UnixEpoch: property(DATE_TIME, () => new DateTimeValue(0, 1)),
  Parse: method({
    params: ["s", "provider", "styles"],
    min: 1,
    returns: DATE_TIME,
    invoke: (_s, [text, , styles]) => parseDateTime(text, styles),
  }),
  TryParse: method({
    params: ["s", "result"],
    min: 2,
    max: 4,
    out: (_t, index, count) => (index === count - 1 && index >= 1 ? DATE_TIME : undefined),
    returns: BOOL,
    invoke: (_s, args) =>
      tryParse(() => parseDateTime(args[0], args.length === 4 ? args[2] : undefined), args[args.length - 1], MIN_VALUE),
  }),
  ParseExact: method({
    params: ["s", "format", "provider", "style"],
    min: 3,
    returns: DATE_TIME,
    invoke: (_s, [text, format, , styles]) => parseDateTimeExact(text, format, styles),
  }),
  TryParseExact: method({
    params: ["s", "format", "provider", "style", "result"],
    out: (_t, index) => (index === 4 ? DATE_TIME : undefined),
    returns: BOOL,
    invoke: (_s, [text, format, , styles, out]) =>
      tryParse(() => parseDateTimeExact(text, format, styles), out, MIN_VALUE),
  }),
  SpecifyKind: method({
    params: ["value", "kind"],
    returns: DATE_TIME,
    invoke: (_s, [d, kind]) => new DateTimeValue((d as DateTimeValue).ms, (kind as EnumValue).value as Kind),
  }),
  DaysInMonth: method({
    params: ["year", "month"],
    returns: INT,
    invoke: (_s, [y, m]) => daysInMonth(y as number, m as number),
  }),
  IsLeapYear: method({ params: ["year"], returns: BOOL, invoke: (_s, [y]) => isLeap(y as number) }),
  Compare: method({ params: ["t1", "t2"], returns: INT, invoke: (_s, [a, b]) => (a as DateTimeValue).csCompare(b) }),
});

// TimeSpan
const spanPart = (unit: number, modulo: number) => (t: TimeSpanValue) => Math.trunc(t.ms / unit) % modulo;
addMembers(TIME_SPAN_DEF.members, {
  Days: property<TimeSpanValue>(INT, (t) => Math.trunc(t.ms / MS_PER_DAY)),
  Hours: property<TimeSpanValue>(INT, spanPart(MS_PER_HOUR, 24)),
  Minutes: property<TimeSpanValue>(INT, spanPart(MS_PER_MINUTE, 60)),
  Seconds: property<TimeSpanValue>(INT, spanPart(MS_PER_SECOND, 60)),
  Milliseconds: property<TimeSpanValue>(INT, spanPart(1, 1000)),
  Ticks: property<TimeSpanValue>(LONG, (t) => Math.round(t.ms * 10_000)),
  TotalDays: property<TimeSpanValue>(DOUBLE, (t) => t.ms / MS_PER_DAY),
  TotalHours: property<TimeSpanValue>(DOUBLE, (t) => t.ms / MS_PER_HOUR),
  TotalMinutes: property<TimeSpanValue>(DOUBLE, (t) => t.ms / MS_PER_MINUTE),
  TotalSeconds: property<TimeSpanValue>(DOUBLE, (t) => t.ms / MS_PER_SECOND),
  TotalMilliseconds: property<TimeSpanValue>(DOUBLE, (t) => t.ms),
  Add: method<TimeSpanValue>({ params: ["ts"], returns: TIME_SPAN, invoke: (t, [o]) => span(t.ms + spanMs(o)) }),
  Subtract: method<TimeSpanValue>({ params: ["ts"], returns: TIME_SPAN, invoke: (t, [o]) => span(t.ms - spanMs(o)) }),
  Negate: method<TimeSpanValue>({ returns: TIME_SPAN, invoke: (t) => span(-t.ms) }),
  Duration: method<TimeSpanValue>({ returns: TIME_SPAN, invoke: (t) => span(Math.abs(t.ms)) }),
  ToString: method<TimeSpanValue>({
    params: ["format", "provider"],
    min: 0,
    returns: STRING,
    invoke: (t, [format]) => formatTimeSpan(t.ms, typeof format === "string" ? format : "c"),
  }),
  CompareTo: method<TimeSpanValue>({ params: ["value"], returns: INT, invoke: (t, [o]) => t.csCompare(o) }),
});
const from = (unit: number) =>
  method({ params: ["value"], returns: TIME_SPAN, invoke: (_s, [n]) => span((n as number) * unit) });
addMembers(TIME_SPAN_DEF.statics, {
  FromDays: from(MS_PER_DAY),
  FromHours: from(MS_PER_HOUR),
  FromMinutes: from(MS_PER_MINUTE),
  FromSeconds: from(MS_PER_SECOND),
  FromMilliseconds: from(1),
  FromTicks: from(0.0001),
  Zero: property(TIME_SPAN, () => span(0)),
  MaxValue: property(TIME_SPAN, () => span(2 ** 63 / 10_000)),
  MinValue: property(TIME_SPAN, () => span(-(2 ** 63) / 10_000)),
  Parse: method({ params: ["s", "provider"], min: 1, returns: TIME_SPAN, invoke: (_s, [text]) => parseTimeSpan(text) }),
  TryParse: method({
    params: ["s", "result"],
    out: (_t, index) => (index === 1 ? TIME_SPAN : undefined),
    returns: BOOL,
    invoke: (_s, [text, out]) => tryParse(() => parseTimeSpan(text), out, span(0)),
  }),
});
TIME_SPAN_DEF.create = method({
  params: ["days", "hours", "minutes", "seconds", "milliseconds"],
  min: 1,
  returns: TIME_SPAN,
  invoke: (_s, args) => {
    const n = args.filter((a): a is number => typeof a === "number");
    if (n.length === 1) return span((n[0] as number) / 10_000);
    const [d, h, m, s, ms] = n.length === 3 ? [0, n[0], n[1], n[2], 0] : [n[0], n[1], n[2], n[3], n[4] ?? 0];
    return span(
      (d ?? 0) * MS_PER_DAY + (h ?? 0) * MS_PER_HOUR + (m ?? 0) * MS_PER_MINUTE + (s ?? 0) * MS_PER_SECOND + (ms ?? 0),
    );
  },
});

// DateTimeOffset
const offsetAdder = (unit: number) =>
  method<DateTimeOffsetValue>({
    params: ["value"],
    returns: DATE_TIME_OFFSET,
    invoke: (d, [n]) => new DateTimeOffsetValue(checkRange(d.ms + (n as number) * unit), d.offsetMinutes),
  });
addMembers(DATE_TIME_OFFSET_DEF.members, {
  UtcDateTime: property<DateTimeOffsetValue>(DATE_TIME, (d) => new DateTimeValue(d.ms, 1)),
  DateTime: property<DateTimeOffsetValue>(DATE_TIME, (d) => d.clock),
  LocalDateTime: property<DateTimeOffsetValue>(DATE_TIME, (d) => new DateTimeValue(d.ms, 2)),
  Offset: property<DateTimeOffsetValue>(TIME_SPAN, (d) => span(d.offsetMinutes * MS_PER_MINUTE)),
  Year: property<DateTimeOffsetValue>(INT, (d) => d.clock.year),
  Month: property<DateTimeOffsetValue>(INT, (d) => d.clock.month),
  Day: property<DateTimeOffsetValue>(INT, (d) => d.clock.day),
  Hour: property<DateTimeOffsetValue>(INT, (d) => d.clock.hour),
  Minute: property<DateTimeOffsetValue>(INT, (d) => d.clock.minute),
  Second: property<DateTimeOffsetValue>(INT, (d) => d.clock.second),
  Millisecond: property<DateTimeOffsetValue>(INT, (d) => d.clock.millisecond),
  Ticks: property<DateTimeOffsetValue>(LONG, (d) => Math.round((d.clock.ms - TICKS_EPOCH_MS) * 10_000)),
  AddDays: offsetAdder(MS_PER_DAY),
  AddHours: offsetAdder(MS_PER_HOUR),
  AddMinutes: offsetAdder(MS_PER_MINUTE),
  AddSeconds: offsetAdder(MS_PER_SECOND),
  AddMilliseconds: offsetAdder(1),
  Add: method<DateTimeOffsetValue>({
    params: ["timeSpan"],
    returns: DATE_TIME_OFFSET,
    invoke: (d, [t]) => new DateTimeOffsetValue(checkRange(d.ms + spanMs(t)), d.offsetMinutes),
  }),
  ToUnixTimeSeconds: method<DateTimeOffsetValue>({ returns: LONG, invoke: (d) => Math.floor(d.ms / MS_PER_SECOND) }),
  ToUnixTimeMilliseconds: method<DateTimeOffsetValue>({ returns: LONG, invoke: (d) => Math.floor(d.ms) }),
  ToUniversalTime: method<DateTimeOffsetValue>({
    returns: DATE_TIME_OFFSET,
    invoke: (d) => new DateTimeOffsetValue(d.ms, 0),
  }),
  ToString: method<DateTimeOffsetValue>({
    params: ["format", "provider"],
    min: 0,
    returns: STRING,
    invoke: (d, [format]) => (typeof format === "string" ? d.csFormat(format) : d.csToString()),
  }),
  CompareTo: method<DateTimeOffsetValue>({ params: ["other"], returns: INT, invoke: (d, [o]) => d.csCompare(o) }),
});
addMembers(DATE_TIME_OFFSET_DEF.statics, {
  UtcNow: property(DATE_TIME_OFFSET, () => new DateTimeOffsetValue(Date.now(), 0)),
  Now: property(DATE_TIME_OFFSET, () => new DateTimeOffsetValue(Date.now(), 0)),
  MinValue: property(DATE_TIME_OFFSET, () => new DateTimeOffsetValue(MIN_MS, 0)),
  MaxValue: property(DATE_TIME_OFFSET, () => new DateTimeOffsetValue(MAX_MS, 0)),
  UnixEpoch: property(DATE_TIME_OFFSET, () => new DateTimeOffsetValue(0, 0)),
  FromUnixTimeSeconds: method({
    params: ["seconds"],
    returns: DATE_TIME_OFFSET,
    invoke: (_s, [n]) => new DateTimeOffsetValue(checkRange((n as number) * MS_PER_SECOND), 0),
  }),
  FromUnixTimeMilliseconds: method({
    params: ["milliseconds"],
    returns: DATE_TIME_OFFSET,
    invoke: (_s, [n]) => new DateTimeOffsetValue(checkRange(n as number), 0),
  }),
  Parse: method({
    params: ["input", "formatProvider"],
    min: 1,
    returns: DATE_TIME_OFFSET,
    invoke: (_s, [text]) => parseOffset(text),
  }),
  ParseExact: method({
    params: ["input", "format", "formatProvider", "styles"],
    min: 3,
    returns: DATE_TIME_OFFSET,
    invoke: (_s, [text, format]) => parseOffset(text, format),
  }),
  TryParse: method({
    params: ["input", "result"],
    out: (_t, index) => (index === 1 ? DATE_TIME_OFFSET : undefined),
    returns: BOOL,
    invoke: (_s, [text, out]) => tryParse(() => parseOffset(text), out, new DateTimeOffsetValue(MIN_MS, 0)),
  }),
});
DATE_TIME_OFFSET_DEF.create = method({
  params: ["dateTime", "offset"],
  min: 1,
  returns: DATE_TIME_OFFSET,
  invoke: (_s, [dateTime, offset]) => {
    const d = dateTime as DateTimeValue;
    const minutes = offset === undefined ? 0 : spanMs(offset) / MS_PER_MINUTE;
    return new DateTimeOffsetValue(d.kind === 0 ? d.ms - minutes * MS_PER_MINUTE : d.ms, minutes);
  },
});

// Operators.
const dt = (a: unknown) => a as DateTimeValue;
const dto = (a: unknown) => a as DateTimeOffsetValue;
declareOperator({
  op: "-",
  left: DATE_TIME_DEF,
  right: DATE_TIME_DEF,
  result: TIME_SPAN,
  apply: (a, b) => span(dt(a).ms - dt(b).ms),
});
declareOperator({
  op: "+",
  left: DATE_TIME_DEF,
  right: TIME_SPAN_DEF,
  result: DATE_TIME,
  apply: (a, b) => dt(a).with(dt(a).ms + spanMs(b)),
});
declareOperator({
  op: "-",
  left: DATE_TIME_DEF,
  right: TIME_SPAN_DEF,
  result: DATE_TIME,
  apply: (a, b) => dt(a).with(dt(a).ms - spanMs(b)),
});
declareOperator({
  op: "+",
  left: TIME_SPAN_DEF,
  right: TIME_SPAN_DEF,
  result: TIME_SPAN,
  apply: (a, b) => span(spanMs(a) + spanMs(b)),
});
declareOperator({
  op: "-",
  left: TIME_SPAN_DEF,
  right: TIME_SPAN_DEF,
  result: TIME_SPAN,
  apply: (a, b) => span(spanMs(a) - spanMs(b)),
});
declareOperator({
  op: "unary-",
  left: TIME_SPAN_DEF,
  right: TIME_SPAN_DEF,
  result: TIME_SPAN,
  apply: (a) => span(-spanMs(a)),
});
declareOperator({
  op: "-",
  left: DATE_TIME_OFFSET_DEF,
  right: DATE_TIME_OFFSET_DEF,
  result: TIME_SPAN,
  apply: (a, b) => span(dto(a).ms - dto(b).ms),
});
declareOperator({
  op: "+",
  left: DATE_TIME_OFFSET_DEF,
  right: TIME_SPAN_DEF,
  result: DATE_TIME_OFFSET,
  apply: (a, b) => new DateTimeOffsetValue(checkRange(dto(a).ms + spanMs(b)), dto(a).offsetMinutes),
});
declareOperator({
  op: "-",
  left: DATE_TIME_OFFSET_DEF,
  right: TIME_SPAN_DEF,
  result: DATE_TIME_OFFSET,
  apply: (a, b) => new DateTimeOffsetValue(checkRange(dto(a).ms - spanMs(b)), dto(a).offsetMinutes),
});

// JSON: dates as Newtonsoft writes them (ISO 8601, trailing zeros of the fraction trimmed).
jsonTextOf((value) => {
  if (value instanceof DateTimeValue) return formatDateTime(value, "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFK", 0);
  if (value instanceof DateTimeOffsetValue) return value.csFormat("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFK");
  if (value instanceof TimeSpanValue) return value.csToString();
  return undefined;
});
tokenFrom((value) => {
  if (value instanceof DateTimeValue || value instanceof DateTimeOffsetValue) return new JValue("Date", value);
  if (value instanceof TimeSpanValue) return new JValue("TimeSpan", value);
  return undefined;
});

// CultureInfo: only the invariant culture exists; formats and parsing ignore the provider argument.
class CultureValue extends CsValue {
  constructor(readonly name: string) {
    super();
  }
  csType(): Type {
    return typeOf(CULTURE_INFO_DEF);
  }
  override csToString(): string {
    return this.name;
  }
}
const CULTURE_INFO_DEF = registerType(
  defineType("CultureInfo", { clrName: "System.Globalization.CultureInfo", test: (v) => v instanceof CultureValue }),
  "System.Globalization.CultureInfo",
);
const INVARIANT = new CultureValue("");
addMembers(CULTURE_INFO_DEF.statics, {
  InvariantCulture: property(typeOf(CULTURE_INFO_DEF), () => INVARIANT),
  CurrentCulture: property(typeOf(CULTURE_INFO_DEF), () => INVARIANT),
  CurrentUICulture: property(typeOf(CULTURE_INFO_DEF), () => INVARIANT),
});
CULTURE_INFO_DEF.members.set(
  "Name",
  property<CultureValue>(STRING, (c) => c.name),
);

/** Milliseconds since the request arrived, for context.Elapsed. */
export const elapsedSince = (startedAt: bigint): TimeSpanValue =>
  span(Number(process.hrtime.bigint() - startedAt) / 1e6);
