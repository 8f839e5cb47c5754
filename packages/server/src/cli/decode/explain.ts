/** Explaining a decoded token line by line: display values, times relative to now, meanings. */

import { CLAIMS, HEADER, NO_DESCRIPTION, XMS_PREFIX, type Doc } from "./claim-docs.js";

export interface ClaimLine {
  name: string;
  /** Display form of the value: single line, control characters escaped. */
  value: string;
  meaning: string;
}

const TIME_CLAIMS = new Set(["iat", "nbf", "exp", "auth_time"]);

export function explainClaims(claims: Record<string, unknown>, now: Date = new Date()): ClaimLine[] {
  return Object.entries(claims).map(([name, value]) => {
    const doc = CLAIMS.get(name) ?? (name.startsWith("xms_") ? XMS_PREFIX : undefined);
    let display = displayValue(value);
    let meaning = describe(doc, value, claims);
    if (TIME_CLAIMS.has(name)) {
      const time = displayTime(name, value, now);
      if (time === undefined) meaning += "; WARNING: not a NumericDate (seconds since 1970)";
      else display = time;
    }
    return { name: sanitize(name), value: display, meaning };
  });
}

export function explainHeader(header: Record<string, unknown>): ClaimLine[] {
  return Object.entries(header).map(([name, value]) => ({
    name: sanitize(name),
    value: displayValue(value),
    meaning: describe(HEADER.get(name), value, header),
  }));
}

function describe(doc: Doc | undefined, value: unknown, all: Record<string, unknown>): string {
  if (doc === undefined) return NO_DESCRIPTION;
  const detail = doc.detail?.(value, all);
  return detail === undefined ? doc.meaning : `${doc.meaning}; ${detail}`;
}

function displayValue(value: unknown): string {
  if (typeof value === "string") return value === "" ? '""' : sanitize(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return value.map((item) => (typeof item === "string" ? sanitize(item) : compactJson(item))).join(", ");
  }
  return compactJson(value);
}

function compactJson(value: unknown): string {
  // JSON.stringify returns undefined for undefined/functions, which cannot come out of JSON.parse but keep the type honest.
  return sanitize(JSON.stringify(value) ?? String(value));
}

// Claims are attacker-controlled: escape control, line-separator and bidi characters so a crafted token cannot
// move the cursor, inject ANSI sequences or visually reorder text in the terminal.
function sanitize(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    const unsafe =
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      code === 0x200e ||
      code === 0x200f ||
      code === 0x2028 ||
      code === 0x2029 ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069);
    out += unsafe ? `\\u${code.toString(16).padStart(4, "0")}` : ch;
  }
  return out;
}

// Date's range is ±8.64e15 ms; beyond it toISOString() throws.
const MAX_EPOCH_SECONDS = 8.64e12;

/** `1700000000 (2023-11-14T22:13:20Z, 3 minutes ago)`, plus a validity marker for exp/nbf. */
function displayTime(name: string, value: unknown, now: Date): string | undefined {
  if (typeof value !== "number" || !Number.isFinite(value) || Math.abs(value) > MAX_EPOCH_SECONDS) return undefined;
  const iso = new Date(value * 1000).toISOString().replace(".000Z", "Z");
  const delta = value - now.getTime() / 1000;
  let text = `${value} (${iso}, ${relative(delta)})`;
  // RFC 7519: a token is expired once now >= exp, and valid from nbf inclusive. No clock skew: this only displays.
  if (name === "exp" && delta <= 0) text += " EXPIRED";
  if (name === "nbf" && delta > 0) text += " not yet valid";
  return text;
}

const UNITS: [string, number][] = [
  ["year", 365 * 86_400],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
  ["second", 1],
];

function relative(deltaSeconds: number): string {
  if (Math.abs(deltaSeconds) < 1) return "now";
  const [unit, size] = UNITS.find(([, s]) => Math.abs(deltaSeconds) >= s) ?? ["second", 1];
  // Truncate rather than round: "in 59 minutes" for 59m59s reads like a clock and never overstates validity.
  const amount = plural(Math.trunc(Math.abs(deltaSeconds) / size), unit);
  return deltaSeconds > 0 ? `in ${amount}` : `${amount} ago`;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

/** `1 hour 30 minutes`; every non-zero unit from days down. */
export function duration(totalSeconds: number): string {
  if (totalSeconds === 0) return "0 seconds";
  const parts: string[] = [];
  let rest = totalSeconds;
  for (const [unit, size] of UNITS.slice(1)) {
    const count = Math.trunc(rest / size);
    if (count > 0) parts.push(plural(count, unit));
    rest -= count * size;
  }
  // Fractional NumericDates leave a sub-second remainder; show it rather than drop it.
  if (rest > 0) parts.push(`${Number(rest.toFixed(3))} seconds`);
  return parts.join(" ");
}
