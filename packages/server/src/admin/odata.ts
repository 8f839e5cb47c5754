import type { FastifyRequest } from "fastify";
import { graphErrors } from "./graph-errors.js";

/** The OData system query options the admin API understands; each operation lists the ones it supports. */
export type QueryOption = "$filter" | "$top" | "$select" | "$skiptoken";

export const GRAPH_METADATA = "https://graph.microsoft.com/v1.0/$metadata";
const MAX_PAGE = 999;

/** `…$metadata#applications/$entity`, with the selected properties as Graph writes them. */
export const entityContext = (set: string, select?: string[]) =>
  `${GRAPH_METADATA}#${set}${select ? `(${select.join(",")})` : ""}/$entity`;
export const collectionContext = (set: string, select?: string[]) =>
  `${GRAPH_METADATA}#${set}${select ? `(${select.join(",")})` : ""}`;

export type Query = Record<string, unknown>;

function option(query: Query, name: QueryOption): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw graphErrors.badRequest(`Query option '${name}' was specified more than once.`);
  return value;
}

/** Graph refuses system query options it does not know instead of silently ignoring them. */
export function assertSupportedOptions(query: Query, supported: readonly QueryOption[]): void {
  for (const name of Object.keys(query)) {
    if (name.startsWith("$") && !(supported as readonly string[]).includes(name)) {
      throw graphErrors.badRequest(`Unrecognized query argument specified: '${name}'.`);
    }
  }
}

export interface Equality {
  property: string;
  value: string;
}

const EQ = /^\s*([A-Za-z]\w*)\s+eq\s+'((?:[^']|'')*)'\s*$/;

/** `$filter=<property> eq '<value>'` (OData quotes doubled), on one of the `filterable` properties. */
export function parseFilter(query: Query, filterable: readonly string[]): Equality | undefined {
  const raw = option(query, "$filter");
  if (raw === undefined) return undefined;
  const match = EQ.exec(raw);
  const property = filterable.find((p) => p.toLowerCase() === match?.[1]?.toLowerCase());
  if (!match || !property) {
    throw graphErrors.unsupportedQuery(
      `Unsupported query: only '<property> eq '<value>'' on ${filterable.join(" or ")} is supported.`,
    );
  }
  return { property, value: (match[2] ?? "").replaceAll("''", "'") };
}

export function parseSelect(query: Query, properties: readonly string[], type: string): string[] | undefined {
  const raw = option(query, "$select");
  if (raw === undefined) return undefined;
  const names = raw.split(",").map((s) => s.trim());
  return names.map((name) => {
    const property = properties.find((p) => p.toLowerCase() === name.toLowerCase());
    if (!property) throw graphErrors.badRequest(`Could not find a property named '${name}' on type '${type}'.`);
    return property;
  });
}

function parseTop(query: Query): number | undefined {
  const raw = option(query, "$top");
  if (raw === undefined) return undefined;
  const top = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(top >= 1 && top <= MAX_PAGE)) {
    throw graphErrors.badRequest(`Invalid page size specified: '${raw}'. Must be between 1 and ${MAX_PAGE} inclusive.`);
  }
  return top;
}

/** Our skip tokens are just offsets; they are opaque to clients, who follow `@odata.nextLink`. */
function parseSkipToken(query: Query): number {
  const raw = option(query, "$skiptoken");
  if (raw === undefined) return 0;
  if (!/^\d{1,9}$/.test(raw)) throw graphErrors.badRequest("The $skiptoken is invalid.");
  return Number(raw);
}

export function pick<T extends object>(item: T, properties: readonly string[] | undefined): Partial<T> {
  if (!properties) return item;
  return Object.fromEntries(Object.entries(item).filter(([k]) => properties.includes(k))) as Partial<T>;
}

/** A single Graph object: `@odata.context` first, then the (selected) properties. */
export function entity<T extends object>(set: string, item: T, select?: string[]) {
  return { "@odata.context": entityContext(set, select), ...pick(item, select) };
}

export interface CollectionOptions {
  /** The entity set as it appears in `@odata.context`, e.g. `applications` or `servicePrincipals('…')/appRoleAssignedTo`. */
  set: string;
  /** The Graph type named in `$select` errors, e.g. `microsoft.graph.application`. */
  type: string;
  /** What `$select` may name: the properties of the response schema. */
  properties: readonly string[];
  filterable?: readonly string[];
}

/** A Graph collection response: `$filter`, `$top`/`$skiptoken` paging with `@odata.nextLink`, and `$select`. */
export function collection<T extends object>(request: FastifyRequest, items: T[], options: CollectionOptions) {
  const query = request.query as Query;
  const filter = parseFilter(query, options.filterable ?? []);
  const select = parseSelect(query, options.properties, options.type);
  const top = parseTop(query);
  const skip = parseSkipToken(query);
  const matching = filter ? items.filter((item) => matches(item, filter)) : items;
  const page = matching.slice(skip, top === undefined ? undefined : skip + top);
  const next = top !== undefined && skip + top < matching.length ? nextLink(request, skip + top) : undefined;
  return {
    "@odata.context": collectionContext(options.set, select),
    ...(next ? { "@odata.nextLink": next } : {}),
    value: page.map((item) => pick(item, select)),
  };
}

/** Graph compares these string properties case-insensitively. */
function matches(item: object, filter: Equality): boolean {
  const value = (item as Record<string, unknown>)[filter.property];
  return typeof value === "string" && value.toLowerCase() === filter.value.toLowerCase();
}

function nextLink(request: FastifyRequest, offset: number): string {
  const url = new URL(request.url, `${request.protocol}://${request.host}`);
  url.searchParams.set("$skiptoken", String(offset));
  return url.toString();
}
