/**
 * Reading fields of a parsed document, each checked for its type: a wrong one is a parse error naming where it is
 * (`paths./pets.get.summary`), never a value silently taken for something else.
 */
import { DocumentParseError } from "./import-errors.js";

export type JsonObject = Record<string, unknown>;

/** `where.key`, or `key` at the document's root (where ""). */
const at = (where: string, key: string): string => (where === "" ? key : `${where}.${key}`);

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function asObject(value: unknown, where: string): JsonObject {
  if (!isObject(value)) throw new DocumentParseError(`'${where}' must be an object.`);
  return value;
}

export function optionalObject(parent: JsonObject, key: string, where: string): JsonObject | undefined {
  const value = parent[key];
  return value === undefined || value === null ? undefined : asObject(value, at(where, key));
}

export function optionalArray(parent: JsonObject, key: string, where: string): unknown[] {
  const value = parent[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new DocumentParseError(`'${at(where, key)}' must be an array.`);
  return value;
}

/** A string field; an empty one counts as absent, as API Management treats an empty summary or operationId. */
export function optionalString(parent: JsonObject, key: string, where: string): string | undefined {
  const value = parent[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new DocumentParseError(`'${at(where, key)}' must be a string.`);
  return value;
}

export function requiredString(parent: JsonObject, key: string, where: string): string {
  const value = optionalString(parent, key, where);
  if (value === undefined) throw new DocumentParseError(`'${at(where, key)}' is required.`);
  return value;
}

export function optionalBoolean(parent: JsonObject, key: string, where: string): boolean | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new DocumentParseError(`'${at(where, key)}' must be true or false.`);
  return value;
}

/** A scalar as API Management keeps default and enum values: text. */
export function asText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The object without its undefined fields, so that equal contracts compare equal however they were built. */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
