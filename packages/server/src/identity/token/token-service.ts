import type { CredentialThrottle } from "../../security/credential-throttle.js";
import type { Directory } from "../directory.js";
import { ThrottledError, WrongCredentialError, aadsts } from "../errors.js";
import type { Issuers } from "../issuers.js";
import type { KeyRing } from "../keys/key-ring.js";
import type { ServicePrincipal, Tenant } from "../model.js";
import type { ManagedIdentity } from "../managed-identities/model.js";
import { appOnlyClaims, type TokenVersion } from "./claims.js";
import { authenticateClient, type AuthenticationMethod } from "./client-auth.js";
import { parseTokenRequest, type Endpoint } from "./request.js";
import { resolveResource, type RequestedResource } from "./resource.js";
import type { TokenSigner } from "./signer.js";
import type { UsedAssertions } from "./used-assertions.js";

export interface TokenSettings {
  lifetimeSeconds: number;
  /** Clock skew allowed on client assertions' nbf/exp. */
  assertionSkewSeconds: number;
}

export interface IdentitySnapshot {
  directory: Directory;
  keyRing: KeyRing;
}

/** Who a token is for: an application's client, or a managed identity. */
interface TokenPrincipal {
  appId: string;
  displayName: string;
  servicePrincipal: ServicePrincipal;
  method: AuthenticationMethod;
  managedIdentityResourceId?: string;
}

export type V2TokenResponse = {
  token_type: "Bearer";
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
};
export type V1TokenResponse = {
  token_type: "Bearer";
  expires_in: string;
  ext_expires_in: string;
  expires_on: string;
  not_before: string;
  resource: string;
  access_token: string;
};

const TENANT_INDEPENDENT = new Set(["common", "organizations", "consumers"]);
const TENANT_SEGMENT = /^[0-9a-z-]+(\.[0-9a-z-]+)*$/i;

/** The client-credentials grant: from a form body to a signed access token, answered from memory. */
export class TokenService {
  constructor(
    private readonly snapshot: () => IdentitySnapshot,
    private readonly signer: TokenSigner,
    private readonly issuers: Issuers,
    private readonly pepper: Buffer,
    private readonly settings: TokenSettings,
    private readonly usedAssertions: Pick<UsedAssertions, "claim">,
    private readonly throttle: CredentialThrottle,
  ) {}

  /** Resolves a `{tenant}` path segment as the token endpoint does. */
  tenant(segment: string, directory: Directory): Tenant {
    if (TENANT_INDEPENDENT.has(segment.toLowerCase())) throw aadsts.tenantIndependentEndpoint();
    if (!TENANT_SEGMENT.test(segment)) throw aadsts.invalidTenantIdentifier(segment);
    const tenant = directory.tenant(segment);
    if (!tenant) throw aadsts.tenantNotFound(segment, "invalid_request");
    return tenant;
  }

  async issue(
    tenantSegment: string,
    endpoint: Endpoint,
    form: URLSearchParams,
    /** The caller's address, which failed credential attempts are counted against. */
    address: string,
    authorization?: string,
    now = Date.now(),
  ): Promise<V1TokenResponse | V2TokenResponse> {
    const { directory, keyRing } = this.snapshot();
    const tenant = this.tenant(tenantSegment, directory);
    const request = parseTokenRequest(endpoint, form, authorization);
    const source = { address, clientId: request.clientId };
    // Refused before the credential is looked at: while throttled, a right guess and a wrong one look the same.
    const retryAfter = this.throttle.retryAfter(source);
    if (retryAfter !== undefined) throw new ThrottledError(retryAfter);

    const client = directory.client(request.clientId);
    const clientSp = client && directory.servicePrincipal(tenant.id, client.app.appId);
    if (!client || !clientSp) throw aadsts.unknownClient(request.clientId, tenant.displayName);
    if (!clientSp.accountEnabled) throw aadsts.disabledApplication(client.app.appId, client.app.displayName);
    const method = await authenticateClient(
      client,
      request.credential,
      this.pepper,
      {
        clientId: client.app.appId,
        audiences: () => this.tokenEndpoints(tenant),
        skewSeconds: this.settings.assertionSkewSeconds,
        usedAssertions: this.usedAssertions,
      },
      now,
    ).catch(async (error: unknown) => {
      if (error instanceof WrongCredentialError) await this.throttle.failed(source);
      throw error;
    });

    const resource = resolveResource(endpoint, request.target, directory, tenant.displayName);
    const { accessToken, claims } = await this.mint(
      directory,
      keyRing,
      tenant,
      { appId: client.app.appId, displayName: client.app.displayName, servicePrincipal: clientSp, method },
      resource,
      now,
    );
    const lifetime = this.settings.lifetimeSeconds;
    if (endpoint === "v2") {
      return { token_type: "Bearer", expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken };
    }
    return {
      token_type: "Bearer",
      expires_in: String(lifetime),
      ext_expires_in: String(lifetime),
      expires_on: String(claims.exp),
      not_before: String(claims.nbf),
      resource: request.target,
      access_token: accessToken,
    };
  }

  /**
   * A token for a managed identity (identity/managed-identities/endpoints.ts): the resource named as v1 requests
   * name it, the identity's tenant and service principal, `appidacr`/`azpacr` 2 as Entra gives managed identities
   * (they hold a certificate credential behind the scenes), and `xms_mirid`.
   */
  async issueForManagedIdentity(
    identity: ManagedIdentity,
    resourceName: string,
    now = Date.now(),
  ): Promise<{ accessToken: string; expiresOn: number; notBefore: number }> {
    const { directory, keyRing } = this.snapshot();
    const tenant = directory.tenant(identity.tenantId);
    const sp = tenant && directory.servicePrincipal(tenant.id, identity.clientId);
    if (!tenant || !sp) throw aadsts.unknownClient(identity.clientId, identity.tenantId);
    if (!sp.accountEnabled) throw aadsts.disabledApplication(identity.clientId, identity.name);
    const resource = resolveResource("v1", resourceName, directory, tenant.displayName);
    const { accessToken, claims } = await this.mint(
      directory,
      keyRing,
      tenant,
      {
        appId: identity.clientId,
        displayName: identity.name,
        servicePrincipal: sp,
        method: "2",
        managedIdentityResourceId: identity.resourceId,
      },
      resource,
      now,
    );
    return { accessToken, expiresOn: claims.exp, notBefore: claims.nbf };
  }

  /**
   * What every grant shares once the caller is known: the resource's service principal, the role assignments it
   * requires, the roles granted, the token version the resource asks for, and the signed token.
   */
  private async mint(
    directory: Directory,
    keyRing: KeyRing,
    tenant: Tenant,
    principal: TokenPrincipal,
    resource: RequestedResource,
    now: number,
  ): Promise<{ accessToken: string; claims: { exp: number; nbf: number } }> {
    const resourceSp = directory.servicePrincipal(tenant.id, resource.app.appId);
    if (!resourceSp) throw aadsts.unknownResource(resource.requested, tenant.displayName);
    if (!resourceSp.accountEnabled) throw aadsts.disabledApplication(resource.app.appId, resource.app.displayName);

    const assignments = directory.assignments(principal.servicePrincipal.id, resourceSp.id);
    if (resourceSp.appRoleAssignmentRequired && assignments.length === 0) {
      throw aadsts.roleAssignmentRequired(
        { appId: principal.appId, name: principal.displayName },
        { id: resource.requested, name: resource.app.displayName },
      );
    }
    const granted = new Set(assignments.map((a) => a.appRoleId));
    const roles = resource.app.appRoles
      .filter((r) => granted.has(r.id) && r.isEnabled && r.value && r.allowedMemberTypes.includes("Application"))
      .map((r) => r.value as string);

    const version: TokenVersion = resource.app.api.requestedAccessTokenVersion === 2 ? "2.0" : "1.0";
    const claims = appOnlyClaims({
      version,
      issuer: version === "2.0" ? this.issuers.v2(tenant.id) : this.issuers.v1(tenant.id),
      tenantId: tenant.id,
      audience: version === "2.0" ? resource.app.appId : resource.requested,
      clientAppId: principal.appId,
      clientServicePrincipalId: principal.servicePrincipal.id,
      method: principal.method,
      roles,
      ...(principal.managedIdentityResourceId !== undefined
        ? { managedIdentityResourceId: principal.managedIdentityResourceId }
        : {}),
      issuedAt: Math.floor(now / 1000),
      lifetimeSeconds: this.settings.lifetimeSeconds,
    });
    const kid = keyRing.current(now).kid;
    const header = version === "2.0" ? { typ: "JWT", alg: "RS256", kid } : { typ: "JWT", alg: "RS256", x5t: kid, kid };
    const accessToken = await this.signer.sign(kid, header, claims);
    return { accessToken, claims: claims as { exp: number; nbf: number } };
  }

  /** The URLs a client assertion may name as `aud`: both token endpoints, by GUID or any verified domain. */
  private tokenEndpoints(tenant: Tenant): Set<string> {
    const base = this.issuers.publicUrl.toLowerCase();
    const urls = new Set<string>();
    for (const segment of [tenant.id, ...tenant.domains]) {
      urls.add(`${base}/${segment.toLowerCase()}/oauth2/v2.0/token`);
      urls.add(`${base}/${segment.toLowerCase()}/oauth2/token`);
    }
    return urls;
  }
}
