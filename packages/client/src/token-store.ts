/** A cached token as a {@link TokenStore} keeps it: plain JSON, so a store may serialise it anywhere. */
export interface TokenEntry {
  accessToken: string;
  tokenType: string;
  /** The space-separated scopes the token was requested for, or the resource of a v1 request. */
  scope: string;
  /** When the token expires, in milliseconds since the epoch. */
  expiresOn: number;
  /** From when it is renewed ahead of expiry, in milliseconds since the epoch. */
  refreshOn: number;
  /** The token endpoint's JSON answer as it came. */
  response: Record<string, unknown>;
}

/**
 * Where tokens are cached, under a key per (authority, client, scope). Methods may return promises, so a store can
 * be shared by processes (Redis, a database); tokens are bearer credentials, so keep such a store private.
 */
export interface TokenStore {
  get(key: string): TokenEntry | undefined | Promise<TokenEntry | undefined>;
  set(key: string, entry: TokenEntry): void | Promise<void>;
  delete(key: string): void | Promise<void>;
}

/** The default store: a map in this process. */
export class MemoryTokenStore implements TokenStore {
  private readonly entries = new Map<string, TokenEntry>();

  get(key: string): TokenEntry | undefined {
    return this.entries.get(key);
  }

  set(key: string, entry: TokenEntry): void {
    this.entries.set(key, entry);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
