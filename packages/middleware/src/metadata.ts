import { AuthError } from "./auth-error.js";
import { assertSecureUrl, type AuthorityDocuments } from "./authority.js";
import { fetchJson, type FetchLike } from "./fetch.js";

/** What the validator reads from a discovery document. */
export interface OpenIdMetadata {
  /** May hold the `{tenantid}` template (the `common` / `organizations` documents). */
  issuer: string;
  jwksUri: string;
}

export interface MetadataTiming {
  /** A document this old is refreshed in the background (Microsoft.IdentityModel refreshes every 12 h). */
  maxAgeMs: number;
  /** After a failed background refresh, the last good document is kept and the fetch retried this much later. */
  retryMs: number;
  timeoutMs: number;
}

/**
 * One discovery document, fetched on first use and kept. Only the first fetch makes callers wait; later refreshes
 * run in the background while the last good document keeps serving, so an authority outage does not stop an API
 * that already knows its keys. Concurrent first uses share one request.
 */
class CachedDocument {
  private current: OpenIdMetadata | undefined;
  private refreshAt = 0;
  private pending: Promise<OpenIdMetadata> | undefined;

  constructor(
    private readonly url: string,
    private readonly fetchImpl: FetchLike,
    private readonly timing: MetadataTiming,
  ) {}

  get(): Promise<OpenIdMetadata> {
    if (this.current === undefined) return this.refresh();
    if (Date.now() >= this.refreshAt) this.refresh().catch(() => undefined); // failure is handled in refresh()
    return Promise.resolve(this.current);
  }

  private refresh(): Promise<OpenIdMetadata> {
    this.pending ??= this.load()
      .then(
        (document) => {
          this.current = document;
          this.refreshAt = Date.now() + this.timing.maxAgeMs;
          return document;
        },
        (error: unknown) => {
          if (this.current === undefined) {
            throw new AuthError("authority_unavailable", "The token issuer's metadata could not be read.", {
              cause: error,
            });
          }
          this.refreshAt = Date.now() + this.timing.retryMs;
          return this.current;
        },
      )
      .finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async load(): Promise<OpenIdMetadata> {
    const body = await fetchJson(this.fetchImpl, this.url, this.timing.timeoutMs);
    const { issuer, jwks_uri: jwksUri } = (body ?? {}) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof issuer !== "string" || issuer === "" || typeof jwksUri !== "string") {
      throw new Error(`${this.url} has no issuer or jwks_uri`);
    }
    assertSecureUrl(new URL(jwksUri), "jwks_uri");
    return { issuer, jwksUri };
  }
}

/** The authority's v2 and v1 discovery documents; the v1 one is fetched only when a v1 token first arrives. */
export class AuthorityMetadata {
  private readonly documents: { v2: CachedDocument; v1: CachedDocument };

  constructor(urls: AuthorityDocuments, fetchImpl: FetchLike, timing: MetadataTiming) {
    this.documents = {
      v2: new CachedDocument(urls.v2, fetchImpl, timing),
      v1: new CachedDocument(urls.v1, fetchImpl, timing),
    };
  }

  v2(): Promise<OpenIdMetadata> {
    return this.documents.v2.get();
  }

  v1(): Promise<OpenIdMetadata> {
    return this.documents.v1.get();
  }
}
