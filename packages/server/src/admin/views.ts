/**
 * Stored objects → Graph response shapes. Credentials are copied property by property, never spread, so secret
 * hashes and internal thumbprints cannot leak into a response by accident.
 */
import type { AppRoleAssignment, ServicePrincipal, Tenant } from "../identity/model.js";
import { alternativeNames, type ManagedIdentity } from "../identity/managed-identities/model.js";
import type { SigningKeyRecord } from "../store/repositories/signing-keys.js";
import type { StoredApplication } from "../store/repositories/applications.js";
import type {
  AppRoleAssignmentResource,
  ApplicationResource,
  ServicePrincipalResource,
  SigningKeyResource,
  TenantResource,
} from "./schemas.js";

export interface ApplicationViewOptions {
  /** The certificate itself is returned only for a single object read with `$select=keyCredentials`, as in Graph. */
  includeKeys: boolean;
}

export function applicationView(app: StoredApplication, options: ApplicationViewOptions): ApplicationResource {
  return {
    id: app.id,
    appId: app.appId,
    displayName: app.displayName,
    createdDateTime: app.createdDateTime,
    description: app.description,
    notes: app.notes,
    signInAudience: app.signInAudience,
    identifierUris: [...app.identifierUris],
    appRoles: app.appRoles.map((r) => ({ ...r })),
    api: {
      requestedAccessTokenVersion: app.api.requestedAccessTokenVersion,
      oauth2PermissionScopes: app.api.oauth2PermissionScopes.map((s) => ({ ...s })),
    },
    requiredResourceAccess: app.requiredResourceAccess.map((r) => ({
      resourceAppId: r.resourceAppId,
      resourceAccess: r.resourceAccess.map((a) => ({ id: a.id, type: a.type })),
    })),
    tags: [...app.tags],
    passwordCredentials: app.passwordCredentials.map((p) => ({
      customKeyIdentifier: null,
      displayName: p.displayName,
      endDateTime: p.endDateTime,
      hint: p.hint,
      keyId: p.keyId,
      secretText: null,
      startDateTime: p.startDateTime,
    })),
    keyCredentials: app.keyCredentials.map((k) => ({
      customKeyIdentifier: k.customKeyIdentifier,
      displayName: k.displayName,
      endDateTime: k.endDateTime,
      ...(options.includeKeys ? { key: k.key } : {}),
      keyId: k.keyId,
      startDateTime: k.startDateTime,
      type: k.type,
      usage: k.usage,
    })),
  };
}

/**
 * App roles, scopes and names come from the application, as Graph copies them onto the service principal; a managed
 * identity has no application and shows its resource id in `alternativeNames`.
 */
export function servicePrincipalView(
  sp: ServicePrincipal,
  app: StoredApplication | undefined,
  identity?: ManagedIdentity,
): ServicePrincipalResource {
  return {
    id: sp.id,
    appId: sp.appId,
    displayName: sp.displayName,
    appDisplayName: app?.displayName ?? null,
    appOwnerOrganizationId: app?.tenantId ?? null,
    accountEnabled: sp.accountEnabled,
    appRoleAssignmentRequired: sp.appRoleAssignmentRequired,
    servicePrincipalType: sp.servicePrincipalType,
    alternativeNames: identity ? alternativeNames(identity) : [],
    appRoles: (app?.appRoles ?? []).map((r) => ({ ...r })),
    oauth2PermissionScopes: (app?.api.oauth2PermissionScopes ?? []).map((s) => ({ ...s })),
    servicePrincipalNames: [sp.appId, ...(app?.identifierUris ?? [])],
    createdDateTime: sp.createdDateTime,
  };
}

export function appRoleAssignmentView(
  assignment: AppRoleAssignment,
  principal: ServicePrincipal | undefined,
  resource: ServicePrincipal | undefined,
): AppRoleAssignmentResource {
  return {
    id: assignment.id,
    appRoleId: assignment.appRoleId,
    createdDateTime: assignment.createdDateTime,
    deletedDateTime: null,
    principalDisplayName: principal?.displayName ?? null,
    principalId: assignment.principalId,
    principalType: "ServicePrincipal",
    resourceDisplayName: resource?.displayName ?? null,
    resourceId: assignment.resourceId,
  };
}

/** The first domain is the default one. */
export function tenantView(tenant: Tenant): TenantResource {
  return {
    id: tenant.id,
    displayName: tenant.displayName,
    verifiedDomains: tenant.domains.map((name, i) => ({ name, isDefault: i === 0 })),
    createdDateTime: tenant.createdDateTime,
  };
}

export function signingKeyView(record: SigningKeyRecord, currentKid: string): SigningKeyResource {
  return {
    kid: record.kid,
    createdDateTime: record.createdAt,
    activatedDateTime: record.activatedAt,
    retiredDateTime: record.retiredAt,
    current: record.kid === currentKid,
  };
}
