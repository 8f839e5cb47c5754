/**
 * What the OpenAPI 3 and Swagger 2 writers share: where each operation goes (`paths`, or `x-ms-paths` for a template
 * whose query OpenAPI cannot say), its parameters by location, values typed again from API Management's text, and
 * the API's schemas merged into one map of named schemas with references rewritten for the dialect written.
 */
import { isLiteralKey } from "./document-refs.js";
import type { ExportableApi, ExportableOperation, ExportOptions } from "./exportable-api.js";
import { ExportError } from "./import-errors.js";
import { PATH_ITEM_METHODS } from "./http-methods.js";
import type { ImportedSchema, SchemaMap } from "./imported-api.js";
import type { ParameterContract } from "../../operations/types.js";
import { isObject, type JsonObject } from "./json-value.js";
import { SCHEMA_PATH, type SchemaDialect } from "./schema-collector.js";

export interface PlacedOperation {
  operation: ExportableOperation;
  /** `paths` or `x-ms-paths`. */
  section: "paths" | "x-ms-paths";
  key: string;
  /** Lower case, as a path item names it. */
  method: string;
  parameters: { path: ParameterContract[]; query: ParameterContract[]; header: ParameterContract[] };
}

const METHODS: ReadonlySet<string> = new Set(PATH_ITEM_METHODS);
const TEMPLATE_NAME = /\{([^{}*][^{}]*)\}/g;

/** Each operation's place and parameters; a path and method already taken moves the next one to `x-ms-paths`. */
function placeOperations(operations: readonly ExportableOperation[]): PlacedOperation[] {
  const taken = new Set<string>();
  return operations.map((operation) => {
    const method = operation.method.toLowerCase();
    if (!METHODS.has(method)) {
      throw new ExportError(
        `The operation '${operation.name}' has the method '${operation.method}', which an OpenAPI document cannot describe.`,
      );
    }
    const template = operation.urlTemplate;
    const at = template.indexOf("?");
    const path = at < 0 ? template : template.slice(0, at);
    const pairs =
      at < 0
        ? []
        : template
            .slice(at + 1)
            .split("&")
            .filter(Boolean);
    const declared = new Map((operation.templateParameters ?? []).map((p) => [p.name.toLowerCase(), p]));
    const templateParameter = (name: string): ParameterContract =>
      declared.get(name.toLowerCase()) ?? { name, type: "string", required: true, values: [] };
    // Named as the template names them, which is how a reader matches them up again.
    const pathParameters = [...path.matchAll(TEMPLATE_NAME)].map(([, name = ""]) => ({
      ...templateParameter(name),
      name,
      required: true,
    }));
    // `name={name}` pairs are required query parameters; any other pair only a path key with a query can say.
    const queryTemplate: ParameterContract[] = [];
    let plain = true;
    for (const pair of pairs) {
      const equals = pair.indexOf("=");
      const param = equals < 0 ? undefined : /^\{(.+)\}$/.exec(pair.slice(equals + 1))?.[1];
      if (param === undefined || param !== pair.slice(0, equals)) plain = false;
      // Named as the query names it: a reader maps the pair's name back to the template parameter.
      if (param !== undefined) {
        queryTemplate.push({ ...templateParameter(param), name: pair.slice(0, equals), required: true });
      }
    }
    const inPaths = plain && !taken.has(`${method} ${path}`);
    if (inPaths) taken.add(`${method} ${path}`);
    return {
      operation,
      section: inPaths ? "paths" : "x-ms-paths",
      key: inPaths ? path : template,
      method,
      parameters: {
        path: pathParameters,
        query: [...queryTemplate, ...(operation.request?.queryParameters ?? [])],
        header: operation.request?.headers ?? [],
      },
    };
  });
}

/** What both writers open a document with: the API's schemas for `dialect`, its key schemes, server URL and `info`. */
export function documentBasics(api: ExportableApi, options: ExportOptions, dialect: SchemaDialect) {
  return {
    schemas: mergedSchemas(options.schemas ?? [], dialect),
    keys: keySchemes(api),
    server: options.serverUrl ?? api.serviceUrl ?? undefined,
    info: { title: api.displayName, ...(api.description ? { description: api.description } : {}), version: "1.0" },
  };
}

/** `paths`, and `x-ms-paths` when an operation is placed there: each operation as `write` puts it in the dialect. */
export function pathSections(
  operations: readonly ExportableOperation[],
  write: (placed: PlacedOperation) => JsonObject,
): JsonObject {
  const sections: Record<PlacedOperation["section"], Map<string, JsonObject>> = {
    paths: new Map(),
    "x-ms-paths": new Map(),
  };
  for (const placed of placeOperations(operations)) {
    const items = sections[placed.section];
    const item = items.get(placed.key) ?? {};
    item[placed.method] = write(placed);
    items.set(placed.key, item);
  }
  return {
    paths: record(sections.paths),
    ...(sections["x-ms-paths"].size > 0 ? { "x-ms-paths": record(sections["x-ms-paths"]) } : {}),
  };
}

/** How an operation object opens in both dialects: its display name, description and name. */
export function operationNames(operation: ExportableOperation): JsonObject {
  return {
    summary: operation.displayName,
    ...(operation.description ? { description: operation.description } : {}),
    operationId: operation.name,
  };
}

/** The template, query and header parameters, in that order, as the dialect's `parameterObject` writes them. */
export function locatedParameters(
  parameters: PlacedOperation["parameters"],
  parameterObject: (parameter: ParameterContract, location: "path" | "query" | "header") => JsonObject,
): JsonObject[] {
  return [
    ...parameters.path.map((p) => parameterObject(p, "path")),
    ...parameters.query.map((p) => parameterObject(p, "query")),
    ...parameters.header.map((p) => parameterObject(p, "header")),
  ];
}

/** A value API Management keeps as text, as the parameter's type has it in a schema. */
export function typedValue(type: string, text: string): unknown {
  if ((type === "integer" || type === "number") && text.trim() !== "" && Number.isFinite(Number(text))) {
    return Number(text);
  }
  if (type === "boolean" && (text === "true" || text === "false")) return text === "true";
  return text;
}

/** `type`, `enum` and `default` of a parameter, as a schema (OpenAPI 3) or the parameter's own fields (Swagger). */
export function typeFields(parameter: ParameterContract): JsonObject {
  return {
    type: parameter.type,
    ...(parameter.values.length > 0 ? { enum: parameter.values.map((v) => typedValue(parameter.type, v)) } : {}),
    ...(parameter.defaultValue !== undefined ? { default: typedValue(parameter.type, parameter.defaultValue) } : {}),
  };
}

/** The reference a representation's type becomes, when the API's schemas hold that type. */
export function schemaReference(
  dialect: SchemaDialect,
  schemas: SchemaMap,
  typeName: string | undefined,
): JsonObject | undefined {
  if (typeName === undefined || !Object.hasOwn(schemas, typeName)) return undefined;
  const segment = typeName.replace(/~/g, "~0").replace(/\//g, "~1");
  return { $ref: `#/${[...SCHEMA_PATH[dialect], segment].join("/")}` };
}

/** Every named schema of the API's schemas (the first of a name wins), references rewritten for `dialect`. */
function mergedSchemas(schemas: readonly ImportedSchema[], dialect: SchemaDialect): SchemaMap {
  const entries: [string, unknown][] = [];
  const seen = new Set<string>();
  for (const schema of schemas) {
    const from: SchemaDialect = "components" in schema.document ? "openapi" : "swagger";
    const named = "components" in schema.document ? schema.document.components.schemas : schema.document.definitions;
    for (const [name, value] of Object.entries(named)) {
      if (seen.has(name)) continue;
      seen.add(name);
      entries.push([name, from === dialect ? value : rewriteRefs(value, prefix(from), prefix(dialect))]);
    }
  }
  return Object.fromEntries(entries);
}

const prefix = (dialect: SchemaDialect): string => `#/${SCHEMA_PATH[dialect].join("/")}/`;

/** A copy with `$ref`s into one dialect's named schemas pointing into the other's. */
function rewriteRefs(value: unknown, from: string, to: string): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, from, to));
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      key === "$ref" && typeof child === "string" && child.startsWith(from)
        ? to + child.slice(from.length)
        : isLiteralKey(key)
          ? child
          : rewriteRefs(child, from, to),
    ]),
  );
}

/** The subscription key schemes API Management's export declares for an API that requires a subscription. */
function keySchemes(api: ExportableApi): { schemes: JsonObject; security: JsonObject[] } | undefined {
  if (!api.subscriptionRequired) return undefined;
  const { header, query } = api.subscriptionKeyParameterNames;
  return {
    schemes: {
      apiKeyHeader: { type: "apiKey", name: header, in: "header" },
      apiKeyQuery: { type: "apiKey", name: query, in: "query" },
    },
    security: [{ apiKeyHeader: [] }, { apiKeyQuery: [] }],
  };
}

/** `{ name: value }` from data, safe for any name (`__proto__` included). */
export const record = (entries: Iterable<readonly [string, unknown]>): JsonObject => Object.fromEntries(entries);
