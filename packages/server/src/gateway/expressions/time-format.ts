/**
 * .NET's DateTime, DateTimeOffset and TimeSpan format strings with the invariant culture: the standard formats (`o`,
 * `s`, `u`, `r`, `d`, `G` …) and custom ones (`yyyy-MM-ddTHH:mm:ss`, quoted literals, `\` escapes, `%` before a lone
 * specifier). Policy expressions and Liquid's `Date` filter both format dates here.
 */
import { formatError } from "./runtime.js";

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** DateTimeKind: Unspecified, Utc, Local. */
export type Kind = 0 | 1 | 2;

/** What a date format reads: the clock time in Unix milliseconds (sub-millisecond ticks as fractions), and its kind. */
export interface ClockTime {
  readonly ms: number;
  readonly kind: Kind;
}

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
export const MONTH_NAMES = [
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

/** The standard date formats as the custom formats they stand for. */
export const STANDARD_DATE_FORMATS: Readonly<Record<string, string>> = {
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

/** `o` of a DateTimeOffset: its own offset instead of the kind. */
export const ROUND_TRIP_OFFSET_FORMAT = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffzzz";

const pad = (n: number, width: number) => String(Math.trunc(Math.abs(n))).padStart(width, "0");

/** A piece of a custom format: literal text, or a run of one pattern letter (`yyyy` is `y` four times). */
export type FormatPiece = { readonly literal: string } | { readonly letter: string; readonly run: number };

/** Splits a custom format into literals (quoted, `\`-escaped) and runs of pattern letters; `%` only separates. */
export function formatPieces(pattern: string): FormatPiece[] {
  const pieces: FormatPiece[] = [];
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i] as string;
    if (c === "'" || c === '"') {
      const end = pattern.indexOf(c, i + 1);
      if (end < 0) throw formatError(`Cannot find a matching quote character for the character '${c}'.`);
      pieces.push({ literal: pattern.slice(i + 1, end) });
      i = end + 1;
    } else if (c === "\\") {
      pieces.push({ literal: pattern[i + 1] ?? "" });
      i += 2;
    } else if (c === "%") {
      i += 1;
    } else {
      let run = 1;
      while (pattern[i + run] === c) run++;
      pieces.push({ letter: c, run });
      i += run;
    }
  }
  return pieces;
}

const offsetText = (minutes: number, width: number): string => {
  const sign = minutes < 0 ? "-" : "+";
  const hours = Math.trunc(Math.abs(minutes) / 60);
  if (width === 1) return `${sign}${hours}`;
  if (width === 2) return `${sign}${pad(hours, 2)}`;
  return `${sign}${pad(hours, 2)}:${pad(Math.abs(minutes) % 60, 2)}`;
};

/** What `K` shows of a DateTime, by kind. */
const KIND_SUFFIXES = ["", "Z", "+00:00"] as const;

/** A name (`MMMM`, `dddd`), its abbreviation (`MMM`, `ddd`), or the number padded to the run. */
const named = (names: readonly string[], index: number, number: number, run: number): string =>
  run >= 4 ? (names[index] as string) : run === 3 ? (names[index] as string).slice(0, 3) : pad(number, run);

/** A DateTime with a standard or custom format; `offset`, in minutes, is a DateTimeOffset's (absent for a DateTime). */
export function formatDateTime(time: ClockTime, format: string, offset?: number): string {
  let pattern = format === "" ? "G" : format;
  let clock = time;
  if (pattern.length === 1) {
    const standard = STANDARD_DATE_FORMATS[pattern];
    if (standard === undefined) throw formatError("Input string was not in a correct format.");
    if ((pattern === "o" || pattern === "O") && offset !== undefined) {
      pattern = ROUND_TRIP_OFFSET_FORMAT;
    } else {
      // r, R and u show UTC: a DateTimeOffset converts, a DateTime prints as it is.
      if ((pattern === "r" || pattern === "R" || pattern === "u") && offset !== undefined) {
        clock = { ms: time.ms - offset * MS_PER_MINUTE, kind: 1 };
      }
      pattern = standard;
    }
  }
  const date = new Date(Math.floor(clock.ms));
  const hour = date.getUTCHours();
  let out = "";
  for (const piece of formatPieces(pattern)) {
    if ("literal" in piece) {
      out += piece.literal;
      continue;
    }
    const { letter, run } = piece;
    switch (letter) {
      case "y": {
        const year = date.getUTCFullYear();
        out += run === 1 ? String(year % 100) : pad(run === 2 ? year % 100 : year, run);
        break;
      }
      case "M":
        out += named(MONTH_NAMES, date.getUTCMonth(), date.getUTCMonth() + 1, run);
        break;
      case "d":
        out += named(DAY_NAMES, date.getUTCDay(), date.getUTCDate(), run);
        break;
      case "H":
        out += pad(hour, Math.min(run, 2));
        break;
      case "h":
        out += pad(hour % 12 === 0 ? 12 : hour % 12, Math.min(run, 2));
        break;
      case "m":
        out += pad(date.getUTCMinutes(), Math.min(run, 2));
        break;
      case "s":
        out += pad(date.getUTCSeconds(), Math.min(run, 2));
        break;
      case "f":
      case "F": {
        if (run > 7) throw formatError("Input string was not in a correct format.");
        let digits = pad(fractionTicks(clock.ms), 7).slice(0, run);
        if (letter === "F") {
          digits = digits.replace(/0+$/, "");
          // With no digits, the point before them goes too.
          if (digits === "" && out.endsWith(".")) out = out.slice(0, -1);
        }
        out += digits;
        break;
      }
      case "t":
        out += (hour < 12 ? "AM" : "PM").slice(0, run === 1 ? 1 : 2);
        break;
      case "K":
        out += (offset !== undefined ? offsetText(offset, 3) : KIND_SUFFIXES[clock.kind]).repeat(run);
        break;
      case "z":
        out += offsetText(offset ?? 0, Math.min(run, 3));
        break;
      case "g":
        out += "A.D.";
        break;
      default:
        out += letter.repeat(run);
    }
  }
  return out;
}

/** The 100-ns ticks within the second (0…9 999 999). */
function fractionTicks(ms: number): number {
  const withinSecond = ms - Math.floor(ms / MS_PER_SECOND) * MS_PER_SECOND;
  return Math.min(9_999_999, Math.round(withinSecond * 10_000));
}

/** TimeSpan formats: `c` (the default), `g`, `G`, and custom ones (`hh\:mm\:ss`, `%d`). */
export function formatTimeSpan(ms: number, format: string): string {
  const total = Math.abs(ms);
  const days = Math.floor(total / MS_PER_DAY);
  const hours = Math.floor((total % MS_PER_DAY) / MS_PER_HOUR);
  const minutes = Math.floor((total % MS_PER_HOUR) / MS_PER_MINUTE);
  const seconds = Math.floor((total % MS_PER_MINUTE) / MS_PER_SECOND);
  const fraction = Math.min(9_999_999, Math.round((total % MS_PER_SECOND) * 10_000));
  const sign = ms < 0 ? "-" : "";
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
  for (const piece of formatPieces(format)) {
    if ("literal" in piece) {
      out += piece.literal;
      continue;
    }
    const { letter, run } = piece;
    switch (letter) {
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
      default:
        throw formatError("Input string was not in a correct format.");
    }
  }
  return out;
}
