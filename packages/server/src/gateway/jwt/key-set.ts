import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";

/** The JWS algorithms validate-jwt verifies; a key only ever verifies the family its type belongs to. */
const RSA_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] as const;
const HMAC_ALGORITHMS = ["HS256", "HS384", "HS512"] as const;
const EC_ALGORITHM_BY_CURVE: Readonly<Record<string, string>> = {
  "P-256": "ES256",
  "P-384": "ES384",
  "P-521": "ES512",
};
/** jose refuses shorter RSA keys for RS and PS algorithms, so such a key could never verify anything. */
const MIN_RSA_BITS = 2048;

export class KeyImportError extends Error {
  override name = "KeyImportError";
}

/** One key a token may be verified with, imported once. */
export interface VerificationKey {
  /** The JWKS `kid`, or an issuer-signing-keys `id`. */
  readonly kid: string | undefined;
  readonly x5t: string | undefined;
  /** Identifies the key material, so a cached verification can tell whether its key is still trusted. */
  readonly fingerprint: string;
  /** The algorithms this key may verify (its type's family, narrowed by a declared `alg`). */
  readonly algorithms: ReadonlySet<string>;
  /** A public KeyObject (jose derives its WebCrypto key once per algorithm), or the raw HMAC secret. */
  readonly material: KeyObject | Uint8Array;
}

let lastVersion = 0;

/**
 * An immutable set of verification keys indexed by `kid` and `x5t`. Every set gets a new, process-wide unique
 * `version`, so a cache entry that remembers the version it was checked against knows when to look again.
 */
export class ResolvedKeySet {
  readonly version = ++lastVersion;
  private readonly byKid = new Map<string, VerificationKey[]>();
  private readonly byX5t = new Map<string, VerificationKey[]>();
  private readonly fingerprints = new Set<string>();
  /** Keys without a `kid`: tried for any token, as issuer-signing-keys without `id` are. */
  readonly unnamed: readonly VerificationKey[];

  constructor(readonly keys: readonly VerificationKey[]) {
    for (const key of keys) {
      if (key.kid !== undefined) append(this.byKid, key.kid, key);
      if (key.x5t !== undefined) append(this.byX5t, key.x5t, key);
      this.fingerprints.add(key.fingerprint);
    }
    this.unnamed = keys.filter((k) => k.kid === undefined);
  }

  /** Keys whose `kid` or `x5t` names the token's. */
  named(kid: string | undefined, x5t: string | undefined): VerificationKey[] {
    const byKid = kid === undefined ? undefined : this.byKid.get(kid);
    const byX5t = x5t === undefined ? undefined : this.byX5t.get(x5t);
    if (!byX5t) return byKid ?? [];
    if (!byKid) return byX5t;
    return [...new Set([...byKid, ...byX5t])];
  }

  has(fingerprint: string): boolean {
    return this.fingerprints.has(fingerprint);
  }
}

function append(map: Map<string, VerificationKey[]>, name: string, key: VerificationKey): void {
  const list = map.get(name);
  if (list) list.push(key);
  else map.set(name, [key]);
}

function fingerprintOf(parts: readonly string[]): string {
  return createHash("sha256").update(parts.join("\n")).digest("base64url");
}

/** An RSA public key from its base64url modulus and exponent; throws KeyImportError. */
export function rsaKey(n: string, e: string, kid: string | undefined, x5t?: string, alg?: string): VerificationKey {
  const algorithms = alg === undefined ? RSA_ALGORITHMS : RSA_ALGORITHMS.filter((a) => a === alg);
  if (algorithms.length === 0) throw new KeyImportError(`algorithm ${alg} cannot be used with an RSA key`);
  let material: KeyObject;
  try {
    material = createPublicKey({ key: { kty: "RSA", n, e }, format: "jwk" });
  } catch {
    throw new KeyImportError("the RSA modulus (n) and exponent (e) do not form a valid public key");
  }
  const bits = material.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw new KeyImportError(`RSA keys must have at least ${MIN_RSA_BITS} bits, not ${bits}`);
  return { kid, x5t, fingerprint: fingerprintOf(["RSA", n, e]), algorithms: new Set(algorithms), material };
}

function ecKey(jwk: JsonWebKey, kid: string | undefined, x5t: string | undefined): VerificationKey {
  const crv = typeof jwk.crv === "string" ? jwk.crv : "";
  const algorithm = EC_ALGORITHM_BY_CURVE[crv];
  if (algorithm === undefined) throw new KeyImportError(`unsupported EC curve ${crv}`);
  if (jwk.alg !== undefined && jwk.alg !== algorithm) {
    throw new KeyImportError(`algorithm ${String(jwk.alg)} cannot be used with a ${crv} key`);
  }
  if (typeof jwk.x !== "string" || typeof jwk.y !== "string") throw new KeyImportError("EC key without x and y");
  let material: KeyObject;
  try {
    material = createPublicKey({ key: { kty: "EC", crv, x: jwk.x, y: jwk.y }, format: "jwk" });
  } catch {
    throw new KeyImportError("the EC coordinates do not form a valid public key");
  }
  return {
    kid,
    x5t,
    fingerprint: fingerprintOf(["EC", crv, jwk.x, jwk.y]),
    algorithms: new Set([algorithm]),
    material,
  };
}

/** A symmetric key (issuer-signing-keys' Base64 form) for HS256/384/512. */
export function hmacKey(secret: Uint8Array, kid: string | undefined): VerificationKey {
  return {
    kid,
    x5t: undefined,
    fingerprint: fingerprintOf(["oct", Buffer.from(secret).toString("base64url")]),
    algorithms: new Set(HMAC_ALGORITHMS),
    material: secret,
  };
}

/** An RSA or EC public key from its JWK; throws KeyImportError for other key types. */
export function keyFromJwk(jwk: JsonWebKey, kid: string | undefined, x5t: string | undefined): VerificationKey {
  if (jwk.kty === "RSA") {
    if (typeof jwk.n !== "string" || typeof jwk.e !== "string") throw new KeyImportError("RSA key without n and e");
    return rsaKey(jwk.n, jwk.e, kid, x5t, typeof jwk.alg === "string" ? jwk.alg : undefined);
  }
  if (jwk.kty === "EC") return ecKey(jwk, kid, x5t);
  throw new KeyImportError(`key type ${String(jwk.kty)} is not supported`);
}

/** Why a JWKS entry was left out; logged, never fatal unless no key is left. */
export interface SkippedKey {
  kid: string | undefined;
  reason: string;
}

/**
 * The signing keys of a JWKS document: keys meant for encryption (`use` other than `sig`), symmetric keys and key
 * types other than RSA and EC are skipped. Throws KeyImportError when the document has no usable key.
 */
export function keySetFromJwks(document: unknown, skipped: SkippedKey[] = []): ResolvedKeySet {
  const entries = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(entries)) throw new KeyImportError("the JWKS document has no keys array");
  const keys: VerificationKey[] = [];
  for (const entry of entries as unknown[]) {
    if (typeof entry !== "object" || entry === null) continue;
    const jwk = entry as JsonWebKey;
    const kid = typeof jwk.kid === "string" ? jwk.kid : undefined;
    const x5t = typeof jwk.x5t === "string" ? jwk.x5t : undefined;
    if (jwk.use !== undefined && jwk.use !== "sig") {
      skipped.push({ kid, reason: `use is ${String(jwk.use)}` });
      continue;
    }
    try {
      keys.push(keyFromJwk(jwk, kid, x5t));
    } catch (error) {
      if (!(error instanceof KeyImportError)) throw error;
      skipped.push({ kid, reason: error.message });
    }
  }
  if (keys.length === 0) throw new KeyImportError("the JWKS document has no usable signing key");
  return new ResolvedKeySet(keys);
}
