import type { Generated } from "kysely";
import type { DeveloperSessionTable, OneTimeTicketTable } from "../developer/tables.js";

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
  service_principal_type: string; // Application | ManagedIdentity (009-managed-identities)
  created_at: string;
}

/** A managed identity's own facts (its service principal holds the rest); see identity/managed-identities. */
export interface ManagedIdentityTable {
  principal_id: string;
  tenant_id: string;
  kind: string; // SystemAssigned | UserAssigned
  name: string;
  resource_id: string;
  resource_key: string; // lower-cased resource id, unique
  location: string;
  tags: string; // JSON Record<string, string>
  host: string | null; // a system-assigned identity's host
  created_at: string;
}

export interface IdentityHostTable {
  name: string;
  name_key: string; // lower-cased name, unique
  tenant_id: string;
  resource_id: string;
  resource_key: string; // lower-cased resource id, unique
  imds: number;
  created_at: string;
}

export interface IdentityHostAttachmentTable {
  host: string;
  principal_id: string; // a user-assigned identity
}

export interface IdentityHostHeaderTable {
  key_id: string;
  host: string;
  hash: string; // base64url HMAC-SHA-256 with the server pepper; the value itself is never stored
  hint: string;
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

/**
 * Gateway entities (API Management's model). Names are APIM resource ids. Subscription keys, secret named values and
 * backend credentials are sealed with the master key; `*_key` columns hold lower-cased copies for case-insensitive
 * uniqueness.
 */
export interface GatewayApiTable {
  name: string;
  display_name: string;
  description: string | null;
  path: string;
  path_key: string; // lower-cased path, unique
  service_url: string | null;
  protocols: string; // JSON ApiProtocol[]
  api_type: string;
  subscription_required: number;
  key_header: string;
  key_query: string;
}

export interface GatewayOperationTable {
  api: string;
  name: string;
  display_name: string;
  method: string;
  url_template: string;
  description: string | null;
  template_parameters: string; // JSON ParameterContract[]
  request: string; // JSON OperationRequest
  responses: string; // JSON OperationResponse[]
}

/** The document an API was imported from (008-api-documents). */
export interface GatewayApiDocumentTable {
  api: string;
  format: string;
  text: string;
  /** SHA-256 of the text (hex), so configuration as code compares documents without reading them. */
  digest: string;
}

/** An API schema (`apis/{api}/schemas/{name}`): the named types an import's representations refer to. */
export interface GatewayApiSchemaTable {
  api: string;
  name: string;
  content_type: string;
  document: string; // JSON
}

export interface GatewayProductTable {
  name: string;
  display_name: string;
  description: string | null;
  terms: string | null;
  state: string;
  subscription_required: number;
  approval_required: number;
  subscriptions_limit: number | null;
  authentication_types: string; // JSON AuthenticationType[]
  entra_application: string | null; // JSON: the ids of the product's Entra registration, once provisioned
  entra_application_enabled: number; // whether that registration was last left enabled
}

export interface GatewayProductApiTable {
  product: string;
  api: string;
}

export interface GatewaySubscriptionTable {
  name: string;
  display_name: string;
  scope_kind: string; // allApis | api | product
  scope_name: string; // "" for allApis
  state: string;
  allow_tracing: number;
  primary_key: string; // sealed
  secondary_key: string; // sealed
  primary_key_digest: string; // keyed HMAC, to refuse a key another subscription uses
  secondary_key_digest: string;
  created_date: string;
  start_date: string | null;
  expiration_date: string | null;
  owner: string | null; // the user's name; null: standalone
}

export interface GatewayNamedValueTable {
  name: string;
  display_name: string;
  display_name_key: string; // lower-cased displayName, unique: what {{name}} resolves
  value: string; // sealed when secret
  secret: number;
  tags: string; // JSON string[]
}

export interface GatewayBackendTable {
  name: string;
  url: string;
  protocol: string;
  title: string | null;
  description: string | null;
  credentials: string | null; // sealed JSON BackendCredentials
  validate_certificate_chain: number;
  validate_certificate_name: number;
}

export interface GatewayPolicyTable {
  scope_kind: string; // global | product | api | operation
  scope_key: string; // "" | product | api | "api/operation"
  xml: string;
}

export interface GatewayUserTable {
  name: string;
  email: string;
  email_key: string; // lower-cased email, unique: emails are compared without regard to case
  first_name: string;
  last_name: string;
  state: string; // active | blocked | pending | deleted
  note: string | null;
  registration_date: string;
  password_hash: string | null; // PHC scrypt string; null until a password is set
}

export interface GatewayGroupTable {
  name: string;
  display_name: string;
  description: string | null;
  type: string; // system | custom | external
  external_id: string | null;
}

export interface GatewayGroupUserTable {
  group_name: string;
  user_name: string;
}

export interface GatewayProductGroupTable {
  product: string;
  group_name: string;
}

/** A client application (application-based access): its Entra registration's ids once provisioned, never a secret. */
export interface GatewayClientApplicationTable {
  name: string;
  name_key: string; // lower-cased name, unique: the registration is named after it
  display_name: string;
  description: string | null;
  owner_id: string;
  entra_application_id: string | null; // appId, unique
  entra_object_id: string | null;
  entra_service_principal_id: string | null;
  entra_tenant_id: string | null;
}

/** A client application's product link; `granted` once the product's role is assigned in the directory. */
export interface GatewayClientApplicationLinkTable {
  application: string;
  name: string;
  product: string;
  granted: number;
}

/** A traced request's record (gateway/tracing), kept for a limited time and number. */
export interface GatewayTraceTable {
  id: string;
  api: string;
  created_at: string;
  document: string; // JSON TraceDocument
}

/** Tracing turned on for every request of an API, until `expires_at`. */
export interface GatewayApiTracingTable {
  api: string;
  expires_at: string;
}

/** A client assertion's `jti` (hashed) that its client used; refused again until `expires_at`. */
export interface UsedClientAssertionTable {
  client_id: string;
  jti_hash: string;
  expires_at: string;
}

export interface Database {
  tenants: TenantTable;
  applications: ApplicationTable;
  password_credentials: PasswordCredentialTable;
  key_credentials: KeyCredentialTable;
  service_principals: ServicePrincipalTable;
  app_role_assignments: AppRoleAssignmentTable;
  managed_identities: ManagedIdentityTable;
  identity_hosts: IdentityHostTable;
  identity_host_attachments: IdentityHostAttachmentTable;
  identity_host_headers: IdentityHostHeaderTable;
  signing_keys: SigningKeyTable;
  settings: SettingTable;
  revision: RevisionTable;
  gateway_apis: GatewayApiTable;
  gateway_operations: GatewayOperationTable;
  gateway_api_documents: GatewayApiDocumentTable;
  gateway_api_schemas: GatewayApiSchemaTable;
  gateway_products: GatewayProductTable;
  gateway_product_apis: GatewayProductApiTable;
  gateway_subscriptions: GatewaySubscriptionTable;
  gateway_named_values: GatewayNamedValueTable;
  gateway_backends: GatewayBackendTable;
  gateway_policies: GatewayPolicyTable;
  gateway_client_applications: GatewayClientApplicationTable;
  gateway_client_application_links: GatewayClientApplicationLinkTable;
  gateway_traces: GatewayTraceTable;
  gateway_api_tracing: GatewayApiTracingTable;
  used_client_assertions: UsedClientAssertionTable;
  gateway_users: GatewayUserTable;
  gateway_groups: GatewayGroupTable;
  gateway_group_users: GatewayGroupUserTable;
  gateway_product_groups: GatewayProductGroupTable;
  developer_sessions: DeveloperSessionTable;
  one_time_tickets: OneTimeTicketTable;
}
