import { ConfigurationError } from "./errors.js";

// MSAL and Microsoft.Identity.Web refuse these for client credentials: an app-only token needs a tenant.
const TENANT_INDEPENDENT = new Set(["common", "organizations", "consumers"]);
const IPV4_LOOPBACK = /^127(?:\.\d{1,3}){3}$/;

const isLoopback = (hostname: string) =>
  hostname === "localhost" || hostname === "[::1]" || IPV4_LOOPBACK.test(hostname);

/** Credentials may travel over HTTPS, or over plain HTTP only when they never leave the machine. */
export function isSafeEndpoint(url: URL): boolean {
  return url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname));
}

/**
 * Checks a tenant URL as MSAL takes it (`https://login.microsoftonline.com/<tenant>`,
 * `https://localhost:8443/<tenant>`) and returns it without a trailing slash.
 */
export function normalizeAuthority(authority: string): string {
  if (!URL.canParse(authority)) throw new ConfigurationError("authority is not a URL");
  const url = new URL(authority);
  if (!isSafeEndpoint(url)) {
    throw new ConfigurationError(`authority ${url.origin} must use https (http only for loopback hosts)`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigurationError("authority must not have credentials, a query or a fragment");
  }
  const tenant = url.pathname.split("/")[1] ?? "";
  if (tenant === "") throw new ConfigurationError("authority must name the tenant: https://<host>/<tenant>");
  if (TENANT_INDEPENDENT.has(tenant.toLowerCase())) {
    throw new ConfigurationError(
      `authority tenant '${tenant}' cannot be used for client credentials: give a tenant ID or domain`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
