/**
 * .NET date formatting (invariant culture, UTC) for Liquid's `Date` filter in C# mode: standard formats (`o`, `s`,
 * `u`, `r`, `d`, `G` …) and custom ones (`yyyyMMddTHH:mm:ssZ`, `dd MMM yyyy`, quoted literals, `\` escapes).
 */

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
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

const STANDARD: Readonly<Record<string, string>> = {
  d: "MM/dd/yyyy",
  D: "dddd, dd MMMM yyyy",
  f: "dddd, dd MMMM yyyy HH:mm",
  F: "dddd, dd MMMM yyyy HH:mm:ss",
  g: "MM/dd/yyyy HH:mm",
  G: "MM/dd/yyyy HH:mm:ss",
  m: "MMMM dd",
  M: "MMMM dd",
  o: "yyyy-MM-ddTHH:mm:ss.fffffffK",
  O: "yyyy-MM-ddTHH:mm:ss.fffffffK",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  s: "yyyy-MM-ddTHH:mm:ss",
  t: "HH:mm",
  T: "HH:mm:ss",
  u: "yyyy-MM-dd HH:mm:ssZ",
  U: "dddd, dd MMMM yyyy HH:mm:ss",
  y: "yyyy MMMM",
  Y: "yyyy MMMM",
};

const pad = (value: number, width: number) => String(value).padStart(width, "0");

/** `date` formatted as .NET's DateTime.ToString(format, InvariantCulture) would, for a UTC DateTime. */
export function formatDate(date: Date, format: string): string {
  const pattern = format === "" ? "G" : format;
  return custom(date, pattern.length === 1 ? (STANDARD[pattern] ?? pattern) : pattern);
}

function custom(date: Date, format: string): string {
  let out = "";
  for (let i = 0; i < format.length;) {
    const c = format[i] as string;
    if (c === "'" || c === '"') {
      const end = format.indexOf(c, i + 1);
      const stop = end < 0 ? format.length : end;
      out += format.slice(i + 1, stop);
      i = stop + 1;
      continue;
    }
    if (c === "\\") {
      out += format[i + 1] ?? "";
      i += 2;
      continue;
    }
    let run = 1;
    while (format[i + run] === c) run++;
    out += field(date, c, run);
    i += run;
  }
  return out;
}

function field(date: Date, c: string, run: number): string {
  const hours = date.getUTCHours();
  switch (c) {
    case "y": {
      const year = date.getUTCFullYear();
      return run <= 2 ? pad(year % 100, run) : pad(year, run);
    }
    case "M": {
      const month = date.getUTCMonth();
      if (run >= 4) return MONTHS[month] as string;
      if (run === 3) return (MONTHS[month] as string).slice(0, 3);
      return pad(month + 1, run);
    }
    case "d": {
      if (run >= 4) return DAYS[date.getUTCDay()] as string;
      if (run === 3) return (DAYS[date.getUTCDay()] as string).slice(0, 3);
      return pad(date.getUTCDate(), run);
    }
    case "H":
      return pad(hours, Math.min(run, 2));
    case "h":
      return pad(hours % 12 || 12, Math.min(run, 2));
    case "m":
      return pad(date.getUTCMinutes(), Math.min(run, 2));
    case "s":
      return pad(date.getUTCSeconds(), Math.min(run, 2));
    case "f":
    case "F": {
      // JavaScript dates hold milliseconds: further digits are zeros.
      const digits = pad(date.getUTCMilliseconds(), 3).padEnd(7, "0").slice(0, Math.min(run, 7));
      return c === "F" ? digits.replace(/0+$/, "") : digits;
    }
    case "t":
      return (hours < 12 ? "AM" : "PM").slice(0, run === 1 ? 1 : 2);
    case "z":
      return run === 1 ? "+0" : run === 2 ? "+00" : "+00:00";
    case "K":
      return "Z".repeat(run);
    case "g":
      return "A.D.";
    default:
      return c.repeat(run);
  }
}

/** A date from text as DateTime.Parse reads common forms (ISO 8601, RFC 1123), in UTC; undefined otherwise. */
export function parseDate(text: string): Date | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  // Without a zone, .NET takes the time as local; the gateway's local time is UTC.
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(trimmed)
    ? `${trimmed}${trimmed.includes("T") ? "Z" : "T00:00:00Z"}`
    : trimmed;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : new Date(time);
}
