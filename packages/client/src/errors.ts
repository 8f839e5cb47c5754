/** Base class of every error this package throws. */
export class GatehouseClientError extends Error {
  override name = "GatehouseClientError";
}

/**
 * The options given to {@link ClientCredentials} are unusable: thrown by the constructor, or by `getToken` when the
 * `clientAssertion` function returns no assertion.
 */
export class ConfigurationError extends GatehouseClientError {
  override name = "ConfigurationError";
}

/**
 * The error fields Entra ID (and Gatehouse) put in the JSON body of a failed token or discovery request:
 * `{ error, error_description, error_codes, trace_id, correlation_id, timestamp }`.
 */
export interface EntraErrorFields {
  /** OAuth 2.0 error code, e.g. `invalid_client`. */
  readonly error: string | undefined;
  /** The first line of `error_description` (Entra repeats the ids and the timestamp on the following lines). */
  readonly errorDescription: string | undefined;
  /** `error_codes`, e.g. `[7000215]`; empty when the body had none. */
  readonly errorCodes: readonly number[];
  /** The AADSTS code, e.g. `AADSTS7000215`: from `error_codes`, else from the start of the description. */
  readonly aadsts: string | undefined;
  /** `correlation_id`: Entra echoes the `client-request-id` this package sends with every request. */
  readonly correlationId: string | undefined;
  readonly traceId: string | undefined;
  /** `timestamp` as sent, e.g. `2025-01-09 02:02:12Z`. */
  readonly timestamp: string | undefined;
}

export interface EndpointErrorDetails extends EntraErrorFields {
  /** HTTP status; undefined when the endpoint could not be reached at all. */
  readonly status: number | undefined;
  /** The URL that was requested. */
  readonly url: string;
  /** The wait the server asked for with `Retry-After` when it was longer than the retry policy allows. */
  readonly retryAfterMs: number | undefined;
}

/**
 * An identity endpoint answered with an error, with an unusable body, or not at all (after the retries). The
 * message and the fields never hold the client secret or the client assertion.
 */
export class EndpointError extends GatehouseClientError implements EndpointErrorDetails {
  override name = "EndpointError";
  readonly status: number | undefined;
  readonly url: string;
  readonly retryAfterMs: number | undefined;
  readonly error: string | undefined;
  readonly errorDescription: string | undefined;
  readonly errorCodes: readonly number[];
  readonly aadsts: string | undefined;
  readonly correlationId: string | undefined;
  readonly traceId: string | undefined;
  readonly timestamp: string | undefined;

  constructor(message: string, details: EndpointErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.status = details.status;
    this.url = details.url;
    this.retryAfterMs = details.retryAfterMs;
    this.error = details.error;
    this.errorDescription = details.errorDescription;
    this.errorCodes = details.errorCodes;
    this.aadsts = details.aadsts;
    this.correlationId = details.correlationId;
    this.traceId = details.traceId;
    this.timestamp = details.timestamp;
  }
}

/** The OpenID configuration document of the authority could not be fetched or names no usable token endpoint. */
export class DiscoveryError extends EndpointError {
  override name = "DiscoveryError";
}

/** The token endpoint refused the request (e.g. `invalid_client`, AADSTS7000215) or could not be reached. */
export class TokenRequestError extends EndpointError {
  override name = "TokenRequestError";
}

export const NO_ENTRA_FIELDS: EntraErrorFields = {
  error: undefined,
  errorDescription: undefined,
  errorCodes: [],
  aadsts: undefined,
  correlationId: undefined,
  traceId: undefined,
  timestamp: undefined,
};

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/** Reads Entra's error fields from a parsed JSON body; anything absent or mistyped is left undefined. */
export function entraErrorFields(body: unknown): EntraErrorFields {
  if (typeof body !== "object" || body === null) return NO_ENTRA_FIELDS;
  const fields = body as Record<string, unknown>;
  const description = text(fields.error_description)?.split(/\r?\n/)[0]?.trim();
  const errorCodes = Array.isArray(fields.error_codes) ? fields.error_codes.filter(Number.isInteger) : [];
  const code = errorCodes[0] as number | undefined;
  return {
    error: text(fields.error),
    errorDescription: description || undefined,
    errorCodes,
    aadsts: code !== undefined ? `AADSTS${code}` : /^AADSTS\d+/.exec(description ?? "")?.[0],
    correlationId: text(fields.correlation_id),
    traceId: text(fields.trace_id),
    timestamp: text(fields.timestamp),
  };
}

/**
 * A managed identity endpoint (App Service's `IDENTITY_ENDPOINT`) refused the request — a wrong header, an identity
 * not attached to the host, an unknown resource — or could not be reached. `message` holds the endpoint's own
 * message; neither it nor the fields ever hold the identity header.
 */
export class ManagedIdentityError extends EndpointError {
  override name = "ManagedIdentityError";
}

/** The message of a managed identity endpoint's error body: `message`, `error_description` or `error.message`. */
export function managedIdentityMessage(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const fields = body as { message?: unknown; error_description?: unknown; error?: unknown };
  const nested = typeof fields.error === "object" && fields.error !== null ? fields.error : undefined;
  return (
    text(fields.message) ??
    text(fields.error_description) ??
    text((nested as { message?: unknown } | undefined)?.message)
  );
}
