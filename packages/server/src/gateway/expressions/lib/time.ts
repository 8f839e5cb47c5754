/**
 * DateTime, DateTimeOffset and TimeSpan, formatted (time-format.ts) and parsed (time-parse.ts) as .NET's invariant
 * culture does. Times are milliseconds since the Unix epoch (sub-millisecond ticks kept as fractions). The gateway's
 * local time zone is UTC, as API Management's is: `DateTime.Now` equals `DateTime.UtcNow` with Kind Local.
 */
import { jsonTextOf, tokenFrom, JValue } from "../json.js";
import { declareOperator, declareOrdered } from "../operators.js";
import { argumentOutOfRange, formatError, overflow } from "../runtime.js";
import {
  MS_PER_DAY,
  MS_PER_HOUR,
  MS_PER_MINUTE,
  MS_PER_SECOND,
  formatDateTime,
  formatTimeSpan,
  type Kind,
} from "../time-format.js";
import { daysInMonth, fractionMs, isLeap, parseExact, parseTime, utcMs, type ParsedTime } from "../time-parse.js";
import { addMembers, libraryType, method, property, tryParseMethod } from "../members.js";
import { BOOL, DOUBLE, INT, LONG, STRING, typeOf, type Type } from "../types.js";
import { CsValue, EnumValue, defineEnum } from "../values.js";

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

function checkRange(ms: number): number {
  if (!(ms >= MIN_MS && ms <= MAX_MS)) {
    throw argumentOutOfRange("value", "The added or subtracted value results in an un-representable DateTime.");
  }
  return ms;
}

/** DateTime, TimeSpan and DateTimeOffset: equal, hashed and ordered by their milliseconds. */
abstract class TimeValue extends CsValue {
  constructor(readonly ms: number) {
    super();
  }
  override csEquals(other: unknown): boolean {
    return other instanceof TimeValue && other.constructor === this.constructor && other.ms === this.ms;
  }
  override csKey(): unknown {
    return `\u0000${this.csType().def.name}:${this.ms}`;
  }
  csCompare(other: unknown): number {
    return Math.sign(this.ms - (other as TimeValue).ms);
  }
}

export class DateTimeValue extends TimeValue {
  constructor(
    ms: number,
    readonly kind: Kind,
  ) {
    super(ms);
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
  get dayOfWeek(): number {
    return this.date.getUTCDay();
  }
  with(ms: number): DateTimeValue {
    return new DateTimeValue(checkRange(ms), this.kind);
  }
  override csToString(): string {
    return formatDateTime(this, "G");
  }
  override csFormat(format: string): string {
    return formatDateTime(this, format);
  }
}

class TimeSpanValue extends TimeValue {
  csType(): Type {
    return TIME_SPAN;
  }
  override csToString(): string {
    return formatTimeSpan(this.ms, "c");
  }
  override csFormat(format: string): string {
    return formatTimeSpan(this.ms, format);
  }
}

class DateTimeOffsetValue extends TimeValue {
  constructor(
    /** The instant, UTC. */
    ms: number,
    readonly offsetMinutes: number,
  ) {
    super(ms);
  }
  csType(): Type {
    return DATE_TIME_OFFSET;
  }
  /** The clock time at the offset, as an unspecified DateTime. */
  get clock(): DateTimeValue {
    return new DateTimeValue(this.ms + this.offsetMinutes * MS_PER_MINUTE, 0);
  }
  override csToString(): string {
    return `${this.csFormat("G")} ${this.csFormat("zzz")}`;
  }
  override csFormat(format: string): string {
    return formatDateTime(this.clock, format, this.offsetMinutes);
  }
}

const DATE_TIME_DEF = libraryType("System.DateTime", { valueType: true, test: (v) => v instanceof DateTimeValue });
const TIME_SPAN_DEF = libraryType("System.TimeSpan", { valueType: true, test: (v) => v instanceof TimeSpanValue });
const DATE_TIME_OFFSET_DEF = libraryType("System.DateTimeOffset", {
  valueType: true,
  test: (v) => v instanceof DateTimeOffsetValue,
});
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

// ---- parsing ----

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
    invoke: (d, [format]) => formatDateTime(d, typeof format === "string" ? format : "G"),
  }),
  ToUniversalTime: method<DateTimeValue>({ returns: DATE_TIME, invoke: (d) => new DateTimeValue(d.ms, 1) }),
  ToLocalTime: method<DateTimeValue>({ returns: DATE_TIME, invoke: (d) => new DateTimeValue(d.ms, 2) }),
  ToShortDateString: method<DateTimeValue>({ returns: STRING, invoke: (d) => formatDateTime(d, "d") }),
  ToLongDateString: method<DateTimeValue>({ returns: STRING, invoke: (d) => formatDateTime(d, "D") }),
  ToShortTimeString: method<DateTimeValue>({ returns: STRING, invoke: (d) => formatDateTime(d, "t") }),
  ToLongTimeString: method<DateTimeValue>({ returns: STRING, invoke: (d) => formatDateTime(d, "T") }),
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
  TryParse: tryParseMethod({
    params: ["s", "result"],
    min: 2,
    max: 4,
    result: DATE_TIME,
    fallback: MIN_VALUE,
    parse: (args) => parseDateTime(args[0], args.length === 4 ? args[2] : undefined),
  }),
  ParseExact: method({
    params: ["s", "format", "provider", "style"],
    min: 3,
    returns: DATE_TIME,
    invoke: (_s, [text, format, , styles]) => parseDateTimeExact(text, format, styles),
  }),
  TryParseExact: tryParseMethod({
    params: ["s", "format", "provider", "style", "result"],
    result: DATE_TIME,
    fallback: MIN_VALUE,
    parse: ([text, format, , styles]) => parseDateTimeExact(text, format, styles),
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
  TryParse: tryParseMethod({
    params: ["s", "result"],
    result: TIME_SPAN,
    fallback: span(0),
    parse: ([text]) => parseTimeSpan(text),
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
  TryParse: tryParseMethod({
    params: ["input", "result"],
    result: DATE_TIME_OFFSET,
    fallback: new DateTimeOffsetValue(MIN_MS, 0),
    parse: ([text]) => parseOffset(text),
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
  if (value instanceof DateTimeValue) return formatDateTime(value, "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFK");
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
const CULTURE_INFO_DEF = libraryType("System.Globalization.CultureInfo", { test: (v) => v instanceof CultureValue });
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
