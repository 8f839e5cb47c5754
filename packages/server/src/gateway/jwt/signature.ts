import { compactVerify } from "jose";
import type { ResolvedKeySet, VerificationKey } from "./key-set.js";
import type { DecodedToken } from "./token.js";
import { JwtValidationError, quote } from "./validation-error.js";

export type SignatureOutcome =
  | { kind: "verified"; key: VerificationKey; set: ResolvedKeySet }
  /** The token names a key (kid or x5t) no set holds: worth one refresh of the openid-config keys. */
  | { kind: "unknown-key"; error: JwtValidationError }
  | { kind: "failed"; error: JwtValidationError };

interface Candidate {
  key: VerificationKey;
  set: ResolvedKeySet;
}

async function verifiesWith(token: DecodedToken, key: VerificationKey): Promise<boolean> {
  try {
    // One algorithm, the token's, which the key's type allows: jose re-checks that the key fits it.
    await compactVerify(token.raw, key.material, { algorithms: [token.header.alg] });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks the signature against the keys the token names (kid, x5t), else against keys without a kid, else, when
 * the token names none, against every key. A key verifies only its own family's algorithms, so an HS256 token
 * "signed" with an RSA public key's bytes meets no HMAC key and fails.
 */
export async function verifySignature(token: DecodedToken, sets: readonly ResolvedKeySet[]): Promise<SignatureOutcome> {
  const { alg } = token.header;
  const { kid, x5t } = token;
  const names = kid !== undefined || x5t !== undefined;
  const named: Candidate[] = [];
  const fallback: Candidate[] = [];
  for (const set of sets) {
    if (names) for (const key of set.named(kid, x5t)) named.push({ key, set });
    for (const key of names ? set.unnamed : set.keys) fallback.push({ key, set });
  }
  const candidates = named.length > 0 ? named : fallback;
  const usable = candidates.filter((c) => c.key.algorithms.has(alg));
  for (const candidate of usable) {
    if (await verifiesWith(token, candidate.key)) return { kind: "verified", ...candidate };
  }
  const keyName = `kid: '${quote(kid ?? "")}'`;
  if (sets.every((set) => set.keys.length === 0)) {
    return {
      kind: "failed",
      error: new JwtValidationError(
        "TokenSignatureKeyNotFound",
        "IDX10500: Signature validation failed. No security keys were provided to validate the signature.",
      ),
    };
  }
  if (names && named.length === 0) {
    return {
      kind: "unknown-key",
      error: new JwtValidationError(
        "TokenSignatureKeyNotFound",
        `IDX10503: Signature validation failed. The token's kid did not match any keys. ${keyName}. Keys tried: '${usable.length}'.`,
      ),
    };
  }
  if (usable.length === 0) {
    return {
      kind: "failed",
      error: new JwtValidationError(
        "TokenSignatureInvalid",
        `IDX10511: Signature validation failed. Algorithm '${quote(alg)}' cannot be used with the matching keys. ${keyName}.`,
      ),
    };
  }
  return {
    kind: "failed",
    error: new JwtValidationError(
      "TokenSignatureInvalid",
      `IDX10511: Signature validation failed. Keys tried: '${usable.length}'. ${keyName}.`,
    ),
  };
}
