/**
 * Managed identities (Entra's service principals of type ManagedIdentity, with no application object) and the
 * compute resources ("hosts") that hold them, as App Service apps and virtual machines do.
 */

export type ManagedIdentityKind = "SystemAssigned" | "UserAssigned";

export interface ManagedIdentity {
  /** The service principal's object id: the token's `oid`/`sub`, ARM's `principalId`. */
  principalId: string;
  /** The service principal's appId: the token's `appid`/`azp`, ARM's `clientId`. */
  clientId: string;
  tenantId: string;
  kind: ManagedIdentityKind;
  /** User-assigned: the resource's name; system-assigned: its host's name. */
  name: string;
  /** User-assigned: its own ARM id; system-assigned: its host's resource id. The token's `xms_mirid`. */
  resourceId: string;
  /** ARM `location` of a user-assigned identity; "" for system-assigned ones. */
  location: string;
  tags: Record<string, string>;
  /** The host a system-assigned identity belongs to; null for user-assigned ones. */
  host: string | null;
  createdDateTime: string;
}

/** A named compute resource that asks the identity endpoints for tokens, like an App Service app or a VM. */
export interface IdentityHost {
  name: string;
  tenantId: string;
  resourceId: string;
  /** Served by the IMDS-style endpoint to loopback callers ("this machine"); at most one host has it. */
  imds: boolean;
  /** The principal id of its system-assigned identity, if it has one. */
  systemAssigned: string | null;
  /** Principal ids of the user-assigned identities attached to it. */
  userAssigned: string[];
  createdDateTime: string;
}

/** One value of a host's `X-IDENTITY-HEADER`; only its keyed hash is stored. */
export interface HostHeader {
  keyId: string;
  host: string;
  /** base64url HMAC-SHA-256 with the server pepper. */
  hash: string;
  hint: string;
  createdDateTime: string;
}

/** Graph's `alternativeNames` of a managed identity's service principal, as Entra shows them. */
export const alternativeNames = (identity: ManagedIdentity): string[] => [
  identity.kind === "UserAssigned" ? "isExplicit=True" : "isExplicit=False",
  identity.resourceId,
];

/** Subscription and resource group of resource ids made up for identities created without an ARM URL. */
export const DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
export const DEFAULT_RESOURCE_GROUP = "gatehouse";

export const userAssignedResourceId = (subscription: string, resourceGroup: string, name: string) =>
  `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;

/** A host's resource id when none is given: an App Service app's. */
export const defaultHostResourceId = (name: string) =>
  `/subscriptions/${DEFAULT_SUBSCRIPTION}/resourceGroups/${DEFAULT_RESOURCE_GROUP}/providers/Microsoft.Web/sites/${name}`;
