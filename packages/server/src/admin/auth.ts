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
 * route's access level must accept. Tokens of the management tenant carry either role. For `applications` routes of
 * another tenant, a token that tenant issued is accepted too, and only for `Gatehouse.ApplicationAdministrator`: the
 * role is then held inside the tenant it manages (the management API's service principal there), as Entra's
 * Application Administrator is — the gateway's managed identity holds it that way. Keys come from the current
 * snapshot on every request, so a rotation (or a reload) applies at once.
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
  /** The route's tenant when it is not the management tenant; an unknown one (answered later, after auth) is none. */
  const otherTenant = async (request: FastifyRequest): Promise<Tenant | undefined> => {
    const tenant = await tenantOf(request).catch(() => undefined);
    return tenant && tenant.id !== management.tenantId ? tenant : undefined;
  };

  const permits = async (
    request: FastifyRequest,
    payload: JWTPayload,
    access: AdminAccess,
    routeTenant: Tenant | undefined,
  ) => {
    const roles = Array.isArray(payload.roles) ? (payload.roles as unknown[]) : [];
    if (payload.iss !== issuers.v2(management.tenantId)) {
      // A token of the route's own tenant: only the application administrator role counts, never Gatehouse.Admin.
      return routeTenant !== undefined && roles.includes(MANAGEMENT.applicationAdministratorRole);
    }
    if (roles.includes(MANAGEMENT.adminRole)) return true;
    if (access !== "applications" || !roles.includes(MANAGEMENT.applicationAdministratorRole)) return false;
    return (await tenantOf(request)).id !== management.tenantId;
  };
  return async (request, access) => {
    const header = request.headers.authorization;
    const token = typeof header === "string" ? BEARER.exec(header.trim())?.[1] : undefined;
    if (!token) throw graphErrors.missingToken();
    const routeTenant = access === "applications" ? await otherTenant(request) : undefined;
    // Read per request: the issuers follow the listener's final URL (tests listen on port 0).
    const managementIssuer = issuers.v2(management.tenantId);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, resolverFor(runtime.snapshot().keyRing), {
        algorithms: ["RS256"],
        issuer: routeTenant ? [managementIssuer, issuers.v2(routeTenant.id)] : managementIssuer,
        audience: management.resourceAppId,
        requiredClaims: ["exp"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (error) {
      throw graphErrors.invalidToken(describeFailure(error));
    }
    if (!(await permits(request, payload, access, routeTenant))) throw graphErrors.insufficientPrivileges();
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
