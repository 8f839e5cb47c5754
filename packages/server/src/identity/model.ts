/** The identity model, with Microsoft Graph's names and shapes. */

export interface Tenant {
  id: string;
  displayName: string;
  /** Verified domains; matched case-insensitively in authority URLs. */
  domains: string[];
  createdDateTime: string;
}

export type MemberType = "Application" | "User";

export interface AppRole {
  id: string;
  value: string | null;
  displayName: string;
  description: string;
  allowedMemberTypes: MemberType[];
  isEnabled: boolean;
  origin: "Application";
}

export interface PermissionScope {
  id: string;
  value: string;
  type: "User" | "Admin";
  isEnabled: boolean;
  adminConsentDisplayName: string;
  adminConsentDescription: string;
  userConsentDisplayName: string | null;
  userConsentDescription: string | null;
}

export interface ApiApplication {
  /** null or 1 → v1.0 access tokens, 2 → v2.0 (Graph `requestedAccessTokenVersion`, manifest `accessTokenAcceptedVersion`). */
  requestedAccessTokenVersion: 1 | 2 | null;
  oauth2PermissionScopes: PermissionScope[];
}

export interface ResourceAccess {
  id: string;
  type: "Role" | "Scope";
}

export interface RequiredResourceAccess {
  resourceAppId: string;
  resourceAccess: ResourceAccess[];
}

export type SignInAudience =
  "AzureADMyOrg" | "AzureADMultipleOrgs" | "AzureADandPersonalMicrosoftAccount" | "PersonalMicrosoftAccount";

/** The Graph-shaped part of an application that is stored as one document. */
export interface ApplicationDocument {
  description: string | null;
  notes: string | null;
  signInAudience: SignInAudience;
  identifierUris: string[];
  appRoles: AppRole[];
  api: ApiApplication;
  requiredResourceAccess: RequiredResourceAccess[];
  tags: string[];
}

export interface PasswordCredential {
  keyId: string;
  displayName: string | null;
  hint: string;
  startDateTime: string;
  endDateTime: string;
  customKeyIdentifier: null;
}

/** Only the stored hash travels with the credential inside the server; it never leaves through an API. */
export interface StoredPasswordCredential extends PasswordCredential {
  secretHash: string;
}

export interface KeyCredential {
  keyId: string;
  displayName: string | null;
  type: "AsymmetricX509Cert";
  usage: "Verify";
  /** base64 DER certificate. */
  key: string;
  /** SHA-1 thumbprint, upper-case hex, as Graph defaults it. */
  customKeyIdentifier: string;
  startDateTime: string;
  endDateTime: string;
}

export interface StoredKeyCredential extends KeyCredential {
  thumbprintSha1: string;
  thumbprintSha256: string;
}

export interface Application extends ApplicationDocument {
  id: string;
  appId: string;
  tenantId: string;
  displayName: string;
  createdDateTime: string;
  passwordCredentials: PasswordCredential[];
  keyCredentials: KeyCredential[];
}

/** Graph's `servicePrincipalType`: an application's presence in a tenant, or a managed identity. */
export type ServicePrincipalType = "Application" | "ManagedIdentity";

export interface ServicePrincipal {
  id: string;
  appId: string;
  tenantId: string;
  displayName: string;
  accountEnabled: boolean;
  appRoleAssignmentRequired: boolean;
  servicePrincipalType: ServicePrincipalType;
  createdDateTime: string;
}

export interface AppRoleAssignment {
  id: string;
  tenantId: string;
  principalId: string;
  resourceId: string;
  appRoleId: string;
  createdDateTime: string;
}

export const emptyApplicationDocument = (): ApplicationDocument => ({
  description: null,
  notes: null,
  signInAudience: "AzureADMyOrg",
  identifierUris: [],
  appRoles: [],
  api: { requestedAccessTokenVersion: null, oauth2PermissionScopes: [] },
  requiredResourceAccess: [],
  tags: [],
});
