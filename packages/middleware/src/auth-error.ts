/** What went wrong, in the terms of RFC 6750 §3.1 where it applies. */
export type AuthErrorCode =
  /** No bearer token was sent (401, challenge without an `error` attribute). */
  | "missing_token"
  /** The token is malformed, not signed by the authority, expired, or not for this API (401). */
  | "invalid_token"
  /** The token is valid but lacks the role or scope the operation needs (403). */
  | "insufficient_scope"
  /** The authority's discovery document or keys could not be fetched, so no token can be checked (503). */
  | "authority_unavailable";

/** An RFC 9457 problem details body. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
}

/** What an HTTP framework sends for an {@link AuthError}. */
export interface AuthErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const STATUS: Record<AuthErrorCode, 401 | 403 | 503> = {
  missing_token: 401,
  invalid_token: 401,
  insufficient_scope: 403,
  authority_unavailable: 503,
};

// The same type URIs ASP.NET Core writes into its problem details.
const PROBLEM_TYPE: Record<401 | 403 | 503, { type: string; title: string }> = {
  401: { type: "https://tools.ietf.org/html/rfc9110#section-15.5.2", title: "Unauthorized" },
  403: { type: "https://tools.ietf.org/html/rfc9110#section-15.5.4", title: "Forbidden" },
  503: { type: "https://tools.ietf.org/html/rfc9110#section-15.6.4", title: "Service Unavailable" },
};

/** An auth-param value as a quoted-string of only the characters RFC 6750 §3 allows there (no quote, no backslash). */
const quoted = (value: string) => `"${value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "?")}"`;

/**
 * Why a request is refused. `message` is a short reason that is safe to send to the caller: it never contains the
 * token or a library's own wording; the underlying error, if any, is kept in `cause` for the server's logs.
 */
export class AuthError extends Error {
  override name = "AuthError";
  /** The HTTP status to answer with. */
  readonly status: 401 | 403 | 503;
  /** For `insufficient_scope`: the scopes any one of which would have been enough (the challenge's `scope`). */
  readonly requiredScopes: readonly string[];

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options: { requiredScopes?: readonly string[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = STATUS[code];
    this.requiredScopes = options.requiredScopes ?? [];
  }

  /**
   * The `WWW-Authenticate` challenge (RFC 6750 §3): plain `Bearer` when no token was sent, `error` and
   * `error_description` otherwise; none for `authority_unavailable`, which is not the caller's fault.
   */
  get wwwAuthenticate(): string | undefined {
    switch (this.code) {
      case "missing_token":
        return "Bearer";
      case "authority_unavailable":
        return undefined;
      default: {
        const scope = this.requiredScopes.length > 0 ? `, scope=${quoted(this.requiredScopes.join(" "))}` : "";
        return `Bearer error=${quoted(this.code)}, error_description=${quoted(this.message)}${scope}`;
      }
    }
  }

  /** The RFC 9457 body sent with the error. */
  toProblemDetails(): ProblemDetails {
    return { ...PROBLEM_TYPE[this.status], status: this.status, detail: this.message };
  }

  /** Status, headers and `application/problem+json` body, ready for any HTTP framework. */
  toResponse(): AuthErrorResponse {
    const challenge = this.wwwAuthenticate;
    return {
      status: this.status,
      headers: {
        "content-type": "application/problem+json",
        "cache-control": "no-store",
        ...(challenge ? { "www-authenticate": challenge } : {}),
      },
      body: JSON.stringify(this.toProblemDetails()),
    };
  }
}
