import { pooledRandomBytes } from "../../util/random-pool.js";
import type { AuthenticationMethod } from "./client-auth.js";

export type TokenVersion = "1.0" | "2.0";

export interface AppOnlyClaimsInput {
  version: TokenVersion;
  issuer: string;
  tenantId: string;
  /** v1: the resource as requested; v2: the resource's appId. */
  audience: string;
  clientAppId: string;
  clientServicePrincipalId: string;
  method: AuthenticationMethod;
  roles: string[];
  /** A managed identity's resource id (`xms_mirid`). */
  managedIdentityResourceId?: string;
  issuedAt: number;
  lifetimeSeconds: number;
}

/** Entra back-dates `iat`/`nbf` by five minutes (its 1-hour tokens show exp − iat = 3900 s). */
const BACKDATE_SECONDS = 300;

const opaque = (bytes: number) => pooledRandomBytes(bytes).toString("base64url");

/** The claims of an app-only access token, in Entra's order and types (shared/reference/entra.md §4.3). */
export function appOnlyClaims(input: AppOnlyClaimsInput): Record<string, unknown> {
  const v1 = input.version === "1.0";
  const claims: Record<string, unknown> = {
    aud: input.audience,
    iss: input.issuer,
    iat: input.issuedAt - BACKDATE_SECONDS,
    nbf: input.issuedAt - BACKDATE_SECONDS,
    exp: input.issuedAt + input.lifetimeSeconds,
    aio: opaque(48),
    [v1 ? "appid" : "azp"]: input.clientAppId,
    [v1 ? "appidacr" : "azpacr"]: input.method,
  };
  if (v1) claims.idp = input.issuer;
  claims.idtyp = "app";
  claims.oid = input.clientServicePrincipalId;
  claims.rh = `1.${opaque(36)}.`;
  if (input.roles.length > 0) claims.roles = input.roles;
  claims.sub = input.clientServicePrincipalId;
  claims.tid = input.tenantId;
  claims.uti = opaque(16);
  claims.ver = input.version;
  if (input.managedIdentityResourceId !== undefined) claims.xms_mirid = input.managedIdentityResourceId;
  return claims;
}
