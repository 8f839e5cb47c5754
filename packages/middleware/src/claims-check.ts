import type { JWTPayload } from "jose";
import { AuthError } from "./auth-error.js";
import type { AccessTokenClaims } from "./claims.js";

const invalid = (description: string) => new AuthError("invalid_token", description);

const optionalString = (payload: JWTPayload, name: string) => {
  const value = payload[name];
  if (value !== undefined && typeof value !== "string") throw invalid(`The ${name} claim is invalid.`);
};

/**
 * The signed payload as {@link AccessTokenClaims}, after checking the types of the claims this package reads (jose
 * has checked `exp`, `nbf`, `iat` and `aud`). `tid` is required, as Microsoft.IdentityModel's issuer validator
 * requires it (IDX40003).
 */
export function readClaims(payload: JWTPayload): AccessTokenClaims {
  if (typeof payload.iss !== "string") throw invalid("The issuer is invalid.");
  if (typeof payload.tid !== "string" || payload.tid === "") throw invalid("The token has no tenant id.");
  if (payload.ver !== "1.0" && payload.ver !== "2.0") throw invalid("The token version is not supported.");
  const roles = payload.roles;
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === "string"))) {
    throw invalid("The roles claim is invalid.");
  }
  for (const name of ["scp", "azp", "appid", "oid", "sub"]) optionalString(payload, name);
  return payload as AccessTokenClaims;
}

/**
 * Microsoft.Identity.Web fails authentication (401, IDW10201) for a token with neither `scp` nor `roles`: such a
 * token proves only that its caller exists in some tenant, not that anyone granted it access to this API.
 */
export function requireRolesOrScopes(claims: AccessTokenClaims): void {
  const hasRoles = (claims.roles?.length ?? 0) > 0;
  const hasScopes = (claims.scp?.trim() ?? "") !== "";
  if (!hasRoles && !hasScopes) throw invalid("Neither scope nor roles claim was found in the token.");
}

/** True for an issuer in the v2 form (`…/v2.0`), checked against the v2 document; any other against the v1 one. */
export const isV2Issuer = (issuer: string) => /\/v2\.0\/?$/i.test(issuer);

/**
 * Microsoft.IdentityModel's AadIssuerValidator: the token's `iss` must equal the issuer of the version's discovery
 * document, with its `{tenantid}` template (multi-tenant documents) replaced by the token's `tid`.
 */
export function requireIssuer(claims: AccessTokenClaims, documentIssuer: string): void {
  if (claims.iss !== documentIssuer.replaceAll("{tenantid}", claims.tid)) throw invalid("The issuer is invalid.");
}
