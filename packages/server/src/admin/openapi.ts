import { z } from "zod";
import type { AdminAccess } from "./auth.js";
import { templatesOf, type Dialect, type Operation, type ResponseSpec } from "./operations.js";
import type { QueryOption } from "./odata.js";
import { namedSchemas } from "./schemas.js";

/** Operations served under one or more path prefixes (OpenAPI-style, e.g. `/{tenantId}/v1.0`). */
export interface Mount {
  prefixes: readonly string[];
  operations: readonly Operation[];
  /** Tenant-scoped operations resolve `{tenantId}` (or the default tenant) before anything else. */
  scoped: boolean;
  /** Served without a token (health, this document). */
  public?: boolean;
  /** Which roles a token needs (auth.ts); default `admin`. */
  access?: AdminAccess;
  /** Graph or ARM: error bodies, JSON flavour, query and body conventions. */
  dialect: Dialect;
}

type JsonSchema = Record<string, unknown>;

const QUERY_PARAMETERS: Record<QueryOption, { description: string; schema: JsonSchema }> = {
  $filter: { description: "An equality: `<property> eq '<value>'`", schema: { type: "string" } },
  $top: {
    description: "Page size; more pages are linked by `@odata.nextLink`",
    schema: { type: "integer", minimum: 1, maximum: 999 },
  },
  $select: { description: "Comma-separated properties to return", schema: { type: "string" } },
  $skiptoken: { description: "Continuation from `@odata.nextLink`", schema: { type: "string" } },
};

const ODATA_CONTEXT = { "@odata.context": { type: "string" } };

/** Builds the OpenAPI 3.1 document from the operations and their zod schemas (JSON Schema 2020-12, as 3.1 uses). */
export function openApiDocument(mounts: readonly Mount[]) {
  const components: Record<string, JsonSchema> = {};
  const schemaRef = (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
    const { $schema: _metaSchema, ...json } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
    const name = namedSchemas.get(schema)?.name;
    if (!name) return json;
    components[name] ??= json;
    return { $ref: `#/components/schemas/${name}` };
  };
  const errorResponse = (dialect: Dialect) => ({
    description: dialect.errorDescription,
    content: { "application/json": { schema: schemaRef(dialect.errorSchema, "output") } },
  });

  const responseBody = (response: ResponseSpec): JsonSchema | undefined => {
    if (!response.schema) return undefined;
    const item = schemaRef(response.schema, "output");
    if (response.shape === "entity") return { allOf: [item, { type: "object", properties: ODATA_CONTEXT }] };
    if (response.shape === "collection") {
      return {
        type: "object",
        properties: { ...ODATA_CONTEXT, "@odata.nextLink": { type: "string" }, value: { type: "array", items: item } },
        required: ["value"],
      };
    }
    return item;
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const mount of mounts) {
    for (const prefix of mount.prefixes) {
      for (const op of mount.operations) {
        for (const template of templatesOf(op)) {
          const path = `${prefix}${template}`;
          const body = responseBody(op.response);
          (paths[path] ??= {})[op.method.toLowerCase()] = {
            tags: [op.tag],
            summary: op.summary,
            parameters: [
              ...[...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
                name,
                in: "path",
                required: true,
                schema: { type: "string" },
                ...(name === "tenantId" ? { description: "Tenant GUID or verified domain" } : {}),
              })),
              ...op.query.map((name) => ({ name, in: "query", required: false, ...QUERY_PARAMETERS[name] })),
              ...op.parameters.map((parameter) => ({ ...parameter, required: false })),
            ],
            ...(op.body
              ? {
                  requestBody: {
                    // Both dialects read a missing body as {}: it is optional when {} is a valid one.
                    required: !op.body.safeParse({}).success,
                    content: {
                      "application/json": { schema: schemaRef(op.body, "input") },
                      ...Object.fromEntries(op.textBodyTypes.map((type) => [type, { schema: { type: "string" } }])),
                    },
                  },
                }
              : {}),
            responses: {
              [op.response.status]: {
                description: op.response.description,
                ...(body ? { content: { "application/json": { schema: body } } } : {}),
              },
              default: errorResponse(mount.dialect),
            },
            ...(mount.public ? { security: [] } : {}),
          };
        }
      }
    }
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "Gatehouse admin API",
      version: "1.0",
      description:
        "Manages tenants, applications, service principals and consent in Microsoft Graph v1.0 shapes. `/v1.0/…` " +
        "works in the default tenant, `/{tenantId}/v1.0/…` in the named one. The gateway's APIs, products, " +
        "subscriptions, named values, backends and policies are managed in Azure API Management's ARM shapes, under " +
        "`/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ApiManagement/" +
        "service/{serviceName}/…` (any values) or the short `/gateway/…`. Callers need an access token for the " +
        "management API with the `Gatehouse.Admin` app role.",
    },
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "A Gatehouse access token for the management API (client credentials) with role Gatehouse.Admin.",
        },
      },
    },
    security: [{ bearer: [] }],
  };
}
