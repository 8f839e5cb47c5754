import { randomUUID } from "node:crypto";
import type { ErrorPage, ErrorResponse } from "../listener/client-errors.js";

/**
 * Entra ID (AADSTS) errors of the token and discovery endpoints. Each factory carries the status, OAuth error and
 * message text of the real service (shared/reference/entra.md §3.2); the response envelope is added by `errorBody`.
 */
export type OAuthError =
  | "invalid_request"
  | "invalid_client"
  | "unauthorized_client"
  | "invalid_grant"
  | "invalid_scope"
  | "invalid_resource"
  | "unsupported_grant_type"
  | "invalid_tenant"
  | "temporarily_unavailable"
  | "not_found";

export class AadstsError extends Error {
  override name = "AadstsError";
  constructor(
    readonly status: 400 | 401 | 404 | 405 | 408 | 413 | 415 | 417 | 429 | 431 | 503,
    readonly error: OAuthError,
    readonly code: number,
    readonly text: string,
  ) {
    super(`AADSTS${code}: ${text}`);
  }
}

/** A credential that matched nothing registered: what a guess looks like, so the failure throttle counts it. */
export class WrongCredentialError extends AadstsError {
  override name = "WrongCredentialError";
}

/** Too many wrong credentials from the caller's address: 429 with Retry-After (entra.md §3.1 on MSAL's throttling). */
export class ThrottledError extends AadstsError {
  override name = "ThrottledError";
  constructor(readonly retryAfterSeconds: number) {
    super(
      429,
      "temporarily_unavailable",
      50196,
      `The server terminated an operation because it encountered a client request loop: too many failed client credential attempts from this address. Retry after ${retryAfterSeconds} seconds.`,
    );
  }
}

const CERT_DOCS =
  "Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .";
const FEDERATION_DOCS = "https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
const CHECK_FEDERATED =
  "Check your federated identity credential Subject, Audience and Issuer against the presented assertion.";
/** Token-supplied text quoted in a message, cut short so a crafted assertion cannot flood a response or a log. */
const claimText = (value: unknown) => {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
};
const NOT_INSTALLED =
  "This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.";

/** Entra's refusal of a federated assertion whose issuer, audience or subject no credential names. */
const federatedMismatch =
  (claim: "issuer" | "audience" | "subject", code: number) =>
  (value: unknown): AadstsError =>
    new AadstsError(
      401,
      "invalid_client",
      code,
      `No matching federated identity record found for presented assertion ${claim} '${claimText(value)}'. ${CHECK_FEDERATED} ${FEDERATION_DOCS}`,
    );

export const aadsts = {
  missingParameter: (name: string) =>
    new AadstsError(
      400,
      "invalid_request",
      900144,
      `The request body must contain the following parameter: '${name}'.`,
    ),
  unsupportedGrantType: (grant: string) =>
    new AadstsError(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grant}'.`),
  resourceNotSupported: () =>
    new AadstsError(400, "invalid_request", 901002, "The 'resource' request parameter is not supported."),
  tenantNotFound: (tenant: string, error: "invalid_request" | "invalid_tenant") =>
    new AadstsError(
      400,
      error,
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    ),
  invalidTenantIdentifier: (tenant: string) =>
    new AadstsError(
      400,
      "invalid_request",
      900023,
      `Specified tenant identifier '${tenant}' is neither a valid DNS name, nor a valid external domain.`,
    ),
  tenantIndependentEndpoint: () =>
    new AadstsError(
      400,
      "invalid_request",
      9001023,
      "The grant type isn't supported over the /common, /consumers or /organizations endpoints. Please use the tenant-specific endpoint.",
    ),
  noCredential: () =>
    new AadstsError(
      401,
      "invalid_client",
      7000216,
      "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
    ),
  conflictingCredentials: (detail: string) =>
    new AadstsError(401, "invalid_client", 70002, `Error validating credentials. ${detail}`),
  invalidSecret: (appId: string) =>
    new WrongCredentialError(
      401,
      "invalid_client",
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${appId}'.`,
    ),
  expiredSecret: (appId: string) =>
    new AadstsError(
      401,
      "invalid_client",
      7000222,
      `The provided client secret keys for app '${appId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
    ),
  unknownClient: (clientId: string, tenant: string) =>
    new AadstsError(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. ${NOT_INSTALLED} You may have sent your authentication request to the wrong tenant.`,
    ),
  disabledApplication: (appId: string, displayName: string) =>
    new AadstsError(400, "unauthorized_client", 7000112, `Application '${appId}'(${displayName}) is disabled.`),
  unknownResource: (resource: string, tenant: string) =>
    new AadstsError(
      400,
      "invalid_resource",
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenant}. ${NOT_INSTALLED} You might have sent your authentication request to the wrong tenant.`,
    ),
  scopeWithoutDefault: (scope: string) =>
    new AadstsError(
      400,
      "invalid_scope",
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  multipleResources: (scope: string) =>
    new AadstsError(
      400,
      "invalid_scope",
      700022,
      `The provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`,
    ),
  roleAssignmentRequired: (client: { appId: string; name: string }, resource: { id: string; name: string }) =>
    new AadstsError(
      400,
      "invalid_grant",
      501051,
      `Application '${client.appId}'(${client.name}) is not assigned to a role for the application '${resource.id}'(${resource.name}).`,
    ),
  malformedAssertion: () => new AadstsError(400, "invalid_request", 50027, "JWT token is invalid or malformed."),
  unsupportedAssertionType: (type: string) =>
    new AadstsError(
      400,
      "invalid_request",
      50027,
      `JWT token is invalid or malformed. The client_assertion_type '${type}' is not supported; use urn:ietf:params:oauth:client-assertion-type:jwt-bearer.`,
    ),
  assertionKeyNotFound: (thumbprintHex: string, appId: string) =>
    new AadstsError(
      401,
      "invalid_client",
      700027,
      `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprintHex}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${appId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments if you need help.]`,
    ),
  assertionKeyExpired: (thumbprintHex: string) =>
    new AadstsError(
      401,
      "invalid_client",
      700027,
      `Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '${thumbprintHex}']`,
    ),
  assertionBadSignature: () =>
    new WrongCredentialError(
      401,
      "invalid_client",
      700027,
      "Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value.]",
    ),
  assertionSubjectMismatch: () =>
    new AadstsError(
      401,
      "invalid_client",
      700021,
      `Client assertion application identifier doesn't match 'client_id' parameter. ${CERT_DOCS}`,
    ),
  assertionAudience: (aud: string) =>
    new AadstsError(
      401,
      "invalid_client",
      700023,
      `Client assertion audience claim does not match Realm issuer. The audience '${aud}' is not this tenant's token endpoint. ${CERT_DOCS}`,
    ),
  /** `limit`: why an assertion whose window holds now is still refused (a lifetime beyond the cap). */
  assertionTimeRange: (now: number, nbf: number | undefined, exp: number | undefined, limit?: string) =>
    new AadstsError(
      401,
      "invalid_client",
      700024,
      `Client assertion is not within its valid time range. Current time: ${iso(now)}, assertion valid from ${nbf === undefined ? "(none)" : iso(nbf)}, expiry time of assertion ${exp === undefined ? "(none)" : iso(exp)}.${limit === undefined ? "" : ` ${limit}`} ${CERT_DOCS}`,
    ),
  assertionWithoutJti: () =>
    new AadstsError(
      400,
      "invalid_request",
      50027,
      "JWT token is invalid or malformed. A client assertion must carry a unique 'jti' claim (a GUID), new for every request.",
    ),
  /** Entra's InvalidAssertion code; the text names the cause, since each assertion may be used once. */
  assertionReplayed: () =>
    new AadstsError(
      401,
      "invalid_client",
      50013,
      `Assertion is invalid: this client assertion (its 'jti') was already used. Create a new assertion, with a new 'jti', for every token request. ${CERT_DOCS}`,
    ),
  /** A federated assertion for a client that has no federated identity credential at all. */
  noFederatedCredential: (issuer: unknown, subject: unknown, audience: unknown) =>
    new AadstsError(
      400,
      "invalid_request",
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${claimText(issuer)}'. Assertion Subject: '${claimText(subject)}'. Assertion Audience: '${claimText(audience)}'. ${FEDERATION_DOCS}`,
    ),
  federatedIssuerMismatch: federatedMismatch("issuer", 700211),
  federatedAudienceMismatch: federatedMismatch("audience", 700212),
  federatedSubjectMismatch: federatedMismatch("subject", 700213),
  /** Matching is case-sensitive; Entra says so when only the case differs. */
  federatedSubjectCase: (subject: string) =>
    new AadstsError(
      401,
      "invalid_client",
      7002138,
      `No matching federated identity record found for presented assertion subject '${claimText(subject)}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. ${CHECK_FEDERATED} See documentation at: ${FEDERATION_DOCS}.`,
    ),
  federatedKeyNotFound: (keyId: string, issuer: string) =>
    new AadstsError(
      401,
      "invalid_client",
      7000272,
      `The certificate with identifier ${claimText(keyId)} used to sign the federated credential could not be found in the metadata of identity provider ${claimText(issuer)}. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.`,
    ),
  federatedBadSignature: (issuer: string) =>
    new WrongCredentialError(
      401,
      "invalid_client",
      50013,
      `Assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Issuer: '${claimText(issuer)}']`,
    ),
  /** The issuer's discovery document or keys could not be had; the detail never holds a response body. */
  externalOidcFailed: (detail: string) =>
    new AadstsError(400, "invalid_request", 90061, `Request to External OIDC endpoint failed. ${detail}`),
  methodNotAllowed: (method: string) =>
    new AadstsError(
      405,
      "invalid_request",
      900561,
      `The endpoint only accepts POST, OPTIONS requests. Received a ${method} request.`,
    ),
  bodyTooLarge: () => new AadstsError(413, "invalid_request", 90056, "The request body is too large."),
  notFound: (path: string) =>
    new AadstsError(404, "not_found", 90100, `The request path '${path}' is not an endpoint of this identity service.`),
  badRequest: (detail: string) => new AadstsError(400, "invalid_request", 90100, detail),
  /** A request refused before it reached an endpoint (malformed, too slow, headers too large). */
  protocol: (status: 400 | 408 | 413 | 417 | 431, detail: string) =>
    new AadstsError(status, "invalid_request", 90100, detail),
  unavailable: () =>
    new AadstsError(503, "temporarily_unavailable", 90006, "The service is temporarily unavailable. Please retry."),
};

/** A claim's NumericDate as Entra writes it; one beyond what a Date can hold (1e308) as the number itself. */
const iso = (seconds: number) => {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString().replace(/\.\d{3}Z$/, "Z");
};

/** `YYYY-MM-DD HH:MM:SSZ`, as Entra writes its error timestamps. */
export const entraTimestamp = (date: Date): string =>
  date
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, "Z");

export interface ErrorBody {
  error: OAuthError;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

export function errorBody(err: AadstsError, traceId: string, correlationId: string, now = new Date()): ErrorBody {
  const timestamp = entraTimestamp(now);
  return {
    error: err.error,
    error_description: `${err.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [err.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${err.code}`,
  };
}

/** The whole error response: Entra's body and its no-cache and request-id fields. */
export function entraErrorResponse(err: AadstsError, traceId: string, correlationId: string): ErrorResponse {
  return {
    headers: {
      "cache-control": "no-store, no-cache",
      pragma: "no-cache",
      "x-ms-request-id": traceId,
      "client-request-id": correlationId,
      "content-type": "application/json; charset=utf-8",
      // Only a real throttle says when to retry: MSAL replays any error that carries Retry-After (entra.md §3.1).
      ...(err instanceof ThrottledError ? { "retry-after": String(err.retryAfterSeconds) } : {}),
    },
    body: JSON.stringify(errorBody(err, traceId, correlationId)),
  };
}

/** What node's parser refuses on the identity listener, as Entra's error. */
export const entraErrorPage: ErrorPage = (status, message) =>
  entraErrorResponse(aadsts.protocol(status, message), randomUUID(), randomUUID());
