import type { FastifyRequest } from "fastify";
import { createLocalJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import type { Issuers } from "../identity/issuers.js";
import type { KeyRing } from "../identity/keys/key-ring.js";
import type { IdentityRuntime } from "../identity/runtime.js";
import { MANAGEMENT, type Management } from "./management.js";
import { graphErrors } from "./graph-errors.js";

const BEARER = /^Bearer +(\S+)$/i;
/** Other Gatehouse nodes sign too; a little skew between their clocks must not lock an admin out. */
const CLOCK_TOLERANCE_SECONDS = 60;

export interface AdminAuthOptions {
  runtime: IdentityRuntime;
  issuers: Issuers;
  management: Management;
}

export type AdminAuthenticator = (request: FastifyRequest) => Promise<JWTPayload>;

/**
 * Admin callers present a Gatehouse access token for the management API carrying the `Gatehouse.Admin` app role.
 * Keys come from the current snapshot on every request, so a rotation (or a reload) applies at once.
 */
export function adminAuthenticator({ runtime, issuers, management }: AdminAuthOptions): AdminAuthenticator {
  // One JWKS resolver per key ring version: the snapshot is immutable, so the imported keys can be reused.
  const resolvers = new WeakMap<KeyRing, ReturnType<typeof createLocalJWKSet>>();
  const resolverFor = (keyRing: KeyRing) => {
    let resolver = resolvers.get(keyRing);
    if (!resolver) {
      resolver = createLocalJWKSet(keyRing.jwks());
      resolvers.set(keyRing, resolver);
    }
    return resolver;
  };

  return async (request) => {
    const header = request.headers.authorization;
    const token = typeof header === "string" ? BEARER.exec(header.trim())?.[1] : undefined;
    if (!token) throw graphErrors.missingToken();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, resolverFor(runtime.snapshot().keyRing), {
        algorithms: ["RS256"],
        issuer: issuers.v2(management.tenantId),
        audience: management.resourceAppId,
        requiredClaims: ["exp"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (error) {
      throw graphErrors.invalidToken(describeFailure(error));
    }
    const roles = payload.roles;
    if (!Array.isArray(roles) || !roles.includes(MANAGEMENT.adminRole)) throw graphErrors.insufficientPrivileges();
    return payload;
  };
}

/** Graph's wording for the common failures; anything else stays generic (no library internals to the caller). */
function describeFailure(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "Lifetime validation failed, the token is expired.";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "aud") return "Access token validation failure. Invalid audience.";
    if (error.claim === "iss") return "Access token validation failure. Invalid issuer.";
    if (error.claim === "nbf") return "Lifetime validation failed, the token is not yet valid.";
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return "Access token validation failure. Invalid signature.";
  }
  return "Access token validation failure.";
}
