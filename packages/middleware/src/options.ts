import type { FetchLike } from "./fetch.js";

/** Asymmetric JWS algorithms. HMAC (`HS*`) and `none` cannot be configured: with a public key set they are attacks. */
export type SigningAlgorithm = "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "ES512";

const SIGNING_ALGORITHMS: ReadonlySet<string> = new Set<SigningAlgorithm>([
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
]);

/** How a {@link TokenValidator} checks access tokens. */
export interface TokenValidatorOptions {
  /**
   * The tenant URL, exactly as MSAL takes it: `https://login.microsoftonline.com/<tenant id or domain>` for Entra ID,
   * `https://localhost:8443/<tenant>` for Gatehouse. `common` / `organizations` accept tokens of any tenant (see
   * `tenantId`). Plain http is accepted only for localhost.
   */
  authority: string;
  /**
   * The API's identifiers. v2 tokens carry the appId (a GUID), v1 tokens the identifier they were requested with,
   * so a GUID `x` also accepts `api://x`, and `api://x` also accepts `x`.
   */
  audience: string | readonly string[];
  /** Tolerance for `exp` and `nbf`, seconds. Default 300, as Microsoft.Identity.Web. */
  clockSkewSeconds?: number;
  /** Fetch used for discovery documents and keys, e.g. undici's with a dispatcher for a private CA or a proxy. */
  fetch?: FetchLike;
  /** Accepted signature algorithms. Default RS256 (what Entra and Gatehouse sign with) and PS256. */
  allowedAlgorithms?: readonly SigningAlgorithm[];
  /** With a multi-tenant authority: the tenants (`tid`) whose tokens are accepted. Default: any. */
  tenantId?: string | readonly string[];
  /**
   * A token naming an unknown key refetches the key set at most this often, and a failed fetch is retried no sooner,
   * seconds. Default 10: a key the authority has just published is accepted within it.
   */
  keyRefreshCooldownSeconds?: number;
  /** How many validated tokens are remembered until they expire (at most 10 minutes); 0 disables. Default 1000. */
  cacheSize?: number;
}

/** The options, checked and with defaults applied. */
export interface ValidatorSettings {
  audiences: string[];
  clockSkewSeconds: number;
  algorithms: SigningAlgorithm[];
  tenantIds: ReadonlySet<string> | undefined;
  keyRefreshCooldownMs: number;
  cacheSize: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const asList = <T>(value: T | readonly T[]): T[] => (Array.isArray(value) ? [...value] : [value as T]);

/** The configured audiences with their other form: a GUID and `api://` + that GUID are the same API. */
function acceptedAudiences(audience: string | readonly string[]): string[] {
  const accepted = new Set<string>();
  for (const value of asList(audience)) {
    if (typeof value !== "string" || value.trim() === "") throw new TypeError("audience must be non-empty strings");
    accepted.add(value);
    if (GUID.test(value)) accepted.add(`api://${value}`);
    const appId = /^api:\/\/(.+)$/i.exec(value)?.[1];
    if (appId !== undefined && GUID.test(appId)) accepted.add(appId);
  }
  if (accepted.size === 0) throw new TypeError("audience must name at least one audience");
  return [...accepted];
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a number ≥ 0, got ${value}`);
  return value;
}

export function resolveSettings(options: TokenValidatorOptions): ValidatorSettings {
  const algorithms = [...(options.allowedAlgorithms ?? ["RS256", "PS256"])];
  const refused = algorithms.filter((a) => !SIGNING_ALGORITHMS.has(a));
  if (algorithms.length === 0 || refused.length > 0) {
    throw new TypeError(`allowedAlgorithms must be asymmetric JWS algorithms, got ${algorithms.join(", ") || "none"}`);
  }
  const tenants = options.tenantId === undefined ? undefined : asList(options.tenantId);
  return {
    audiences: acceptedAudiences(options.audience),
    clockSkewSeconds: nonNegative("clockSkewSeconds", options.clockSkewSeconds, 300),
    algorithms,
    tenantIds: tenants && new Set(tenants.map((t) => t.toLowerCase())),
    keyRefreshCooldownMs: nonNegative("keyRefreshCooldownSeconds", options.keyRefreshCooldownSeconds, 10) * 1000,
    cacheSize: Math.floor(nonNegative("cacheSize", options.cacheSize, 1000)),
  };
}
