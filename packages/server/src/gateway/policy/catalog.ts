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
import { emitMetric } from "./policies/emit-metric.js";
import { sendOneWayRequest } from "./policies/send-one-way-request.js";
import { sendRequest } from "./policies/send-request.js";
import { trace } from "./policies/trace.js";
import { validateClientCertificate } from "./policies/validate-client-certificate.js";
import { cacheLookup } from "./policies/cache-lookup.js";
import { cacheLookupValue } from "./policies/cache-lookup-value.js";
import { cacheRemoveValue } from "./policies/cache-remove-value.js";
import { cacheStore } from "./policies/cache-store.js";
import { cacheStoreValue } from "./policies/cache-store-value.js";
import { quota } from "./policies/quota.js";
import { quotaByKey } from "./policies/quota-by-key.js";
import { rateLimit } from "./policies/rate-limit.js";
import { rateLimitByKey } from "./policies/rate-limit-by-key.js";
import { choose } from "./policies/choose.js";
import { cors } from "./policies/cors.js";
import { findAndReplace } from "./policies/find-and-replace.js";
import { ipFilter } from "./policies/ip-filter.js";
import { jsonToXmlPolicy } from "./policies/json-to-xml.js";
import { setMethod } from "./policies/set-method.js";
import { authenticationBasic } from "./policies/authentication-basic.js";
import { authenticationCertificate } from "./policies/authentication-certificate.js";
import { authenticationManagedIdentity } from "./policies/authentication-managed-identity.js";
import { setVariable } from "./policies/set-variable.js";
import { xmlToJsonPolicy } from "./policies/xml-to-json.js";

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
    sendRequest,
    sendOneWayRequest,
    trace,
    emitMetric,
    validateClientCertificate,
    rateLimit,
    rateLimitByKey,
    quota,
    quotaByKey,
    cacheLookup,
    cacheStore,
    cacheLookupValue,
    cacheStoreValue,
    cacheRemoveValue,
    choose,
    setVariable,
    setMethod,
    findAndReplace,
    cors,
    ipFilter,
    jsonToXmlPolicy,
    xmlToJsonPolicy,
    authenticationBasic,
    authenticationCertificate,
    authenticationManagedIdentity,
  ].map((definition) => [definition.name, definition]),
);

const NOT_YET = new Set([
  "cosmosdb-data-source",
  "get-authorization-context",
  "http-data-source",
  "include-fragment",
  "invoke-dapr-binding",
  "limit-concurrency",
  "log-to-eventhub",
  "proxy",
  "publish-to-dapr",
  "retry",
  "send-service-bus-message",
  "set-graphql-resolver",
  "sql-data-source",
  "validate-content",
  "validate-graphql-request",
  "validate-headers",
  "validate-odata-request",
  "validate-parameters",
  "validate-status-code",
  "wait",
  "xsl-transform",
]);

const NOT_YET_PREFIXES = ["llm-", "azure-openai-"];

/** A real API Management policy that this version does not run. */
export function isUnsupportedPolicy(name: string): boolean {
  return NOT_YET.has(name) || NOT_YET_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** The API Management policy names this version knows, run or not, for "did you mean" suggestions. */
export function knownPolicyNames(): string[] {
  return [...POLICY_CATALOG.keys(), ...NOT_YET];
}
