import {
  createLocalJWKSet,
  errors,
  type CryptoKey,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from "jose";
import { AuthError } from "./auth-error.js";
import { fetchJson, type FetchLike } from "./fetch.js";

export interface SigningKeyTiming {
  /**
   * The least time between two fetches of the key set that a token naming an unknown `kid` triggers, and between
   * retries after a failed fetch: a new key is accepted within it, a flood of random kids costs one fetch per it.
   */
  cooldownMs: number;
  /** Keys older than this are refetched in the background while they keep serving. */
  maxAgeMs: number;
  timeoutMs: number;
}

type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;
type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

const unavailable = (cause?: unknown) =>
  new AuthError("authority_unavailable", "The token issuer's signing keys could not be read.", { cause });

/**
 * The keys of one key set URL. Only the first fetch makes callers wait; a stale set is refreshed in the background
 * while it keeps verifying, and after a failed fetch the keys fetched last keep verifying, as Microsoft.IdentityModel
 * keeps its last known good configuration. A token naming an unknown `kid` (a key rotation) refetches at most once
 * per cooldown, callers sharing the fetch in flight; a failure is retried no sooner than a cooldown later, so an
 * authority outage costs neither a fetch nor a wait per request.
 */
class RemoteKeySet {
  private keys: LocalKeySet | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  /** When the last fetch an unknown kid triggered started, or the last failed fetch ended. */
  private triedAt = Number.NEGATIVE_INFINITY;
  private failure: unknown;
  private pending: Promise<LocalKeySet> | undefined;

  constructor(
    readonly uri: string,
    private readonly fetchImpl: FetchLike,
    private readonly timing: SigningKeyTiming,
  ) {}

  readonly resolve: KeyResolver = async (header, token) => {
    const keys = await this.current();
    try {
      return await keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      if (this.pending === undefined && this.coolingDown())
        throw this.failure === undefined ? error : unavailable(error);
      if (this.pending === undefined) this.triedAt = Date.now();
    }
    let refreshed: LocalKeySet;
    try {
      refreshed = await this.fetch();
    } catch (error) {
      // The last good keys do not have it and the authority cannot be asked: not the caller's fault.
      throw unavailable(error);
    }
    return refreshed(header, token);
  };

  private async current(): Promise<LocalKeySet> {
    if (this.keys === undefined) {
      if (this.pending === undefined && this.failure !== undefined && this.coolingDown())
        throw unavailable(this.failure);
      try {
        return await this.fetch();
      } catch (error) {
        throw unavailable(error);
      }
    }
    if (Date.now() - this.fetchedAt >= this.timing.maxAgeMs && this.pending === undefined) {
      if (this.failure === undefined || !this.coolingDown()) this.fetch().catch(() => undefined); // kept in `failure`
    }
    return this.keys;
  }

  private coolingDown(): boolean {
    return Date.now() - Math.max(this.triedAt, this.fetchedAt) < this.timing.cooldownMs;
  }

  private fetch(): Promise<LocalKeySet> {
    this.pending ??= fetchJson(this.fetchImpl, this.uri, this.timing.timeoutMs)
      // A document that is not a key set fails here, like a failed fetch.
      .then((document) => createLocalJWKSet(document as JSONWebKeySet))
      .then(
        (keys) => {
          this.keys = keys;
          this.fetchedAt = Date.now();
          this.failure = undefined;
          return keys;
        },
        (error: unknown) => {
          this.failure = error;
          this.triedAt = Date.now();
          throw error;
        },
      )
      .finally(() => (this.pending = undefined));
    return this.pending;
  }
}

/** The authority's signing keys, for the key set URL its discovery document names. */
export class SigningKeys {
  private remote: RemoteKeySet | undefined;

  constructor(
    private readonly fetchImpl: FetchLike,
    private readonly timing: SigningKeyTiming,
  ) {}

  /** The key resolver for the key set at `jwksUri` (the same one until the discovery document names another). */
  resolver(jwksUri: string): KeyResolver {
    if (this.remote?.uri !== jwksUri) this.remote = new RemoteKeySet(jwksUri, this.fetchImpl, this.timing);
    return this.remote.resolve;
  }
}
