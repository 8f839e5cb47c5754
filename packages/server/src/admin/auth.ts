import type { FastifyRequest } from "fastify";
import { createLocalJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import type { Issuers } from "../identity/issuers.js";
import type { KeyRing } from "../identity/keys/key-ring.js";
import type { IdentityRuntime } from "../identity/runtime.js";
import type { Tenant } from "../identity/model.js";
import { MANAGEMENT, type Management } from "./management.js";
import { graphErrors } from "./graph-errors.js";

const BEARER = /^Bearer +(\S+)$/i;
/** Other Gatehouse nodes sign too; a little skew between their clocks must not lock an admin out. */
const CLOCK_TOLERANCE_SECONDS = 60;

export interface AdminAuthOptions {
  runtime: IdentityRuntime;
  issuers: Issuers;
  management: Management;
  /** The tenant a Graph route works in (tenant-scope.ts), for the application administrator's tenant check. */
  tenantOf(request: FastifyRequest): Promise<Tenant>;
}

/**
 * Who may call a family of routes. `admin`: the `Gatehouse.Admin` role only. `applications`: that role, or
 * `Gatehouse.ApplicationAdministrator` in a tenant other than the management tenant — as Entra's Application
 * Administrator manages app registrations, service principals and consent but neither tenants nor keys.
 */
export type AdminAccess = "admin" | "applications";

export type AdminAuthenticator = (request: FastifyRequest, access: AdminAccess) => Promise<JWTPayload>;

/**
 * Admin callers present a Gatehouse access token for the management API carrying one of its app roles, which the
 * route's access level must accept. Keys come from the current snapshot on every request, so a rotation (or a reload)
 * applies at once.
 */
export function adminAuthenticator({ runtime, issuers, management, tenantOf }: AdminAuthOptions): AdminAuthenticator {
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

  const permits = async (roles: unknown, access: AdminAccess, request: FastifyRequest): Promise<boolean> => {
    if (!Array.isArray(roles)) return false;
    if (roles.includes(MANAGEMENT.adminRole)) return true;
    if (access !== "applications" || !roles.includes(MANAGEMENT.applicationAdministratorRole)) return false;
    return (await tenantOf(request)).id !== management.tenantId;
  };

  return async (request, access) => {
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
    if (!(await permits(payload.roles, access, request))) throw graphErrors.insufficientPrivileges();
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
