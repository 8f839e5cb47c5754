import { X509Certificate } from "node:crypto";
import type { MasterKey } from "../../crypto/master-key.js";
import type { SigningKeyRecord } from "../../store/repositories/signing-keys.js";

export class KeyRingError extends Error {
  override name = "KeyRingError";
}

export interface PublicJwk {
  kty: "RSA";
  use: "sig";
  kid: string;
  x5t: string;
  n: string;
  e: string;
  x5c: string[];
}

export interface SigningKey {
  kid: string;
  privateKeyPem: string;
}

/** The aad that binds a sealed private key to its row, so a swapped ciphertext does not open. */
export const signingKeyAad = (kid: string) => `signing-key:${kid}`;

/**
 * The signing keys of one store revision: the current key signs; it and the keys retired within the retention
 * window (longest token lifetime plus skew) are published, so tokens signed before a rotation keep validating.
 */
export class KeyRing {
  private constructor(
    readonly current: SigningKey,
    readonly published: PublicJwk[],
    readonly loaded: SigningKey[],
  ) {}

  static from(records: SigningKeyRecord[], masterKey: MasterKey, retentionSeconds: number, now: number): KeyRing {
    const active = records
      .filter((r) => r.activatedAt !== null && r.retiredAt === null)
      .sort((a, b) => (a.activatedAt as string).localeCompare(b.activatedAt as string))
      .at(-1);
    if (!active) throw new KeyRingError("no active signing key: run `gatehouse init` or `gatehouse keys rotate`");
    const retired = records
      .filter((r) => r.retiredAt !== null && r.kid !== active.kid)
      .sort((a, b) => (b.retiredAt as string).localeCompare(a.retiredAt as string));
    // The key retired last is always kept; older ones only while tokens they signed can still be alive.
    const keep = retired.filter((r, i) => i === 0 || now - Date.parse(r.retiredAt as string) < retentionSeconds * 1000);
    const open = (r: SigningKeyRecord): SigningKey => ({
      kid: r.kid,
      privateKeyPem: masterKey.open(r.sealedPrivateKey, signingKeyAad(r.kid)).toString("utf8"),
    });
    return new KeyRing(open(active), [active, ...keep].map(publicJwk), [open(active)]);
  }

  jwks(issuer?: string): { keys: (PublicJwk & { issuer?: string })[] } {
    return { keys: this.published.map((k) => (issuer ? { ...k, issuer } : k)) };
  }
}

function publicJwk(record: SigningKeyRecord): PublicJwk {
  const cert = new X509Certificate(record.certificatePem);
  const jwk = cert.publicKey.export({ format: "jwk" });
  if (typeof jwk.n !== "string" || typeof jwk.e !== "string") throw new KeyRingError(`key ${record.kid} is not RSA`);
  return {
    kty: "RSA",
    use: "sig",
    kid: record.kid,
    x5t: record.kid,
    n: jwk.n,
    e: jwk.e,
    x5c: [cert.raw.toString("base64")],
  };
}
