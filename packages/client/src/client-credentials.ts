import { TokenEndpointDiscovery } from "./discovery.js";
import { resolveOptions, type ClientCredentialsOptions, type ResolvedOptions } from "./options.js";
import { isReplayable } from "./replayable.js";
import { RetryingSender } from "./sender.js";
import { requestToken } from "./token-request.js";
import type { TokenEntry } from "./token-store.js";

/** A token from {@link ClientCredentials.getToken}. */
export interface TokenResult {
  /** The bearer token, for `Authorization: Bearer …`. */
  accessToken: string;
  /** `Bearer`. */
  tokenType: string;
  expiresOn: Date;
  /** From this time on the token is renewed in the background (`refresh_in`, or half its lifetime). */
  refreshOn: Date;
  /** The space-separated scopes requested, or the resource of a v1 request. */
  scope: string;
  /** The token endpoint's JSON answer as it came (`ext_expires_in`, the v1 `expires_on` …). */
  response: Readonly<Record<string, unknown>>;
}

export interface GetTokenOptions {
  /** Request a new token even if a cached one is valid (joining a request already in flight). */
  forceRefresh?: boolean;
}

const tokenResult = (entry: TokenEntry): TokenResult => ({
  accessToken: entry.accessToken,
  tokenType: entry.tokenType,
  expiresOn: new Date(entry.expiresOn),
  refreshOn: new Date(entry.refreshOn),
  scope: entry.scope,
  response: entry.response,
});

/**
 * App-only tokens with the OAuth 2.0 client credentials grant, from Microsoft Entra ID or Gatehouse (MSAL's
 * `acquireTokenForClient`). The token endpoint is discovered from the authority. Tokens are cached in the token
 * store and renewed in the background ahead of expiry; concurrent calls share one request; network errors, 429 and
 * 5xx are retried with backoff and `Retry-After`; failures are typed ({@link TokenRequestError} …).
 *
 * @example
 * ```ts
 * const cc = new ClientCredentials({ authority: "https://localhost:8443/contoso.example", clientId, clientSecret,
 *   scope: "api://5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f/.default" });
 * const { accessToken, expiresOn } = await cc.getToken();
 * const res = await cc.fetch("https://api.example/records");
 * ```
 */
export class ClientCredentials {
  /** The token store key of this instance's tokens: its authority, client and scope (or resource). */
  readonly cacheKey: string;
  private readonly options: ResolvedOptions;
  private readonly sender: RetryingSender;
  private readonly discovery: TokenEndpointDiscovery;
  private pending: Promise<TokenEntry> | undefined;

  /** @throws {@link ConfigurationError} for unusable options (an http authority, no credential, a bad PEM …). */
  constructor(options: ClientCredentialsOptions) {
    this.options = resolveOptions(options);
    const { authority, clientId, target } = this.options;
    this.cacheKey = JSON.stringify([authority.toLowerCase(), clientId.toLowerCase(), target.parameter, target.value]);
    this.sender = new RetryingSender(this.options);
    this.discovery = new TokenEndpointDiscovery(authority, target.parameter === "scope" ? "v2" : "v1", this.sender);
  }

  /**
   * A valid token: the cached one (renewed in the background once past its refresh time), or a new one when none is
   * cached or it expires within the skew.
   * @throws {@link TokenRequestError} when the token endpoint refuses or cannot be reached;
   * {@link DiscoveryError} when the authority's configuration cannot be read.
   */
  async getToken(options: GetTokenOptions = {}): Promise<TokenResult> {
    if (!options.forceRefresh) {
      const entry = await this.options.tokenStore.get(this.cacheKey);
      if (entry && this.usable(entry)) {
        if (this.options.refreshAhead && Date.now() >= entry.refreshOn) this.refreshInBackground();
        return tokenResult(entry);
      }
    }
    return tokenResult(await this.acquire());
  }

  /**
   * `fetch` with `Authorization: Bearer <token>` and, if configured, the subscription key. On a 401 the token is
   * dropped from the cache and the request sent once more with a new one, when its body can be sent again (none, a
   * string, bytes, URLSearchParams, Blob or FormData; not a stream).
   */
  async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const token = await this.getToken();
    const response = await this.send(input, init, token.accessToken);
    if (response.status !== 401 || !isReplayable(input, init)) return response;
    await response.body?.cancel();
    const fresh = await this.tokenAfterRejection(token.accessToken);
    return this.send(input, init, fresh.accessToken);
  }

  private usable(entry: TokenEntry): boolean {
    return Date.now() < entry.expiresOn - this.options.skewMs;
  }

  private send(input: string | URL | Request, init: RequestInit | undefined, accessToken: string) {
    // fetch(request, init) takes init's headers instead of the request's: merge them, init's last.
    const headers = new Headers(input instanceof Request ? input.headers : undefined);
    for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
    headers.set("authorization", `Bearer ${accessToken}`);
    const key = this.options.subscriptionKey;
    if (key) headers.set(key.header, key.value);
    return this.options.fetch(input, { ...init, headers });
  }

  /** A token other than the one a resource refused: the cached one if another call renewed it already, else a new one. */
  private async tokenAfterRejection(rejected: string): Promise<TokenResult> {
    const entry = await this.options.tokenStore.get(this.cacheKey);
    if (entry?.accessToken === rejected) await this.options.tokenStore.delete(this.cacheKey);
    else if (entry && this.usable(entry)) return tokenResult(entry);
    return tokenResult(await this.acquire());
  }

  /** The token request in flight, or a new one: concurrent callers share a single request. Errors are not cached. */
  private acquire(): Promise<TokenEntry> {
    this.pending ??= this.requestAndStore().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async requestAndStore(): Promise<TokenEntry> {
    const tokenEndpoint = await this.discovery.tokenEndpoint();
    const entry = await requestToken(this.sender, tokenEndpoint, this.options);
    await this.options.tokenStore.set(this.cacheKey, entry);
    return entry;
  }

  /** Starts one renewal unless one is in flight; on failure the cached token stays and a later call tries again. */
  private refreshInBackground(): void {
    if (this.pending) return;
    this.acquire().catch((error: unknown) => this.options.onRefreshError?.(error));
  }
}
