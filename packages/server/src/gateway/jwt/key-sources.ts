import { DocumentFetcher, KeyDocumentError, type JsonDocumentSource } from "./document-fetcher.js";
import { KeyImportError, keySetFromJwks, type ResolvedKeySet, type SkippedKey } from "./key-set.js";
import { BoundedMap } from "../state/bounded-map.js";
import { VerifyCache } from "./verify-cache.js";

export type { ResolvedKeySet } from "./key-set.js";

export interface KeySourcesOptions {
  /** Extra CA certificates (PEM) trusted besides the system roots and NODE_EXTRA_CA_CERTS: the local Gatehouse CA. */
  extraCa?: string[];
  /** openid-config + JWKS cache lifetime, default 1 h (apim.md §2.1). */
  refreshIntervalMs?: number;
  /**
   * Min interval between refreshes triggered by an unknown kid or after a failure, default 10 s: a key the issuer
   * has just published is accepted within this, while a flood of random kids costs at most one fetch per interval.
   */
  unknownKidRefreshMs?: number;
  /** Kids a refresh did not find, remembered for unknownKidRefreshMs per source, default 1,024. */
  missingKidCacheSize?: number;
  /** Default 10 s. */
  fetchTimeoutMs?: number;
  /** Fetch over https only (http only for loopback hosts), for documents named by configuration rather than policy. */
  httpsOnly?: boolean;
  /** Entries of the shared verification cache, default 10,000. */
  verifyCacheSize?: number;
  /** Metrics hook, called once per refresh attempt of an openid-config (document and JWKS). */
  onRefresh?: (url: string, outcome: "ok" | "failed") => void;
  logger?: { warn(obj: object, msg: string): void };
  /** Serves the documents instead of fetching them over the network (the offline policy test runner). */
  documents?: JsonDocumentSource;
}

/** What an openid-config yields: its `issuer` and the signing keys of its `jwks_uri`. */
export interface OpenIdKeys {
  issuer: string | undefined;
  keys: ResolvedKeySet;
}

/** The keys of one openid-config URL; every handle for the same URL is the same object. */
export interface OpenIdKeySource {
  readonly url: string;
  /**
   * Issuer and keys, fetching on first use; serves the cached version while fresh; refreshes in the background
   * when stale; after a failed refresh keeps the last good keys. Rejects only while no fetch ever succeeded.
   */
  current(): Promise<OpenIdKeys>;
  /**
   * Called when a token's kid (or x5t) is not in the set: refetches at most once per unknownKidRefreshMs (waiters
   * share one fetch), else returns the current keys. A name a refetch did not find answers from memory meanwhile.
   */
  refreshForUnknownKid(kid: string | undefined, x5t: string | undefined): Promise<OpenIdKeys>;
  /** The last good keys without waiting (undefined before the first success); starts a background refresh when stale. */
  peek(): OpenIdKeys | undefined;
}

interface Timing {
  refreshIntervalMs: number;
  unknownKidRefreshMs: number;
  missingKidCacheSize: number;
}

interface Good extends OpenIdKeys {
  /** The JWKS as fetched, to keep the same set (and version) when a refresh finds it unchanged. */
  jwksText: string;
}

class OpenIdSource implements OpenIdKeySource {
  private good: Good | undefined;
  private fetchedAt = 0;
  private inFlight: Promise<OpenIdKeys> | undefined;
  private failure: { error: Error; at: number } | undefined;
  private forcedAt = Number.NEGATIVE_INFINITY;
  /**
   * Key names (kid, x5t) a fresh fetch did not hold, each remembered for one cooldown so a token repeating one does not
   * spend the next refetch; bounded, so a flood of random kids costs memory proportional to the bound.
   */
  private readonly missing: BoundedMap<true>;

  constructor(
    readonly url: string,
    private readonly fetcher: JsonDocumentSource,
    private readonly timing: Timing,
    private readonly options: KeySourcesOptions,
  ) {
    this.missing = new BoundedMap<true>(timing.missingKidCacheSize);
  }

  peek(): OpenIdKeys | undefined {
    const good = this.good;
    if (good !== undefined && Date.now() - this.fetchedAt >= this.timing.refreshIntervalMs) this.refreshInBackground();
    return good;
  }

  current(): Promise<OpenIdKeys> {
    const good = this.peek();
    if (good !== undefined) return Promise.resolve(good);
    if (this.inFlight) return this.inFlight;
    // While the issuer is down and nothing was ever fetched, answer with the failure instead of refetching per request.
    if (this.failure && this.withinBackoff(this.failure.at)) return Promise.reject(this.failure.error);
    return this.refresh();
  }

  refreshForUnknownKid(kid: string | undefined, x5t: string | undefined): Promise<OpenIdKeys> {
    const name = `${kid ?? ""}\n${x5t ?? ""}`;
    if (this.missing.get(name, Date.now())) return this.current();
    let fetched = this.inFlight;
    if (!fetched) {
      if (this.withinBackoff(this.forcedAt) || (this.failure && this.withinBackoff(this.failure.at)))
        return this.current();
      this.forcedAt = Date.now();
      fetched = this.refresh();
    }
    return fetched.then(
      (keys) => {
        if (keys.keys.named(kid, x5t).length === 0)
          this.missing.set(name, true, Date.now() + this.timing.unknownKidRefreshMs);
        return keys;
      },
      (error: unknown) => {
        if (this.good) return this.good;
        throw error;
      },
    );
  }

  private withinBackoff(at: number): boolean {
    return Date.now() - at < this.timing.unknownKidRefreshMs;
  }

  private refreshInBackground(): void {
    if (this.inFlight || (this.failure && this.withinBackoff(this.failure.at))) return;
    // The failure is logged and recorded by refresh; requests keep the last good keys meanwhile.
    this.refresh().catch(() => undefined);
  }

  private refresh(): Promise<OpenIdKeys> {
    this.inFlight ??= this.fetchKeys().then(
      (good) => {
        this.inFlight = undefined;
        this.good = good;
        this.fetchedAt = Date.now();
        this.failure = undefined;
        this.options.onRefresh?.(this.url, "ok");
        return good;
      },
      (error: unknown) => {
        this.inFlight = undefined;
        const failure = error instanceof Error ? error : new Error(String(error));
        this.failure = { error: failure, at: Date.now() };
        this.options.onRefresh?.(this.url, "failed");
        this.options.logger?.warn(
          { url: this.url, error: failure.message, keepingLastGood: this.good !== undefined },
          "openid-config refresh failed",
        );
        throw failure;
      },
    );
    return this.inFlight;
  }

  private async fetchKeys(): Promise<Good> {
    const config = await this.fetcher.json(this.url);
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
      throw new KeyDocumentError(`${this.url} is not an OpenID configuration`);
    }
    const { issuer, jwks_uri: jwksUri } = config as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof jwksUri !== "string" || jwksUri === "") throw new KeyDocumentError(`${this.url} has no jwks_uri`);
    const jwks = await this.fetcher.json(jwksUri);
    const jwksText = JSON.stringify(jwks);
    const previous = this.good;
    const issuerText = typeof issuer === "string" && issuer !== "" ? issuer : undefined;
    if (previous && previous.jwksText === jwksText) return { issuer: issuerText, keys: previous.keys, jwksText };
    const skipped: SkippedKey[] = [];
    let keys: ResolvedKeySet;
    try {
      keys = keySetFromJwks(jwks, skipped);
    } catch (error) {
      if (error instanceof KeyImportError) throw new KeyImportError(`${jwksUri}: ${error.message}`);
      throw error;
    }
    if (skipped.length > 0) this.options.logger?.warn({ url: jwksUri, skipped }, "JWKS keys skipped");
    return { issuer: issuerText, keys, jwksText };
  }
}

/**
 * The openid-config and JWKS documents validate-jwt and validate-azure-ad-token use, fetched over one keep-alive
 * agent and cached per URL, plus the verification cache they share. Long-lived: survives configuration reloads.
 */
export class KeySources {
  readonly verifyCache: VerifyCache;
  private readonly sources = new Map<string, OpenIdSource>();
  private readonly fetcher: JsonDocumentSource;
  private readonly timing: Timing;

  constructor(private readonly options: KeySourcesOptions = {}) {
    this.fetcher =
      options.documents ??
      new DocumentFetcher({
        extraCa: options.extraCa ?? [],
        timeoutMs: options.fetchTimeoutMs ?? 10_000,
        httpsOnly: options.httpsOnly ?? false,
        logger: options.logger,
      });
    this.timing = {
      refreshIntervalMs: options.refreshIntervalMs ?? 60 * 60_000,
      unknownKidRefreshMs: options.unknownKidRefreshMs ?? 10_000,
      missingKidCacheSize: options.missingKidCacheSize ?? 1024,
    };
    this.verifyCache = new VerifyCache(options.verifyCacheSize);
  }

  /** A handle for one openid-config URL; handles for the same URL share one cache entry. */
  openIdConfig(url: string): OpenIdKeySource {
    let source = this.sources.get(url);
    if (!source) {
      source = new OpenIdSource(url, this.fetcher, this.timing, this.options);
      this.sources.set(url, source);
    }
    return source;
  }

  close(): Promise<void> {
    return this.fetcher.close();
  }
}
