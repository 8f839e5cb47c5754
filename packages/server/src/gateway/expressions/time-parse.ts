/**
 * Dates and times from text: DateTime.Parse's common forms (ISO 8601, US, RFC 1123) and ParseExact's custom and
 * standard formats, read as the clock time the text names and the zone it writes.
 */
import {
  MONTH_NAMES,
  ROUND_TRIP_OFFSET_FORMAT,
  STANDARD_DATE_FORMATS,
  formatPieces,
  type FormatPiece,
} from "./time-format.js";

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

export function utcMs(
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

export function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}
export const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

export const fractionMs = (digits: string | undefined): number =>
  digits ? Number(`0.${digits.slice(0, 7)}`) * 1000 : 0;

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
  if (m) return written(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), [m[5], m[6], m[7], m[8]]);
  m = US.exec(text);
  if (m) {
    let hour = Number(m[4] ?? 0);
    if (m[8]) {
      if (hour > 12) return undefined;
      hour = (hour % 12) + (m[8].toUpperCase() === "PM" ? 12 : 0);
    }
    return written(Number(m[3]), Number(m[1]), Number(m[2]), hour, [m[5], m[6], m[7], m[9]]);
  }
  m = RFC1123.exec(text);
  if (m) {
    const month = MONTHS.get((m[2] as string).toLowerCase());
    if (month === undefined) return undefined;
    return written(Number(m[3]), month, Number(m[1]), Number(m[4] ?? 0), [m[5], m[6], undefined, m[7]]);
  }
  return undefined;
}

/** The time the fields name; minute, second, fraction digits and zone as written, each optional. */
function written(
  year: number,
  month: number,
  day: number,
  hour: number,
  [minute, second, fraction, zone]: readonly (string | undefined)[],
): ParsedTime | undefined {
  const clock = utcMs(year, month, day, hour, Number(minute ?? 0), Number(second ?? 0), fractionMs(fraction));
  return clock === undefined ? undefined : { clock, zone: zoneMinutes(zone) };
}

/** DateTime.ParseExact: the custom (or standard) format's fields, exactly. */
export function parseExact(text: string, format: string, isOffset = false): ParsedTime | undefined {
  let pattern = format;
  if (pattern.length === 1) {
    pattern = STANDARD_DATE_FORMATS[pattern] ?? pattern;
    if ((format === "o" || format === "O") && isOffset) pattern = ROUND_TRIP_OFFSET_FORMAT;
  }
  let pieces: FormatPiece[];
  try {
    pieces = formatPieces(pattern);
  } catch {
    return undefined;
  }
  const fields: string[] = [];
  let regex = "";
  const field = (name: string, source: string) => {
    fields.push(name);
    regex += `(${source})`;
  };
  for (const piece of pieces) {
    if ("literal" in piece) {
      regex += escapeRegex(piece.literal);
      continue;
    }
    const { letter, run } = piece;
    const digits = run === 2 ? "\\d{2}" : "\\d{1,2}";
    switch (letter) {
      case "y":
        field("y", run <= 2 ? "\\d{2}" : `\\d{${run}}`);
        break;
      case "M":
        field(run >= 3 ? "MMM" : "M", run >= 3 ? "[A-Za-z]+" : digits);
        break;
      case "d":
        if (run >= 3) regex += "[A-Za-z]+";
        else field("d", digits);
        break;
      case "H":
      case "h":
      case "m":
      case "s":
        field(letter, digits);
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
        for (let k = 0; k < run; k++) field("z", "Z|[+-]\\d{2}:\\d{2}|");
        break;
      case "z":
        field("z", run >= 3 ? "[+-]\\d{2}:\\d{2}" : run === 2 ? "[+-]\\d{2}" : "[+-]\\d{1,2}");
        break;
      default:
        regex += escapeRegex(letter.repeat(run));
    }
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
