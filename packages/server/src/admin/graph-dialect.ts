import { graphErrors, parseBody } from "./graph-errors.js";
import { assertSupportedOptions } from "./odata.js";
import type { Dialect } from "./operations.js";
import { graphErrorResponse } from "./schemas.js";

const GRAPH_JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/**
 * Microsoft Graph v1.0: OData JSON, unknown `$` options refused, `@odata.*` annotations ignored in bodies. Errors are
 * handled for the whole listener by routes.ts, so nothing is installed per context.
 */
export const graphDialect: Dialect = {
  contentType: GRAPH_JSON,
  checkQuery: (query, op) => assertSupportedOptions(query, op.query),
  parseBody: (schema, body) => parseBody(schema, withoutAnnotations(body ?? {})),
  methodNotAllowed: () => graphErrors.methodNotAllowed(),
  errorSchema: graphErrorResponse,
  errorDescription: "A Microsoft Graph error",
};

/** Graph SDKs add `@odata.type` and similar annotations to bodies; they carry nothing we store. */
function withoutAnnotations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutAnnotations);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith("@odata."))
      .map(([key, v]) => [key, withoutAnnotations(v)]),
  );
}
