/**
 * The policies this version runs, by element name, and the API Management policies it knows but does not run yet
 * (a document using one is refused with a clear message rather than "unknown").
 */
import type { PolicyDefinition } from "./definition.js";
import { checkHeader } from "./policies/check-header.js";
import { forwardRequest } from "./policies/forward-request.js";
import { mockResponse } from "./policies/mock-response.js";
import { returnResponse } from "./policies/return-response.js";
import { rewriteUri } from "./policies/rewrite-uri.js";
import { setBackendService } from "./policies/set-backend-service.js";
import { setBody } from "./policies/set-body.js";
import { setHeader } from "./policies/set-header.js";
import { setQueryParameter } from "./policies/set-query-parameter.js";
import { setStatus } from "./policies/set-status.js";
import { validateAzureAdToken } from "./policies/validate-azure-ad-token.js";
import { validateJwt } from "./policies/validate-jwt.js";

export const POLICY_CATALOG: ReadonlyMap<string, PolicyDefinition> = new Map(
  [
    validateJwt,
    validateAzureAdToken,
    checkHeader,
    setHeader,
    setQueryParameter,
    rewriteUri,
    setBackendService,
    forwardRequest,
    returnResponse,
    mockResponse,
    setStatus,
    setBody,
  ].map((definition) => [definition.name, definition]),
);

const NOT_YET = new Set([
  "authentication-basic",
  "authentication-certificate",
  "authentication-managed-identity",
  "cache-lookup",
  "cache-lookup-value",
  "cache-remove-value",
  "cache-store",
  "cache-store-value",
  "choose",
  "cors",
  "cosmosdb-data-source",
  "emit-metric",
  "find-and-replace",
  "get-authorization-context",
  "http-data-source",
  "include-fragment",
  "invoke-dapr-binding",
  "ip-filter",
  "json-to-xml",
  "limit-concurrency",
  "log-to-eventhub",
  "proxy",
  "publish-to-dapr",
  "quota",
  "quota-by-key",
  "rate-limit",
  "rate-limit-by-key",
  "retry",
  "send-one-way-request",
  "send-request",
  "send-service-bus-message",
  "set-graphql-resolver",
  "set-method",
  "set-variable",
  "sql-data-source",
  "trace",
  "validate-client-certificate",
  "validate-content",
  "validate-graphql-request",
  "validate-headers",
  "validate-odata-request",
  "validate-parameters",
  "validate-status-code",
  "wait",
  "xml-to-json",
  "xsl-transform",
]);

const NOT_YET_PREFIXES = ["llm-", "azure-openai-"];

/** A real API Management policy that this version does not run. */
export function isUnsupportedPolicy(name: string): boolean {
  return NOT_YET.has(name) || NOT_YET_PREFIXES.some((prefix) => name.startsWith(prefix));
}
