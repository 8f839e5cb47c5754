import { isSafeEndpoint } from "./authority.js";
import { CachedCredential } from "./cached-credential.js";
import {
  ConfigurationError,
  ManagedIdentityError,
  NO_ENTRA_FIELDS,
  entraErrorFields,
  managedIdentityMessage,
} from "./errors.js";
import { nonEmpty, resolveCommon, type CredentialOptions } from "./options.js";
import { RetryingSender, parseJson, unreachableReason } from "./sender.js";
import type { TokenEntry } from "./token-store.js";

/** The App Service / Functions managed identity protocol version this credential speaks. */
const API_VERSION = "2019-08-01";

/** Options of {@link ManagedIdentityCredential}. */
export interface ManagedIdentityCredentialOptions extends CredentialOptions {
  /** The resource the token is for: an App ID URI (`api://…`), an appId or a URL such as `https://vault.azure.net`. */
  resource: string;
  /** A user-assigned identity attached to the host, by client id; absent: the host's system-assigned identity. */
  clientId?: string;
  /** The host's token endpoint; default: the `IDENTITY_ENDPOINT` environment variable. HTTPS, or HTTP to loopback. */
  endpoint?: string;
  /** The secret sent as `X-IDENTITY-HEADER`; default: the `IDENTITY_HEADER` environment variable. */
  identityHeader?: string;
}

/** Seconds since the epoch, as a number or a numeric string (App Service sends a string). */
function epochSeconds(value: unknown): number | undefined {
  const number = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof number === "number" && Number.isFinite(number) && number > 0 ? number : undefined;
}

function endpointOf(given: string | undefined): string {
  const endpoint = given ?? process.env.IDENTITY_ENDPOINT;
  if (!nonEmpty(endpoint)) throw new ConfigurationError("endpoint is required (or set IDENTITY_ENDPOINT)");
  if (!URL.canParse(endpoint)) throw new ConfigurationError("endpoint is not a URL");
  const url = new URL(endpoint);
  // The identity header travels with every request.
  if (!isSafeEndpoint(url)) {
    throw new ConfigurationError(`endpoint ${url.origin} must use https (http only for loopback hosts)`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigurationError("endpoint must not have credentials, a query or a fragment");
  }
  return url.href;
}

/**
 * Tokens of a managed identity from the App Service / Functions endpoint (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`),
 * as Azure hosts serve them and Gatehouse's identity service does for its hosts: the system-assigned identity, or a
 * user-assigned one by `clientId`. Cached, renewed ahead of expiry and retried like {@link ClientCredentials}.
 * `getToken` throws {@link ManagedIdentityError} when the endpoint refuses or cannot be reached.
 *
 * @example
 * ```ts
 * // IDENTITY_ENDPOINT and IDENTITY_HEADER set by the host (or `gatehouse identity env`):
 * const mi = new ManagedIdentityCredential({ resource: "api://5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f" });
 * const res = await mi.fetch("https://api.example/records");
 * ```
 */
export class ManagedIdentityCredential extends CachedCredential {
  private readonly url: string;
  private readonly header: string;
  private readonly resource: string;
  private readonly sender: RetryingSender;

  /** @throws {@link ConfigurationError} for unusable options (no endpoint, an http endpoint, no resource …). */
  constructor(options: ManagedIdentityCredentialOptions) {
    if (typeof options !== "object" || options === null) throw new ConfigurationError("options are required");
    if (!nonEmpty(options.resource)) throw new ConfigurationError("resource is required");
    if (options.clientId !== undefined && !nonEmpty(options.clientId))
      throw new ConfigurationError("clientId is empty");
    const endpoint = endpointOf(options.endpoint);
    const header = options.identityHeader ?? process.env.IDENTITY_HEADER;
    if (!nonEmpty(header)) throw new ConfigurationError("identityHeader is required (or set IDENTITY_HEADER)");
    const resource = options.resource.trim();
    const clientId = options.clientId?.trim().toLowerCase();
    const common = resolveCommon(options);
    super(JSON.stringify([endpoint.toLowerCase(), "managed-identity", clientId ?? "", resource]), common);
    const query = new URLSearchParams({ "api-version": API_VERSION, resource });
    if (clientId !== undefined) query.set("client_id", clientId);
    this.url = `${endpoint}?${query}`;
    this.header = header;
    this.resource = resource;
    this.sender = new RetryingSender(common);
  }

  protected async requestToken(): Promise<TokenEntry> {
    const exchange = await this.sender.send(this.url, async () => ({
      method: "GET",
      headers: { "x-identity-header": this.header, accept: "application/json" },
    }));
    const fail = (message: string, status: number | undefined, extra: object = {}, cause?: unknown) =>
      new ManagedIdentityError(
        message.replaceAll(this.header, "[redacted]"),
        { ...NO_ENTRA_FIELDS, status, retryAfterMs: undefined, url: this.url, ...extra },
        { cause },
      );
    if (exchange.kind === "unreachable") {
      throw fail(`cannot reach ${this.url}: ${unreachableReason(exchange.cause)}`, undefined, {}, exchange.cause);
    }
    const { status } = exchange;
    const body = parseJson(exchange.text);
    if (status < 200 || status > 299) {
      const message = managedIdentityMessage(body) ?? `managed identity endpoint answered ${status}`;
      throw fail(message, status, { ...entraErrorFields(body), retryAfterMs: exchange.retryAfterMs });
    }
    const response = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const expiresOn = epochSeconds(response.expires_on);
    if (typeof response.access_token !== "string" || response.access_token === "" || expiresOn === undefined) {
      throw fail(`managed identity endpoint answered ${status} without access_token and expires_on`, status);
    }
    const expiresMs = expiresOn * 1000;
    return {
      accessToken: response.access_token,
      tokenType: typeof response.token_type === "string" ? response.token_type : "Bearer",
      scope: this.resource,
      expiresOn: expiresMs,
      // Renewed at half its remaining lifetime, as for client credentials without refresh_in.
      refreshOn: exchange.sentAt + Math.max(0, expiresMs - exchange.sentAt) / 2,
      response,
    };
  }
}
