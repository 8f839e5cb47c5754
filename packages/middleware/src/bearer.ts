import { AuthError } from "./auth-error.js";

// RFC 6750 §2.1: b64token; a JWS compact serialisation is three base64url parts.
const CREDENTIALS = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The token of an `Authorization: Bearer …` header value. No header, another scheme or an empty `Bearer` mean no
 * token (a challenge without `error`, RFC 6750 §3.1); anything else that is not one b64token is malformed.
 */
export function bearerToken(authorization: string | undefined): string {
  const value = authorization?.trim() ?? "";
  const scheme = /^\S+/.exec(value)?.[0];
  if (scheme === undefined || scheme.toLowerCase() !== "bearer" || value.length === scheme.length) {
    throw new AuthError("missing_token", "No bearer token was sent.");
  }
  const token = CREDENTIALS.exec(value)?.[1];
  if (token === undefined) throw new AuthError("invalid_token", "The Authorization header is malformed.");
  return token;
}
