import type { PipelineContext } from "../pipeline/context.js";
import { PolicyFailure, type Step } from "../policy/definition.js";
import { valueOf, type Setting } from "../policy/setting.js";
import { checkLifetime, checkRequiredClaims, issuerMatches, issuerNotAllowed } from "./claims.js";
import type { AudienceRule, LifetimeRules, RequiredClaim } from "./claims.js";
import type { OpenIdKeySource } from "./key-sources.js";
import type { ResolvedKeySet } from "./key-set.js";
import { verifySignature } from "./signature.js";
import { decodeToken, type DecodedToken } from "./token.js";
import type { FailureSettings } from "./policy-elements.js";
import type { TokenLocator } from "./token-locator.js";
import type { CachedVerification, VerifyCache } from "./verify-cache.js";
import { JwtValidationError } from "./validation-error.js";

export interface JwtValidatorSettings {
  /** LastError.Source: the policy's name. */
  policy: string;
  /** The policy element's `id` (LastError.PolicyId). */
  id: string | undefined;
  locate: TokenLocator;
  /** failed-validation-httpcode and failed-validation-error-message. */
  failure: FailureSettings;
  /**
   * false accepts unsigned (`alg: none`) tokens, whatever keys are configured: the attribute maps onto
   * Microsoft.IdentityModel's RequireSignedTokens, which skips signature validation only for a token that has no
   * signature. A signed token is always verified, and every claim check still runs on an unsigned one.
   */
  requireSignedTokens: Setting<boolean>;
  lifetime: Setting<LifetimeRules>;
  /** issuer-signing-keys. */
  staticKeys: ResolvedKeySet | undefined;
  /** openid-config documents: keys, and their `issuer` as an accepted issuer. */
  sources: readonly OpenIdKeySource[];
  /** `<issuers>`. With neither these nor sources, any issuer is accepted. */
  issuers: Setting<readonly string[]>;
  audiences: Setting<AudienceRule | undefined>;
  requiredClaims: Setting<readonly RequiredClaim[]>;
  /** A further check of a policy built on this one (validate-azure-ad-token's client application ids). */
  check: ((token: DecodedToken) => void) | undefined;
  /** output-token-variable-name: receives the `Jwt` object. */
  outputVariable: string | undefined;
  cache: VerifyCache;
}

const seconds = () => Date.now() / 1000;

/**
 * validate-jwt's compiled step. For a token verified before, `run` stays synchronous: a header lookup, a cache hit
 * (still trusted by a current key set) and the claim checks. Otherwise it returns a promise that decodes, fetches
 * keys if needed, verifies the signature and caches the verification. Settings given as policy expressions are
 * evaluated when the request needs them; literal ones were prepared at load.
 */
export class JwtValidator implements Step {
  readonly policy: string;
  readonly id: string | undefined;

  constructor(private readonly settings: JwtValidatorSettings) {
    this.policy = settings.policy;
    this.id = settings.id;
  }

  run(context: PipelineContext): void | Promise<void> {
    try {
      const raw = this.settings.locate(context);
      const now = seconds();
      const cached = this.settings.cache.get(raw, now);
      if (cached !== undefined && this.trusts(cached)) {
        this.accept(cached.token, now, context);
        return;
      }
      return this.verify(raw, context).catch((error: unknown) => this.fail(error, context));
    } catch (error) {
      return this.fail(error, context);
    }
  }

  private fail(error: unknown, context: PipelineContext): never {
    if (!(error instanceof JwtValidationError)) throw error;
    const { status, message } = this.settings.failure;
    const clientMessage =
      message === undefined
        ? error.reason === "TokenNotPresent"
          ? "JWT not present."
          : "Invalid JWT."
        : valueOf(message, context);
    throw new PolicyFailure(valueOf(status, context), clientMessage, this.policy, error.reason, error.message);
  }

  private trusts(cached: CachedVerification): boolean {
    const { staticKeys, sources } = this.settings;
    if (staticKeys !== undefined && cached.trustedBy(staticKeys)) return true;
    for (const source of sources) {
      const keys = source.peek()?.keys;
      if (keys !== undefined && cached.trustedBy(keys)) return true;
    }
    return false;
  }

  private async verify(raw: string, context: PipelineContext): Promise<void> {
    const token = decodeToken(raw);
    if (token.unsigned) {
      if (valueOf(this.settings.requireSignedTokens, context)) {
        throw new JwtValidationError(
          "TokenSignatureInvalid",
          "IDX10504: Unable to validate signature, token does not have a signature.",
        );
      }
      this.accept(token, seconds(), context);
      return;
    }
    let outcome = await verifySignature(token, await this.keySets());
    if (outcome.kind === "unknown-key" && this.settings.sources.length > 0) {
      outcome = await verifySignature(token, await this.keySets(token));
    }
    if (outcome.kind !== "verified") throw outcome.error;
    const now = seconds();
    this.settings.cache.store(token, outcome.key, outcome.set, now);
    this.accept(token, now, context);
  }

  /**
   * The configured keys and each openid-config's; a source that never answered contributes none. With `unknownKey`,
   * the token whose key no set held: each source may refetch for it.
   */
  private async keySets(unknownKey?: DecodedToken): Promise<ResolvedKeySet[]> {
    const { staticKeys, sources } = this.settings;
    const sets = staticKeys ? [staticKeys] : [];
    const results = await Promise.allSettled(
      sources.map((source) =>
        unknownKey ? source.refreshForUnknownKid(unknownKey.kid, unknownKey.x5t) : source.current(),
      ),
    );
    const failures: string[] = [];
    for (const result of results) {
      if (result.status === "fulfilled") sets.push(result.value.keys);
      else failures.push(result.reason instanceof Error ? result.reason.message : String(result.reason));
    }
    if (sets.length === 0 && failures.length > 0) {
      throw new JwtValidationError(
        "TokenSignatureKeyNotFound",
        `IDX10500: Signature validation failed. No security keys were provided to validate the signature. ${failures.join("; ")}`,
      );
    }
    return sets;
  }

  private accept(token: DecodedToken, now: number, context: PipelineContext): void {
    const { settings } = this;
    checkLifetime(token, valueOf(settings.lifetime, context), now);
    valueOf(settings.audiences, context)?.check(token);
    const issuers = valueOf(settings.issuers, context);
    if (issuers.length > 0 || settings.sources.length > 0) this.checkIssuer(token, issuers);
    const requiredClaims = valueOf(settings.requiredClaims, context);
    if (requiredClaims.length > 0) checkRequiredClaims(token, requiredClaims);
    settings.check?.(token);
    if (settings.outputVariable !== undefined) context.variables.set(settings.outputVariable, token.jwt);
  }

  private checkIssuer(token: DecodedToken, issuers: readonly string[]): void {
    const iss = token.payload.iss;
    if (typeof iss === "string") {
      if (issuers.includes(iss)) return;
      for (const source of this.settings.sources) {
        const issuer = source.peek()?.issuer;
        if (issuer !== undefined && issuerMatches(issuer, token, iss)) return;
      }
    }
    const known = this.settings.sources.map((s) => s.peek()?.issuer).filter((i) => i !== undefined);
    throw issuerNotAllowed(iss, [...issuers, ...known]);
  }
}
