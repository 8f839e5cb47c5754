import type { Issuers } from "./issuers.js";

/** `{tenantid}` kept literally: the tenant-independent (`common`/`organizations`) documents' issuer template. */
export const TENANT_TEMPLATE = "{tenantid}";

/** Members both document versions end with. */
const cloudMembers = (base: string, tenantId: string) => ({
  kerberos_endpoint: `${base}/kerberos`,
  tenant_region_scope: tenantId === TENANT_TEMPLATE ? null : "WW",
  cloud_instance_name: "microsoftonline.com",
  cloud_graph_host_name: "graph.windows.net",
  msgraph_host: "graph.microsoft.com",
  rbac_url: "https://pas.windows.net",
});

const COMMON_CLAIMS = [
  "sub",
  "iss",
  "cloud_instance_name",
  "cloud_instance_host_name",
  "cloud_graph_host_name",
  "msgraph_host",
  "aud",
  "exp",
  "iat",
  "auth_time",
  "acr",
];

/** The v2.0 OpenID configuration as Entra serves it (shared/reference/entra.md §5.1). */
export function v2Configuration(issuers: Issuers, segment: string, tenantId: string): Record<string, unknown> {
  const base = `${issuers.publicUrl}/${segment}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: issuers.v2(tenantId),
    request_uri_parameter_supported: false,
    userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      ...COMMON_CLAIMS,
      "nonce",
      "preferred_username",
      "name",
      "tid",
      "ver",
      "at_hash",
      "c_hash",
      "email",
    ],
    ...cloudMembers(base, tenantId),
  };
}

/** The v1.0 OpenID configuration (§5.2); its keys are the tenant-independent v1 key set, as Entra's are. */
export function v1Configuration(issuers: Issuers, segment: string, tenantId: string): Record<string, unknown> {
  const base = `${issuers.publicUrl}/${segment}`;
  return {
    token_endpoint: `${base}/oauth2/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${issuers.publicUrl}/common/discovery/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "token id_token", "token"],
    scopes_supported: ["openid"],
    issuer: issuers.v1(tenantId),
    microsoft_multi_refresh_token: true,
    authorization_endpoint: `${base}/oauth2/authorize`,
    device_authorization_endpoint: `${base}/oauth2/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/logout`,
    claims_supported: [...COMMON_CLAIMS, "amr", "nonce", "email", "given_name", "family_name", "nickname"],
    check_session_iframe: `${base}/oauth2/checksession`,
    userinfo_endpoint: `${base}/openid/userinfo`,
    ...cloudMembers(base, tenantId),
  };
}

/** `/common/discovery/instance` (§5.4): tells MSALs that call it on the authority host where the tenant lives. */
export function instanceDiscovery(issuers: Issuers, tenantSegment: string): Record<string, unknown> {
  const host = new URL(issuers.publicUrl).host;
  return {
    tenant_discovery_endpoint: `${issuers.publicUrl}/${tenantSegment}/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  };
}
