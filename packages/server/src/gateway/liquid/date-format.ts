/**
 * Liquid's `Date` filter in C# mode: the date formatted as .NET's DateTime.ToString(format, InvariantCulture) would
 * for a UTC DateTime, through the policy expressions' formatter, and dates read from text.
 */
import { ExpressionException } from "../expressions/runtime.js";
import { formatDateTime } from "../expressions/time-format.js";
import { LiquidRenderError } from "./errors.js";

/** `date` with a standard (`o`, `s`, `u`, `r`, `d`, `G` …) or custom (`yyyyMMddTHH:mm:ssZ`) format. */
export function formatDate(date: Date, format: string): string {
  try {
    return formatDateTime({ ms: date.getTime(), kind: 1 }, format);
  } catch (error) {
    // .NET refuses a format it cannot read with a FormatException: DotLiquid reports it as a Liquid error.
    if (error instanceof ExpressionException) throw new LiquidRenderError(`Liquid error: ${error.message}`);
    throw error;
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
