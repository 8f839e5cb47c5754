/**
 * ARM conventions shared by every resource: where the service lives, the resource envelope, list pages with OData
 * `$filter`/`$top`/`$skip`, and ETags with `If-Match`.
 */
import { createHash } from "node:crypto";
import type { ParameterSpec, RequestContext } from "../operations.js";
import { armErrors } from "./errors.js";

/** Any subscription, resource group and service name are accepted, so ARM tooling only needs another host. */
export const ARM_PREFIX =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ApiManagement/service/{serviceName}";
export const SHORT_PREFIX = "/gateway";

/** API Management's paths, managed identities' and identity hosts' (routes are case-insensitive): they answer in ARM's shape, all others in Graph's. */
const ARM_PATH =
  /^\/(?:gateway|identity\/hosts|subscriptions\/[^/]+\/(?:resourcegroups\/[^/]+\/)?providers\/microsoft\.(?:apimanagement\/service\/[^/]+|managedidentity))(?:\/|$)/i;

export const isArmPath = (path: string): boolean => ARM_PATH.test(path);

/** The service's resource id as the request addressed it: the ARM form, or `/gateway`. */
export function serviceId(context: RequestContext): string {
  const { subscriptionId, resourceGroupName, serviceName } = context.request.params as Record<
    string,
    string | undefined
  >;
  if (subscriptionId === undefined || resourceGroupName === undefined || serviceName === undefined) return SHORT_PREFIX;
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.ApiManagement/service/${serviceName}`;
}

export interface ArmResource<P> {
  id: string;
  type: string;
  name: string;
  properties: P;
}

/** The `properties` of a resource schema's output. */
export type ArmProperties<R extends { properties: unknown }> = R["properties"];

/** `path` is below the service, e.g. `/apis/echo`; `type` below `Microsoft.ApiManagement/service/`, e.g. `apis`. */
export function armResource<P>(context: RequestContext, type: string, path: string, properties: P): ArmResource<P> {
  return {
    id: `${serviceId(context)}${path}`,
    type: `Microsoft.ApiManagement/service/${type}`,
    name: path.slice(path.lastIndexOf("/") + 1),
    properties,
  };
}

export const API_VERSION: ParameterSpec = {
  name: "api-version",
  in: "query",
  description: "Accepted and ignored (any value), so ARM clients can send theirs",
  schema: { type: "string" },
};
export const IF_MATCH: ParameterSpec = {
  name: "If-Match",
  in: "header",
  description: "`*` or the ETag of the current entity; a mismatch is 412 PreconditionFailed",
  schema: { type: "string" },
};
export const LIST_PARAMETERS: readonly ParameterSpec[] = [
  API_VERSION,
  {
    name: "$filter",
    in: "query",
    description:
      "`<field> eq|ne '<value>'`, `contains|startswith|endswith(<field>,'<value>')`, joined by `and`; " +
      "case-insensitive",
    schema: { type: "string" },
  },
  { name: "$top", in: "query", description: "Page size", schema: { type: "integer", minimum: 1 } },
  { name: "$skip", in: "query", description: "Items to skip", schema: { type: "integer", minimum: 0 } },
];

// ETags

/** A strong ETag of what a client sees of the entity (so equal entities have equal tags, on any node). */
export const etagOf = (properties: unknown): string =>
  `"${createHash("sha256").update(JSON.stringify(properties)).digest("base64url").slice(0, 22)}"`;

/**
 * `If-Match: *` always passes; a list of tags must contain the current one, and fails when there is no entity
 * (the client expected to change one that is gone).
 */
export function checkIfMatch(context: RequestContext, current: string | undefined): void {
  const header = context.request.headers["if-match"];
  if (header === undefined) return;
  const tags = header.split(",").map((tag) => tag.trim().replace(/^W\//, ""));
  if (tags.includes("*")) return;
  if (current === undefined || !tags.includes(current)) throw armErrors.preconditionFailed();
}

// Lists

interface Term {
  op: "eq" | "ne" | "contains" | "startswith" | "endswith";
  field: string;
  value: string;
}

const QUOTED = "'((?:[^']|'')*)'";
const TERM = new RegExp(
  `\\s*(?:([A-Za-z]+)\\s+(eq|ne)\\s+${QUOTED}|(contains|startswith|endswith)\\(\\s*([A-Za-z]+)\\s*,\\s*${QUOTED}\\s*\\))\\s*`,
  "iy",
);
const AND = /and\b/iy;

/** A small OData subset on string fields: comparisons and functions joined by `and`. */
function parseFilter(text: string, filterable: readonly string[]): Term[] {
  const invalid = () =>
    armErrors.validation(
      `Invalid filter clause: use <field> eq|ne '<value>' or contains|startswith|endswith(<field>,'<value>') ` +
        `joined by 'and', on ${filterable.join(", ")}.`,
      "$filter",
    );
  const terms: Term[] = [];
  let position = 0;
  for (;;) {
    TERM.lastIndex = position;
    const match = TERM.exec(text);
    if (!match) throw invalid();
    const [, compared, comparison, comparedValue, fn, fnField, fnValue] = match;
    const field = filterable.find((f) => f.toLowerCase() === (compared ?? fnField ?? "").toLowerCase());
    if (!field) throw invalid();
    const op = (comparison ?? fn ?? "").toLowerCase() as Term["op"];
    terms.push({ op, field, value: (comparedValue ?? fnValue ?? "").replaceAll("''", "'") });
    position = TERM.lastIndex;
    if (position === text.length) return terms;
    AND.lastIndex = position;
    if (!AND.test(text)) throw invalid();
    position = AND.lastIndex;
  }
}

/** A string field of a listed item, as `$filter` compares it; "" for anything else. */
export type FieldOf<T> = (item: T, field: string) => unknown;

const armFieldOf: FieldOf<ArmResource<object>> = (item, field) =>
  field === "name" ? item.name : (item.properties as Record<string, unknown>)[field];

function matches<T>(item: T, term: Term, fieldOf: FieldOf<T>): boolean {
  const value = fieldOf(item, term.field);
  const actual = typeof value === "string" ? value.toLowerCase() : "";
  const wanted = term.value.toLowerCase();
  switch (term.op) {
    case "eq":
      return actual === wanted;
    case "ne":
      return actual !== wanted;
    case "contains":
      return actual.includes(wanted);
    case "startswith":
      return actual.startsWith(wanted);
    case "endswith":
      return actual.endsWith(wanted);
  }
}

function integerOption(context: RequestContext, name: "$top" | "$skip", min: number): number | undefined {
  const raw = context.query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || !/^\d{1,9}$/.test(raw) || Number(raw) < min) {
    throw armErrors.validation(`Query option '${name}' must be an integer of at least ${min}.`, name);
  }
  return Number(raw);
}

export interface ArmPage<T> {
  value: T[];
  count: number;
  nextLink: string | null;
}

/** ARM's list page; `filterable` names the envelope's `name` or string properties. */
export function armPage<T extends ArmResource<object>>(
  context: RequestContext,
  items: readonly T[],
  filterable: readonly string[],
): ArmPage<T> {
  return listPage(context, items, filterable, armFieldOf);
}

/** A list page of any items (the developer API's are flat), `$filter` reading their fields with `fieldOf`. */
export function listPage<T>(
  context: RequestContext,
  items: readonly T[],
  filterable: readonly string[],
  fieldOf: FieldOf<T>,
): ArmPage<T> {
  const filter = context.query.$filter;
  if (filter !== undefined && typeof filter !== "string") {
    throw armErrors.validation("Query option '$filter' was given more than once.", "$filter");
  }
  const terms = filter === undefined ? [] : parseFilter(filter, filterable);
  const top = integerOption(context, "$top", 1);
  const skip = integerOption(context, "$skip", 0) ?? 0;
  const matching = items.filter((item) => terms.every((term) => matches(item, term, fieldOf)));
  const end = top === undefined ? matching.length : skip + top;
  return {
    value: matching.slice(skip, end),
    count: matching.length,
    nextLink: end < matching.length ? nextLink(context, end) : null,
  };
}

function nextLink(context: RequestContext, skip: number): string {
  const { request } = context;
  const url = new URL(request.url, `${request.protocol}://${request.host}`);
  url.searchParams.set("$skip", String(skip));
  return url.toString();
}
