import type { KeySources, OpenIdKeySource } from "../jwt/key-sources.js";
import type { ResolvedKeySet } from "../jwt/key-set.js";
import { issuerMatches, issuerNotAllowed } from "../jwt/claims.js";
import { verifySignature } from "../jwt/signature.js";
import type { DecodedToken } from "../jwt/token.js";
import { JwtValidationError } from "../jwt/validation-error.js";
import type { CachedVerification, VerifyCache } from "../jwt/verify-cache.js";

/**
 * One tenant's signing keys and issuers, from the identity service's v2.0 and v1.0 discovery documents for it — the
 * documents (and cache entries) validate-azure-ad-token uses, with their refresh and unknown-kid cooldown. The issuers
 * are the documents' own, so they follow the identity service's issuer templates, or Entra's
 * `https://login.microsoftonline.com/{tid}/v2.0` and `https://sts.windows.net/{tid}/`.
 */
export class TenantKeys {
  private readonly sources: readonly OpenIdKeySource[];

  readonly tenantId: string;

  constructor(
    tenantId: string,
    /** The identity service's base URL: `https://login.microsoftonline.com`, or Gatehouse's identity listener. */
    authority: string,
    keySources: KeySources,
    private readonly cache: VerifyCache,
  ) {
    this.tenantId = tenantId.toLowerCase();
    const base = `${authority.replace(/\/+$/, "")}/${encodeURIComponent(tenantId)}`;
    this.sources = [
      keySources.openIdConfig(`${base}/v2.0/.well-known/openid-configuration`),
      keySources.openIdConfig(`${base}/.well-known/openid-configuration`),
    ];
  }

  /** Whether a token verified before was verified with a key these documents still publish. */
  trusts(verification: CachedVerification): boolean {
    for (const source of this.sources) {
      const keys = source.peek()?.keys;
      if (keys !== undefined && verification.trustedBy(keys)) return true;
    }
    return false;
  }

  /** Checks the signature of a decoded token, refetching the keys once for a kid they do not hold; caches it. */
  async verify(token: DecodedToken, now: number): Promise<void> {
    if (token.unsigned) {
      throw new JwtValidationError(
        "TokenSignatureInvalid",
        "IDX10504: Unable to validate signature, token does not have a signature.",
      );
    }
    let outcome = await verifySignature(token, await this.keySets(undefined));
    if (outcome.kind === "unknown-key") outcome = await verifySignature(token, await this.keySets(token));
    if (outcome.kind !== "verified") throw outcome.error;
    this.cache.store(token, outcome.key, outcome.set, now);
  }

  /** `iss` must be the v2.0 or v1.0 issuer of this tenant, and `tid` (when present) this tenant. */
  checkIssuer(token: DecodedToken): void {
    const { iss, tid } = token.payload;
    const known = this.sources.map((s) => s.peek()?.issuer).filter((i) => i !== undefined);
    const matches = typeof iss === "string" && known.some((issuer) => issuerMatches(issuer, token, iss));
    const otherTenant = tid !== undefined && (typeof tid !== "string" || tid.toLowerCase() !== this.tenantId);
    if (!matches || otherTenant) throw issuerNotAllowed(iss, known);
  }

  /** The documents' key sets; one that cannot be had adds none (both failing is a refusal, not an error). */
  private async keySets(unknownKey: DecodedToken | undefined): Promise<ResolvedKeySet[]> {
    const results = await Promise.allSettled(
      this.sources.map((source) =>
        unknownKey ? source.refreshForUnknownKid(unknownKey.kid, unknownKey.x5t) : source.current(),
      ),
    );
    const sets = results.flatMap((r) => (r.status === "fulfilled" ? [r.value.keys] : []));
    if (sets.length === 0) {
      const failures = results.map((r) => (r.status === "rejected" ? String((r.reason as Error).message) : ""));
      throw new JwtValidationError(
        "TokenSignatureKeyNotFound",
        `IDX10500: Signature validation failed. No security keys were provided to validate the signature. ${failures.join("; ")}`,
      );
    }
    return sets;
  }
}
