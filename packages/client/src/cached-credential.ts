import { isReplayable } from "./replayable.js";
import type { TokenEntry, TokenStore } from "./token-store.js";

/** A token from {@link ClientCredentials.getToken} or {@link ManagedIdentityCredential.getToken}. */
export interface TokenResult {
  /** The bearer token, for `Authorization: Bearer …`. */
  accessToken: string;
  /** `Bearer`. */
  tokenType: string;
  expiresOn: Date;
  /** From this time on the token is renewed in the background (`refresh_in`, or half its lifetime). */
  refreshOn: Date;
  /** The space-separated scopes requested, or the resource of a v1 or managed-identity request. */
  scope: string;
  /** The endpoint's JSON answer as it came (`ext_expires_in`, the v1 `expires_on`, a managed identity's `client_id` …). */
  response: Readonly<Record<string, unknown>>;
}

export interface GetTokenOptions {
  /** Request a new token even if a cached one is valid (joining a request already in flight). */
  forceRefresh?: boolean;
}

/** How a {@link CachedCredential} caches, renews and presents its tokens. */
export interface CacheSettings {
  fetch: typeof globalThis.fetch;
  tokenStore: TokenStore;
  refreshAhead: boolean;
  skewMs: number;
  subscriptionKey: { header: string; value: string } | undefined;
  onRefreshError: ((error: unknown) => void) | undefined;
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
 * What every credential of this package shares, whatever endpoint its tokens come from: tokens cached in the token
 * store under the credential's key and renewed in the background ahead of expiry, concurrent callers sharing one
 * request, and a `fetch` that presents the token and renews it once when the resource answers 401.
 */
export abstract class CachedCredential {
  private pending: Promise<TokenEntry> | undefined;

  protected constructor(
    /** The token store key of this instance's tokens. */
    readonly cacheKey: string,
    private readonly settings: CacheSettings,
  ) {}

  /** One request to the credential's token endpoint (retries included), as a cache entry. */
  protected abstract requestToken(): Promise<TokenEntry>;

  /**
   * A valid token: the cached one (renewed in the background once past its refresh time), or a new one when none is
   * cached or it expires within the skew.
   */
  async getToken(options: GetTokenOptions = {}): Promise<TokenResult> {
    if (!options.forceRefresh) {
      const entry = await this.settings.tokenStore.get(this.cacheKey);
      if (entry && this.usable(entry)) {
        if (this.settings.refreshAhead && Date.now() >= entry.refreshOn) this.refreshInBackground();
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
    return Date.now() < entry.expiresOn - this.settings.skewMs;
  }

  private send(input: string | URL | Request, init: RequestInit | undefined, accessToken: string) {
    // fetch(request, init) takes init's headers instead of the request's: merge them, init's last.
    const headers = new Headers(input instanceof Request ? input.headers : undefined);
    for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
    headers.set("authorization", `Bearer ${accessToken}`);
    const key = this.settings.subscriptionKey;
    if (key) headers.set(key.header, key.value);
    return this.settings.fetch(input, { ...init, headers });
  }

  /** A token other than the one a resource refused: the cached one if another call renewed it already, else a new one. */
  private async tokenAfterRejection(rejected: string): Promise<TokenResult> {
    const entry = await this.settings.tokenStore.get(this.cacheKey);
    if (entry?.accessToken === rejected) await this.settings.tokenStore.delete(this.cacheKey);
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
    const entry = await this.requestToken();
    await this.settings.tokenStore.set(this.cacheKey, entry);
    return entry;
  }

  /** Starts one renewal unless one is in flight; on failure the cached token stays and a later call tries again. */
  private refreshInBackground(): void {
    if (this.pending) return;
    this.acquire().catch((error: unknown) => this.settings.onRefreshError?.(error));
  }
}
