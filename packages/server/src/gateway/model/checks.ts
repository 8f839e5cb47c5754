/**
 * The rules every entity's validation shares, with API Management's defaults and limits (apim.md §4, §6.2). Each
 * entity's own rules are in its folder (apis/validation.ts …); all are pure, so configuration as code compares a
 * file against the store with exactly what a write would store.
 */
import { GatewayValidationError, type GatewayEntityKind } from "./errors.js";

const NAME = /^(?!\.)[A-Za-z0-9._-]{1,80}$/;
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const QUERY_NAME = /^[A-Za-z0-9._~-]+$/;

export function invalid(target: string, message: string): GatewayValidationError {
  return new GatewayValidationError(`${target} ${message}`, [{ target, message: `${target} ${message}` }]);
}

/** Names are APIM resource ids; kept stricter than ARM's (≤256, not `*#&+:<>?`) so they are safe in URLs and keys. */
export function checkName(kind: GatewayEntityKind, name: string): void {
  if (!NAME.test(name)) {
    throw invalid(
      `${kind} name '${name}'`,
      "is invalid: use 1 to 80 letters, digits, '-', '_' or '.', not starting with '.'.",
    );
  }
}

export function text(target: string, value: string, max: number): string {
  if (value.trim() === "") throw invalid(target, "is required.");
  if (value.length > max) throw invalid(target, `must be at most ${max} characters long.`);
  return value;
}

export const optionalText = (value: string | null | undefined): string | null =>
  value === undefined || value === null || value === "" ? null : value;

export function httpUrl(target: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(target, `'${value}' is not an absolute URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw invalid(target, "must be an http or https URL.");
  if (value.length > 2000) throw invalid(target, "must be at most 2000 characters long.");
  return value;
}

export function oneOf<T extends string>(target: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) throw invalid(target, `must be one of ${allowed.join(", ")}.`);
  return value;
}

export function flag(target: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw invalid(target, "must be true or false.");
  return value;
}

/** Drops undefined members, so a patch only changes what it names (null still clears). */
export function defined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
