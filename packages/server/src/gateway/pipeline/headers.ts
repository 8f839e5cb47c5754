import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

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

interface Entry {
  name: string;
  values: string[];
}

/** A case-insensitive multi-valued header collection that keeps the spelling it was first given. */
export class HeaderMap {
  private readonly entries = new Map<string, Entry>();

  static fromIncoming(headers: IncomingHttpHeaders, rawHeaders?: readonly string[]): HeaderMap {
    const map = new HeaderMap();
    if (rawHeaders) {
      for (let i = 0; i + 1 < rawHeaders.length; i += 2)
        map.append(rawHeaders[i] as string, rawHeaders[i + 1] as string);
      return map;
    }
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      map.set(name, Array.isArray(value) ? value : [value]);
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

  set(name: string, values: readonly string[]): void {
    const key = name.toLowerCase();
    const existing = this.entries.get(key);
    this.entries.set(key, { name: existing?.name ?? name, values: [...values] });
  }

  append(name: string, value: string): void {
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
