/** The parts of Microsoft Graph v1.0 resources the gateway's Entra client reads and writes (entra.md §6). */

export interface GraphAppRole {
  id: string;
  value: string | null;
  displayName: string;
  description: string;
  allowedMemberTypes: string[];
  isEnabled: boolean;
  origin?: string;
}

export interface GraphRequiredResourceAccess {
  resourceAppId: string;
  resourceAccess: { id: string; type: "Role" | "Scope" }[];
}

export interface GraphApplication {
  /** The object id, used in Graph URLs. */
  id: string;
  /** The client id, used on the wire. */
  appId: string;
  displayName: string;
  identifierUris: string[];
  appRoles: GraphAppRole[];
  requiredResourceAccess: GraphRequiredResourceAccess[];
}

export interface GraphServicePrincipal {
  id: string;
  appId: string;
  accountEnabled: boolean;
}

export interface GraphAppRoleAssignment {
  id: string;
  principalId: string;
  resourceId: string;
  appRoleId: string;
}

/** addPassword's answer: the only one that ever carries `secretText`. */
export interface GraphNewPassword {
  keyId: string;
  secretText: string;
  endDateTime: string;
}

export interface GraphOrganization {
  id: string;
}
