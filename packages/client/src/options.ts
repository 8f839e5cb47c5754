import { normalizeAuthority } from "./authority.js";
import { CertificateSigner, type CertificateCredential } from "./certificate-signer.js";
import {
  assertionCredential,
  certificateCredential,
  secretCredential,
  type ClientAssertionCallback,
  type Credential,
  type SecretAuthentication,
} from "./credentials.js";
import { ConfigurationError } from "./errors.js";
import { DEFAULT_RETRY, type RetryOptions } from "./sender.js";
import type { TokenTarget } from "./token-request.js";
import { MemoryTokenStore, type TokenStore } from "./token-store.js";
import type { CacheSettings } from "./cached-credential.js";

/** What every credential of this package takes besides where its tokens come from. */
export interface CredentialOptions {
  /** The fetch to use (a proxy, a custom CA); default: the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Where tokens are cached; default: in memory, per instance. */
  tokenStore?: TokenStore;
  /** Renew a token in the background once past its refresh time (default true); false renews only at expiry. */
  refreshAhead?: boolean;
  /** A token this close to its expiry counts as expired, in seconds (default 30). */
  skewSeconds?: number;
  /** Retries of token and discovery requests on network errors, 429 and 5xx. */
  retry?: Partial<RetryOptions>;
  /** Time allowed for each token or discovery request, in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** An API Management subscription key that the credential's `fetch` sends with every call. */
  subscriptionKey?: string;
  /** The header that carries `subscriptionKey` (default `Ocp-Apim-Subscription-Key`). */
  subscriptionKeyHeader?: string;
  /** Told about a failed background refresh; the cached token is still served until it expires. */
  onRefreshError?: (error: unknown) => void;
}

/** Options of {@link ClientCredentials}. Give exactly one credential and exactly one of `scope` and `resource`. */
export interface ClientCredentialsOptions extends CredentialOptions {
  /**
   * The tenant URL exactly as MSAL takes it: `https://login.microsoftonline.com/<tenant>` for Entra ID,
   * `https://localhost:8443/<tenant>` for Gatehouse; the tenant is a GUID or a verified domain. HTTPS, or HTTP for
   * loopback hosts only.
   */
  authority: string;
  /** The client application's appId. */
  clientId: string;
  /** A client secret (`passwordCredentials`). */
  clientSecret?: string;
  /** How `clientSecret` is sent: in the form body (default) or as HTTP Basic authentication. */
  clientAuthentication?: SecretAuthentication;
  /** A certificate registered on the application: requests carry a PS256 `private_key_jwt` assertion. */
  certificate?: CertificateCredential;
  /** A function returning a client assertion for each request (workload identity federation, keys held elsewhere). */
  clientAssertion?: ClientAssertionCallback;
  /** `api://<appId>/.default`: one resource's `.default` scope (v2 endpoint). Several scopes as an array or spaces. */
  scope?: string | readonly string[];
  /** The resource URI or appId, for the v1 endpoint (`/oauth2/token`), instead of `scope`. */
  resource?: string;
}

/** The checked common options: the cache's settings and the sender's. */
export interface ResolvedCommon extends CacheSettings {
  retry: RetryOptions;
  timeoutMs: number;
}

export interface ResolvedOptions extends ResolvedCommon {
  authority: string;
  clientId: string;
  credential: Credential;
  target: TokenTarget;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const nonEmpty = (value: unknown): value is string => typeof value === "string" && value.trim() !== "";

function credentialOf(options: ClientCredentialsOptions): Credential {
  const given = [options.clientSecret, options.certificate, options.clientAssertion].filter((c) => c !== undefined);
  if (given.length !== 1) {
    throw new ConfigurationError("give exactly one of clientSecret, certificate and clientAssertion");
  }
  if (options.clientAuthentication !== undefined && options.clientSecret === undefined) {
    throw new ConfigurationError("clientAuthentication applies to clientSecret only");
  }
  if (options.clientSecret !== undefined) {
    if (!nonEmpty(options.clientSecret)) throw new ConfigurationError("clientSecret is empty");
    const method = options.clientAuthentication ?? "post";
    if (method !== "post" && method !== "basic") {
      throw new ConfigurationError('clientAuthentication is "post" or "basic"');
    }
    return secretCredential(options.clientSecret, method);
  }
  if (options.certificate !== undefined) return certificateCredential(new CertificateSigner(options.certificate));
  if (typeof options.clientAssertion !== "function") throw new ConfigurationError("clientAssertion is not a function");
  return assertionCredential(options.clientAssertion);
}

function targetOf(options: ClientCredentialsOptions): TokenTarget {
  if ((options.scope === undefined) === (options.resource === undefined)) {
    throw new ConfigurationError("give exactly one of scope (v2 endpoint) and resource (v1 endpoint)");
  }
  if (options.resource !== undefined) {
    if (!nonEmpty(options.resource)) throw new ConfigurationError("resource is empty");
    return { parameter: "resource", value: options.resource.trim() };
  }
  const scopes = (typeof options.scope === "string" ? [options.scope] : (options.scope ?? []))
    .flatMap((s) => s.split(/\s+/))
    .filter((s) => s !== "");
  if (scopes.length === 0) throw new ConfigurationError("scope is empty");
  return { parameter: "scope", value: scopes.join(" ") };
}

function number(name: string, value: number | undefined, fallback: number, min: number, integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new ConfigurationError(`${name} must be ${integer ? "an integer" : "a number"} of at least ${min}`);
  }
  return value;
}

/** Checks the options every credential takes and fills in the defaults; a problem is a {@link ConfigurationError}. */
export function resolveCommon(options: CredentialOptions): ResolvedCommon {
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    throw new ConfigurationError("fetch is not a function");
  }
  let subscriptionKey: ResolvedCommon["subscriptionKey"];
  if (options.subscriptionKey !== undefined) {
    const header = options.subscriptionKeyHeader ?? "Ocp-Apim-Subscription-Key";
    if (!nonEmpty(options.subscriptionKey)) throw new ConfigurationError("subscriptionKey is empty");
    if (!HEADER_NAME.test(header)) throw new ConfigurationError("subscriptionKeyHeader is not a header name");
    subscriptionKey = { header, value: options.subscriptionKey };
  } else if (options.subscriptionKeyHeader !== undefined) {
    throw new ConfigurationError("subscriptionKeyHeader needs subscriptionKey");
  }
  return {
    // Looked up per call, and never called as a method of another object.
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    tokenStore: options.tokenStore ?? new MemoryTokenStore(),
    refreshAhead: options.refreshAhead ?? true,
    skewMs: number("skewSeconds", options.skewSeconds, 30, 0) * 1000,
    retry: {
      attempts: number("retry.attempts", options.retry?.attempts, DEFAULT_RETRY.attempts, 1, true),
      baseDelayMs: number("retry.baseDelayMs", options.retry?.baseDelayMs, DEFAULT_RETRY.baseDelayMs, 0),
      maxDelayMs: number("retry.maxDelayMs", options.retry?.maxDelayMs, DEFAULT_RETRY.maxDelayMs, 0),
    },
    timeoutMs: number("timeoutMs", options.timeoutMs, 10_000, 1, true),
    subscriptionKey,
    onRefreshError: options.onRefreshError,
  };
}

/** Checks the options and fills in the defaults; every problem is a {@link ConfigurationError}. */
export function resolveOptions(options: ClientCredentialsOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) throw new ConfigurationError("options are required");
  if (!nonEmpty(options.authority)) throw new ConfigurationError("authority is required");
  if (!nonEmpty(options.clientId)) throw new ConfigurationError("clientId is required");
  const common = resolveCommon(options);
  return {
    authority: normalizeAuthority(options.authority),
    clientId: options.clientId.trim(),
    credential: credentialOf(options),
    target: targetOf(options),
    ...common,
  };
}
