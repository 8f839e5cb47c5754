import type { Generated } from "kysely";

/**
 * Tables are portable between SQLite and PostgreSQL: timestamps are ISO-8601 text, booleans are 0/1 integers and
 * Graph-shaped sub-documents (appRoles, api, requiredResourceAccess …) are JSON text.
 */
export interface TenantTable {
  id: string;
  display_name: string;
  domains: string; // JSON string[]
  created_at: string;
}

export interface ApplicationTable {
  id: string; // object id (Graph `id`)
  app_id: string; // client id (Graph `appId`), unique across tenants as in Entra
  tenant_id: string; // home tenant
  display_name: string;
  document: string; // JSON ApplicationDocument: everything Graph-shaped that is not a credential
  created_at: string;
}

export interface PasswordCredentialTable {
  key_id: string;
  application_id: string;
  display_name: string | null;
  hint: string;
  secret_hash: string; // base64url HMAC-SHA-256 with the server pepper; the secret itself is never stored
  start_date_time: string;
  end_date_time: string;
  created_at: string;
}

export interface KeyCredentialTable {
  key_id: string;
  application_id: string;
  display_name: string | null;
  certificate: string; // base64 DER (public material)
  thumbprint_sha1: string; // base64url
  thumbprint_sha256: string; // base64url
  start_date_time: string;
  end_date_time: string;
  created_at: string;
}

export interface ServicePrincipalTable {
  id: string;
  app_id: string;
  tenant_id: string;
  display_name: string;
  account_enabled: number;
  app_role_assignment_required: number;
  created_at: string;
}

export interface AppRoleAssignmentTable {
  id: string;
  tenant_id: string;
  principal_id: string; // client service principal
  resource_id: string; // resource service principal
  app_role_id: string;
  created_at: string;
}

export interface SigningKeyTable {
  kid: string;
  certificate: string; // PEM (public)
  private_key: string; // sealed with the master key
  created_at: string;
  activated_at: string | null;
  retired_at: string | null;
}

export interface SettingTable {
  name: string;
  value: string;
}

export interface RevisionTable {
  id: number;
  revision: Generated<number>;
}

export interface Database {
  tenants: TenantTable;
  applications: ApplicationTable;
  password_credentials: PasswordCredentialTable;
  key_credentials: KeyCredentialTable;
  service_principals: ServicePrincipalTable;
  app_role_assignments: AppRoleAssignmentTable;
  signing_keys: SigningKeyTable;
  settings: SettingTable;
  revision: RevisionTable;
}
