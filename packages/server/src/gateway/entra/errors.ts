/**
 * What the gateway's Entra client throws. Messages name the operation and what the directory answered; they never
 * hold the identity header, an access token or a secret Graph returned.
 */
export class EntraDirectoryError extends Error {
  override name = "EntraDirectoryError";
}

/** The gateway's managed identity could not get a token for Graph (none yet, no role, identity service down …). */
export class EntraAuthenticationError extends EntraDirectoryError {
  override name = "EntraAuthenticationError";
}

/** Graph answered with an error: `{ "error": { "code", "message" } }`. */
export class GraphRequestError extends EntraDirectoryError {
  override name = "GraphRequestError";
  constructor(
    readonly status: number,
    /** Graph's error code, e.g. `Request_ResourceNotFound`, `Authorization_RequestDenied`. */
    readonly code: string,
    readonly graphMessage: string,
    /** `METHOD /path` of the request, below the Graph base URL. */
    readonly request: string,
  ) {
    super(`${request} answered ${status} ${code}: ${graphMessage}`);
  }
}

/** Graph could not be reached in time, or answered with something that is not a Graph response. */
export class GraphUnavailableError extends EntraDirectoryError {
  override name = "GraphUnavailableError";
}
