import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  type CryptoKey,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type RemoteJWKSet,
} from "jose";
import { AuthError } from "./auth-error.js";
import { joseFetch, type FetchLike } from "./fetch.js";

export interface SigningKeyTiming {
  /** After a successful fetch, an unknown `kid` refetches the key set only once this has passed. */
  cooldownMs: number;
  /** Keys older than this are refetched before use. */
  maxAgeMs: number;
  timeoutMs: number;
}

type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

/** jose's errors for a key set that was found but holds no usable key; anything else is a failed fetch. */
const keySetAnswered = (error: unknown) =>
  error instanceof errors.JWKSNoMatchingKey ||
  error instanceof errors.JWKSMultipleMatchingKeys ||
  error instanceof errors.JOSENotSupported;

/**
 * The authority's signing keys through jose's remote key set: cached, refetched when a token names an unknown `kid`
 * (a key rotation) at most once per cooldown. When a refetch fails, the keys fetched last keep verifying, as
 * Microsoft.IdentityModel keeps its last known good configuration.
 */
export class SigningKeys {
  private remote: { uri: string; set: RemoteJWKSet; resolve: KeyResolver } | undefined;

  constructor(
    private readonly fetchImpl: FetchLike | undefined,
    private readonly timing: SigningKeyTiming,
  ) {}

  /** The key resolver for the key set at `jwksUri` (the same one until the discovery document names another). */
  resolver(jwksUri: string): KeyResolver {
    if (this.remote?.uri === jwksUri) return this.remote.resolve;
    const set = createRemoteJWKSet(new URL(jwksUri), {
      cooldownDuration: this.timing.cooldownMs,
      cacheMaxAge: this.timing.maxAgeMs,
      timeoutDuration: this.timing.timeoutMs,
      ...(this.fetchImpl ? { [customFetch]: joseFetch(this.fetchImpl) } : {}),
    });
    const resolve: KeyResolver = async (header, token) => {
      try {
        return await set(header, token);
      } catch (error) {
        if (keySetAnswered(error)) throw error;
        const lastGood = set.jwks();
        if (lastGood) {
          try {
            return await createLocalJWKSet(lastGood)(header, token);
          } catch {
            // The last good keys do not have it either: say that the authority could not be asked (below).
          }
        }
        throw new AuthError("authority_unavailable", "The token issuer's signing keys could not be read.", {
          cause: error,
        });
      }
    };
    this.remote = { uri: jwksUri, set, resolve };
    return resolve;
  }
}
