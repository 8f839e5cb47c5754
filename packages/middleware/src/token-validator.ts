import { decodeProtectedHeader, jwtVerify, type JWTPayload } from "jose";
import { AuthError } from "./auth-error.js";
import { authorityDocuments } from "./authority.js";
import { bearerToken } from "./bearer.js";
import { isV2Issuer, readClaims, requireIssuer, requireRolesOrScopes } from "./claims-check.js";
import { globalFetch } from "./fetch.js";
import { fromJoseError } from "./jose-errors.js";
import { AuthorityMetadata } from "./metadata.js";
import { resolveSettings, type TokenValidatorOptions, type ValidatorSettings } from "./options.js";
import { SigningKeys } from "./signing-keys.js";
import { ValidatedToken } from "./validated-token.js";
import { VerifiedTokenCache } from "./verified-cache.js";

const TIMEOUT_MS = 5_000;
const METADATA_MAX_AGE_MS = 12 * 3600_000;
const METADATA_RETRY_MS = 60_000;
const KEYS_MAX_AGE_MS = 10 * 60_000;
/** A cached token is checked again after this long, so a key removed from the key set stops being trusted. */
const CACHE_MAX_AGE_MS = KEYS_MAX_AGE_MS;

/**
 * Validates access tokens from Microsoft Entra ID or Gatehouse the way Microsoft.Identity.Web does for a web API:
 * signature with the keys of the authority's v2 discovery document, issuer against the v2 or v1 document, audience,
 * lifetime with clock skew, and the presence of `roles` or `scp`. Framework-free; the Express and Fastify adapters
 * use it. Create one per API and keep it: it caches discovery documents, keys and validated tokens.
 *
 * Refusals are {@link AuthError}s: 401 for a missing or invalid token, including one with neither `roles` nor `scp`
 * (Microsoft.Identity.Web fails authentication for it, IDW10201, which JwtBearer answers with 401); 403 from the
 * role and scope checks; 503 when the authority cannot be read and no keys are known yet, since retrying with
 * another token would not help the caller.
 *
 * @example
 * const validator = new TokenValidator({ authority: "https://login.microsoftonline.com/<tenant>", audience: "<appId>" });
 * const auth = await validator.validate(request.headers.authorization); // throws AuthError (401, or 503)
 * auth.requireRole("access_as_application_API1"); // throws AuthError (403)
 */
export class TokenValidator {
  private readonly settings: ValidatorSettings;
  private readonly metadata: AuthorityMetadata;
  private readonly keys: SigningKeys;
  private readonly cache: VerifiedTokenCache<ValidatedToken>;

  constructor(options: TokenValidatorOptions) {
    this.settings = resolveSettings(options);
    const fetchImpl = options.fetch ?? globalFetch;
    this.metadata = new AuthorityMetadata(authorityDocuments(options.authority), fetchImpl, {
      maxAgeMs: METADATA_MAX_AGE_MS,
      retryMs: METADATA_RETRY_MS,
      timeoutMs: TIMEOUT_MS,
    });
    this.keys = new SigningKeys(fetchImpl, {
      cooldownMs: this.settings.keyRefreshCooldownMs,
      maxAgeMs: KEYS_MAX_AGE_MS,
      timeoutMs: TIMEOUT_MS,
    });
    this.cache = new VerifiedTokenCache(this.settings.cacheSize, CACHE_MAX_AGE_MS);
  }

  /**
   * Validates the bearer token of an `Authorization` header value.
   *
   * @throws {@link AuthError} 401 when no token was sent or it is invalid, 503 when the authority cannot be reached
   * before its keys are known.
   */
  async validate(authorization: string | undefined): Promise<ValidatedToken> {
    return this.validateToken(bearerToken(authorization));
  }

  /** Validates a token given without its `Bearer` scheme. Throws as {@link TokenValidator.validate}. */
  async validateToken(token: string): Promise<ValidatedToken> {
    const cached = this.cache.get(token, Date.now());
    if (cached !== undefined) return cached;
    const validated = await this.verify(token);
    const exp = validated.claims.exp;
    this.cache.set(token, validated, (exp + this.settings.clockSkewSeconds) * 1000, Date.now());
    return validated;
  }

  private async verify(token: string): Promise<ValidatedToken> {
    // The algorithm is checked before any key is looked up: `none` and HMAC never reach a key.
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch (error) {
      throw new AuthError("invalid_token", "The token is malformed.", { cause: error });
    }
    if (typeof alg !== "string" || !(this.settings.algorithms as string[]).includes(alg)) {
      throw new AuthError("invalid_token", "The signing algorithm is not allowed.");
    }
    const v2 = await this.metadata.v2();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys.resolver(v2.jwksUri), {
        algorithms: this.settings.algorithms,
        audience: this.settings.audiences,
        clockTolerance: this.settings.clockSkewSeconds,
        requiredClaims: ["exp"],
      }));
    } catch (error) {
      throw fromJoseError(error);
    }
    const claims = readClaims(payload);
    // Only a signed token can make the validator fetch the v1 document.
    requireIssuer(claims, (isV2Issuer(claims.iss) ? v2 : await this.metadata.v1()).issuer);
    if (this.settings.tenantIds && !this.settings.tenantIds.has(claims.tid.toLowerCase())) {
      throw new AuthError("invalid_token", "The tenant is not allowed.");
    }
    requireRolesOrScopes(claims);
    return new ValidatedToken(token, claims);
  }
}
