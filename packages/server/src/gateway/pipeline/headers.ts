import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { ExpressionEvaluationError } from "../expressions/errors.js";

/**
 * Headers that may carry commas or dates, so several values go out as repeated lines rather than comma-joined
 * (reference apim.md §2.8).
 */
const REPEATED = new Set([
  "user-agent",
  "www-authenticate",
  "proxy-authenticate",
  "cookie",
  "set-cookie",
  "warning",
  "date",
  "expires",
  "if-modified-since",
  "if-unmodified-since",
  "last-modified",
  "retry-after",
]);

/** RFC 9110 §5.1: a field name is a token. */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/**
 * Why `value` cannot be sent as a header field value or reason phrase, or undefined. What node sends: no CR, LF, NUL
 * or other controls but tab; Latin-1 at most. A loop over char codes: every response header passes here.
 */
export function invalidFieldValue(value: string): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 0x20 && c <= 0x7e) || c === 0x09 || (c >= 0x80 && c <= 0xff)) continue;
    return `contains U+${c.toString(16).toUpperCase().padStart(4, "0")}, which HTTP does not allow`;
  }
  return undefined;
}

/**
 * A policy (or the values it reads: expressions, named values, claims) produced a header HTTP cannot carry. It fails
 * the policy, which runs on-error, instead of failing the response after the pipeline. The value is not quoted.
 */
export class InvalidHeaderError extends ExpressionEvaluationError {
  override name = "InvalidHeaderError";
}

function checkField(name: string, values: readonly string[]): void {
  if (!FIELD_NAME.test(name))
    throw new InvalidHeaderError(`'${JSON.stringify(name).slice(1, -1)}' is not a valid header name`);
  for (const value of values) {
    const problem = invalidFieldValue(value);
    if (problem !== undefined) throw new InvalidHeaderError(`The value of header '${name}' ${problem}`);
  }
}

interface Entry {
  name: string;
  values: string[];
}

/** A case-insensitive multi-valued header collection that keeps the spelling it was first given. */
export class HeaderMap {
  private readonly entries = new Map<string, Entry>();

  static fromIncoming(headers: IncomingHttpHeaders, rawHeaders?: readonly string[]): HeaderMap {
    const map = new HeaderMap();
    // Parsed by node or undici, which refuse what checkField would: not checked again.
    if (rawHeaders) {
      for (let i = 0; i + 1 < rawHeaders.length; i += 2) map.add(rawHeaders[i] as string, rawHeaders[i + 1] as string);
      return map;
    }
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      map.entries.set(name.toLowerCase(), { name, values: Array.isArray(value) ? [...value] : [value] });
    }
    return map;
  }

  /** All values, comma-joined, as `Headers.GetValueOrDefault` returns them; undefined when absent. */
  get(name: string): string | undefined {
    return this.entries.get(name.toLowerCase())?.values.join(",");
  }

  getAll(name: string): readonly string[] {
    return this.entries.get(name.toLowerCase())?.values ?? [];
  }

  has(name: string): boolean {
    return this.entries.has(name.toLowerCase());
  }

  /** Throws InvalidHeaderError for a name or value HTTP cannot carry, as `append` does. */
  set(name: string, values: readonly string[]): void {
    checkField(name, values);
    const key = name.toLowerCase();
    const existing = this.entries.get(key);
    this.entries.set(key, { name: existing?.name ?? name, values: [...values] });
  }

  append(name: string, value: string): void {
    checkField(name, [value]);
    this.add(name, value);
  }

  private add(name: string, value: string): void {
    const key = name.toLowerCase();
    const existing = this.entries.get(key);
    if (existing) existing.values.push(value);
    else this.entries.set(key, { name, values: [value] });
  }

  delete(name: string): boolean {
    return this.entries.delete(name.toLowerCase());
  }

  *[Symbol.iterator](): IterableIterator<[name: string, values: readonly string[]]> {
    for (const entry of this.entries.values()) yield [entry.name, entry.values];
  }

  clone(): HeaderMap {
    const copy = new HeaderMap();
    for (const [key, entry] of this.entries) copy.entries.set(key, { name: entry.name, values: [...entry.values] });
    return copy;
  }

  /** For node's `writeHead` and undici: repeated-line headers as arrays, the rest comma-joined. */
  toOutgoing(): OutgoingHttpHeaders {
    const out: OutgoingHttpHeaders = {};
    for (const [key, entry] of this.entries) {
      out[entry.name] = REPEATED.has(key) ? [...entry.values] : entry.values.join(",");
    }
    return out;
  }
}
