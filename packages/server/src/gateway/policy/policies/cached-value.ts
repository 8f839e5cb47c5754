/**
 * Values of cache-store-value and cache-lookup-value (reference apim.md §2.26) as bytes, so any gateway process can
 * read what another stored: strings, numbers and booleans keep their type; anything else is stored as its text.
 */
import { toPolicyString } from "../../expressions/index.js";

export function encodeValue(value: unknown): Buffer {
  const kept = typeof value === "string" || typeof value === "number" || typeof value === "boolean";
  return Buffer.from(JSON.stringify(kept ? value : value == null ? null : toPolicyString(value)));
}

export function decodeValue(stored: Buffer): unknown {
  return JSON.parse(stored.toString("utf8")) as unknown;
}

/** Value cache keys never meet response cache keys (JSON arrays). */
export const valueKey = (key: string): string => `value:${key}`;
