/** What each Entra access-token claim and JWT header field means, with value-specific notes. */

/** Returns a value-specific note ("this token: ..."), or undefined when there is nothing to add. */
type Detail = (value: unknown, all: Record<string, unknown>) => string | undefined;

export interface Doc {
  meaning: string;
  detail?: Detail;
}

export const NO_DESCRIPTION = "(no description)";
const CONSUMER_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad";

const CLIENT_AUTH: Record<string, string> = {
  "0": "public client (no client credential)",
  "1": "client secret",
  "2": "client certificate",
};

const AMR: Record<string, string> = {
  pwd: "password",
  rsa: "RSA key (e.g. Authenticator app or Windows Hello)",
  otp: "one-time passcode",
  fed: "federated identity provider",
  wia: "Windows Integrated Authentication",
  mfa: "multi-factor authentication",
  ngcmfa: "MFA for provisioning advanced credentials",
  wiaormfa: "Windows or MFA credential",
  none: "no authentication completed",
};

/**
 * Recognises the two Entra issuer shapes by path, not host, so a self-hosted issuer such as Gatehouse's own
 * (`https://gatehouse.example/{tid}/v2.0`) is classified too: v1 `…/{tid}/`, v2.0 `…/{tid}/v2.0`.
 */
function issuerShape(iss: string): { version: "1.0" | "2.0"; tenant: string } | undefined {
  let path: string;
  try {
    path = new URL(iss).pathname;
  } catch {
    return undefined;
  }
  const segments = path.split("/").filter((s) => s !== "");
  const last = segments.at(-1);
  if (last === "v2.0" && segments.length >= 2) return { version: "2.0", tenant: segments.at(-2) ?? "" };
  if (last !== undefined && path.endsWith("/")) return { version: "1.0", tenant: last };
  return undefined;
}

const clientAuthDetail: Detail = (value) => {
  const method = typeof value === "string" ? CLIENT_AUTH[value] : undefined;
  return method === undefined ? "this token: unknown value" : `this token: ${method}`;
};

const issuerDetail: Detail = (value, all) => {
  if (typeof value !== "string") return undefined;
  const shape = issuerShape(value);
  if (shape === undefined) return undefined;
  const example =
    shape.version === "1.0" ? "https://sts.windows.net/{tid}/" : "https://login.microsoftonline.com/{tid}/v2.0";
  let note = `this token: v${shape.version} issuer format (${example})`;
  if (typeof all.tid === "string" && shape.tenant.toLowerCase() !== all.tid.toLowerCase()) {
    note += "; WARNING: tenant in iss differs from tid";
  }
  return note;
};

const versionDetail: Detail = (value, all) => {
  let note: string;
  if (value === "1.0") note = "this token: v1.0 (iss https://sts.windows.net/{tid}/, client in appid/appidacr)";
  else if (value === "2.0") {
    note = "this token: v2.0 (iss https://login.microsoftonline.com/{tid}/v2.0, client in azp/azpacr)";
  } else return "this token: unknown version";
  const issVersion = typeof all.iss === "string" ? issuerShape(all.iss)?.version : undefined;
  if (issVersion !== undefined && issVersion !== value) note += `; WARNING: iss has the v${issVersion} format`;
  return note;
};

export const CLAIMS = new Map<string, Doc>([
  [
    "aud",
    {
      meaning:
        "Audience: the API this token is for (app ID URI or client ID); an API must reject tokens not addressed to it",
    },
  ],
  ["iss", { meaning: "Issuer: the token service and tenant that issued and signed the token", detail: issuerDetail }],
  [
    "idp",
    {
      meaning:
        "Identity provider that authenticated the subject; usually equals iss, differs for guests and federated users",
    },
  ],
  ["iat", { meaning: "Issued at: when the token was issued" }],
  ["nbf", { meaning: "Not before: the token must not be accepted before this time" }],
  ["exp", { meaning: "Expiration: the token must not be accepted at or after this time" }],
  ["auth_time", { meaning: "When the user last authenticated" }],
  ["aio", { meaning: "Internal Entra claim used to reuse tokens; opaque, do not rely on it" }],
  [
    "acr",
    {
      meaning: "Authentication context class reference (v1.0 tokens only)",
      detail: (value) =>
        value === "0" ? "this token: the user's authentication did not meet ISO/IEC 29115 requirements" : undefined,
    },
  ],
  ["acrs", { meaning: "Conditional Access authentication context IDs the caller satisfied" }],
  [
    "amr",
    {
      meaning: "Authentication methods used to authenticate the subject",
      detail: (value) => {
        const methods = (Array.isArray(value) ? value : [value]).filter((m): m is string => typeof m === "string");
        const known = methods.filter((m) => AMR[m] !== undefined).map((m) => `${m} = ${AMR[m]}`);
        return known.length > 0 ? known.join(", ") : undefined;
      },
    },
  ],
  ["appid", { meaning: "Application (client) ID of the client that requested the token (v1.0 tokens)" }],
  [
    "appidacr",
    {
      meaning: "How the client authenticated (v1.0): 0 = public client, 1 = client secret, 2 = certificate",
      detail: clientAuthDetail,
    },
  ],
  ["azp", { meaning: "Authorized party: application (client) ID of the client that requested the token (v2.0)" }],
  [
    "azpacr",
    {
      meaning: "How the client authenticated (v2.0): 0 = public client, 1 = client secret, 2 = certificate",
      detail: clientAuthDetail,
    },
  ],
  [
    "idtyp",
    {
      meaning: 'Token type (optional claim): "app" = app-only token, "user" = delegated token with a signed-in user',
      detail: (value) =>
        value === "app"
          ? "this token: app-only (client credentials, no user)"
          : value === "user"
            ? "this token: delegated (a user is signed in)"
            : undefined,
    },
  ],
  [
    "oid",
    {
      meaning:
        "Object ID of the caller in the tenant (user, or the client's service principal); same for every app, use with tid",
    },
  ],
  [
    "sub",
    {
      meaning:
        "Subject: the principal the token is about; pairwise (differs per application), never compare across apps",
      detail: (value, all) =>
        typeof value === "string" && value === all.oid ? "this token: equals oid, as in app-only tokens" : undefined,
    },
  ],
  [
    "roles",
    { meaning: "App roles granted to the caller: application permissions (app-only) or user/group role assignments" },
  ],
  [
    "scp",
    { meaning: "Delegated scopes the user consented to for the client, space-separated; absent from app-only tokens" },
  ],
  [
    "tid",
    {
      meaning: "Tenant ID: the directory the caller belongs to (for guests, the tenant they signed in to)",
      detail: (value) =>
        value === CONSUMER_TENANT ? "this token: the personal Microsoft account (consumer) tenant" : undefined,
    },
  ],
  ["uti", { meaning: "Token identifier: unique, case-sensitive per-token ID used internally by Entra (like jti)" }],
  ["rh", { meaning: "Internal Entra claim used to revalidate tokens; opaque, do not rely on it" }],
  [
    "ver",
    {
      meaning: "Token format version, chosen by the API's accessTokenAcceptedVersion (not by the endpoint called)",
      detail: versionDetail,
    },
  ],
  ["name", { meaning: "Display name of the user; human-readable and mutable, never use for authorization" }],
  [
    "preferred_username",
    { meaning: "Primary username (v2.0), e.g. an email address or UPN; mutable, never use for authorization" },
  ],
  ["upn", { meaning: "User principal name (v1.0); mutable, never use for authorization" }],
  ["unique_name", { meaning: "Human-readable user identifier (v1.0 only); mutable, never use for authorization" }],
  ["email", { meaning: "Email address of the user, if it has one; mutable, never use for authorization" }],
  ["given_name", { meaning: "First name of the user" }],
  ["family_name", { meaning: "Last name of the user" }],
  ["groups", { meaning: "Object IDs of the groups the caller belongs to; replaced by a link when there are too many" }],
  ["hasgroups", { meaning: "The caller is in too many groups to list; query Microsoft Graph for them" }],
  ["_claim_names", { meaning: "Names of claims (usually groups) that were too large and are served elsewhere" }],
  ["_claim_sources", { meaning: "Where to fetch the claims listed in _claim_names" }],
  ["wids", { meaning: "Tenant-wide Entra directory roles assigned to the user (role template IDs)" }],
  ["sid", { meaning: "Session ID of the user's sign-in session" }],
  ["ipaddr", { meaning: "IP address the user authenticated from" }],
  ["onprem_sid", { meaning: "On-premises security identifier (SID) of a synchronized user" }],
  ["tenant_region_scope", { meaning: "Region of the tenant" }],
  ["cnf", { meaning: "Confirmation: the key the token is bound to (proof-of-possession)" }],
  ["nonce", { meaning: "Value from the authorization request, echoed to prevent token replay" }],
  ["jti", { meaning: "JWT ID: unique identifier of this token, usable to detect replay" }],
  ["xms_cc", { meaning: 'Client capabilities announced by the client (e.g. "cp1" = can handle claims challenges)' }],
  ["xms_mirid", { meaning: "Azure resource ID of the managed identity the token was issued to" }],
  ["xms_pdl", { meaning: "Preferred data location of the user (multi-geo tenants)" }],
  ["xms_pl", { meaning: "Preferred language of the user" }],
  ["xms_tpl", { meaning: "Preferred language of the tenant" }],
]);

export const XMS_PREFIX: Doc = { meaning: "Microsoft extension claim (xms_*); informational, its format may change" };

export const HEADER = new Map<string, Doc>([
  ["typ", { meaning: 'Media type of the token; "JWT" for Entra access tokens' }],
  [
    "alg",
    {
      meaning: "Signature algorithm; Entra signs with RS256",
      detail: (value) => (value === "none" ? "WARNING: unsigned token, never accept it" : undefined),
    },
  ],
  ["kid", { meaning: "Key ID: which key in the issuer's JWKS (jwks_uri) signed the token" }],
  ["x5t", { meaning: "SHA-1 thumbprint of the signing certificate (same value as kid in Entra tokens)" }],
  ["x5t#S256", { meaning: "SHA-256 thumbprint of the signing certificate" }],
  [
    "nonce",
    {
      meaning: "Microsoft Graph token nonce: the signature covers a hash of it, so only Graph can validate this token",
    },
  ],
  ["cty", { meaning: "Content type of the payload; only set for nested tokens" }],
  ["jku", { meaning: "URL of the JWKS holding the signing key (never trust it without checking the issuer)" }],
  ["x5c", { meaning: "Certificate chain of the signing key" }],
  ["crit", { meaning: "Header parameters the recipient must understand, or else reject the token" }],
]);
