/**
 * The gateway's answers to a refused application token (reference apim.md §5.2; API Management documents none, so
 * these follow its subscription-key refusals, §4.2, and RFC 6750's challenge):
 *
 * - no token where one is required: 401 "Access Denied", `WWW-Authenticate: Bearer realm="<api URL>"`;
 * - a token that is not valid for a product of this API (malformed, bad signature, other issuer, expired, another
 *   audience — the token of another product included): 401 "Access Denied", `…, error="invalid_token"`;
 * - a valid token whose application is not granted the product (no `Product.<name>.All` role, or an application the
 *   gateway does not know or that is not linked to the product): 403, `…, error="insufficient_scope"`.
 *
 * Bodies are APIM's envelope `{ "statusCode": …, "message": "…" }`; the detail (which check failed and why) goes to
 * LastError and the log only. LastError's source is `authorization`, as for refused subscription keys.
 */
import { PolicyFailure } from "../policy/definition.js";
import type { JwtFailureReason } from "../jwt/validation-error.js";

/** LastError.Reason: validate-jwt's for token checks, and two of the authoriser's own. */
export type AppTokenFailureReason =
  JwtFailureReason | "AccessTokenNotFound" | "ClientApplicationNotAllowed" | "ProductRoleNotFound";

/** Why a token was refused: the status and reason the client's answer is built from, and the detail for logs. */
export interface AppTokenRefusal {
  status: 401 | 403;
  reason: AppTokenFailureReason;
  /** For LastError.Message and logs; never sent to the client, never the token itself. */
  detail: string;
}

export const APP_TOKEN_MESSAGES = {
  missing:
    "Access denied due to missing access token. Make sure to include an access token when making requests to an API.",
  invalid: "Access denied due to invalid access token. Make sure to provide a valid token for a product of this API.",
  forbidden:
    "Access denied due to insufficient permissions. Make sure the application is granted access to a product of this API.",
} as const;

const SOURCE = "authorization";
const quoted = (value: string) => value.replace(/["\\]/g, "\\$&");

/** The refusal of a request that carries no token where the API's products require one. */
export function missingTokenFailure(realm: string): PolicyFailure {
  return new PolicyFailure(
    401,
    APP_TOKEN_MESSAGES.missing,
    SOURCE,
    "AccessTokenNotFound",
    "The request has no Authorization header with a Bearer token.",
    { "WWW-Authenticate": `Bearer realm="${quoted(realm)}"` },
    false,
    "Access Denied",
  );
}

/** The refusal of a token; `realm` is the API's URL, `<scheme>://<host>/<api path>`, as for subscription keys. */
export function appTokenFailure(refusal: AppTokenRefusal, realm: string): PolicyFailure {
  const invalid = refusal.status === 401;
  return new PolicyFailure(
    refusal.status,
    invalid ? APP_TOKEN_MESSAGES.invalid : APP_TOKEN_MESSAGES.forbidden,
    SOURCE,
    refusal.reason,
    refusal.detail,
    {
      "WWW-Authenticate": `Bearer realm="${quoted(realm)}", error="${invalid ? "invalid_token" : "insufficient_scope"}"`,
    },
    false,
    invalid ? "Access Denied" : undefined,
  );
}
