/** Where an authority's discovery documents are. */
export interface AuthorityDocuments {
  /** `{authority}/v2.0/.well-known/openid-configuration`: jwks_uri and the v2 issuer. */
  v2: string;
  /** `{authority}/.well-known/openid-configuration`: the v1 issuer. */
  v1: string;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Throws unless `url` is HTTPS, or plain HTTP to a loopback host (a local Gatehouse started with --insecure-http):
 * keys fetched over an unprotected network could be swapped by anyone on the path.
 */
export function assertSecureUrl(url: URL, what: string): void {
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && LOOPBACK.has(url.hostname)) return;
  throw new TypeError(`${what} must be an https URL (http only to localhost), got "${url.href}"`);
}

/**
 * The discovery documents of an authority given as MSAL takes it (`https://host/<tenant>`; a trailing `/v2.0` is
 * accepted too). As Microsoft.Identity.Web's AadIssuerValidator does, the v1 document of `organizations` is read from
 * `common`, the only tenant-independent v1 document Entra serves.
 */
export function authorityDocuments(authority: string): AuthorityDocuments {
  let url: URL;
  try {
    url = new URL(authority);
  } catch {
    throw new TypeError(
      `authority must be a URL such as https://login.microsoftonline.com/<tenant>, got "${authority}"`,
    );
  }
  assertSecureUrl(url, "authority");
  if (url.search || url.hash) throw new TypeError(`authority must have no query or fragment, got "${authority}"`);
  const segments = url.pathname.split("/").filter((s) => s !== "");
  if (segments.at(-1)?.toLowerCase() === "v2.0") segments.pop();
  const tenant = segments.pop();
  if (tenant === undefined)
    throw new TypeError(`authority must end with a tenant (https://host/<tenant>), got "${authority}"`);
  const base = [url.origin, ...segments].join("/");
  const v1Tenant = tenant.toLowerCase() === "organizations" ? "common" : tenant;
  return {
    v2: `${base}/${tenant}/v2.0/.well-known/openid-configuration`,
    v1: `${base}/${v1Tenant}/.well-known/openid-configuration`,
  };
}
