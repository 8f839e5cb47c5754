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

/** A key that signs from `from` (ms since the epoch) until a later key's `from`. */
interface ScheduledKey extends SigningKey {
  from: number;
}

/**
 * The signing keys of one store revision. A key signs from its activation time until the next key's; a key whose
 * activation is still ahead (rotated with a lead time) is already published, so validators that refresh their JWKS
 * on a schedule hold it before the first token it signs. Keys retired within the retention window (longest token
 * lifetime plus skew) stay published, so tokens signed before a rotation keep validating.
 */
export class KeyRing {
  private constructor(
    /** The key signing at load time, then the pending ones, by activation time. */
    private readonly schedule: readonly ScheduledKey[],
    readonly published: PublicJwk[],
  ) {}

  static from(records: SigningKeyRecord[], masterKey: MasterKey, retentionSeconds: number, now: number): KeyRing {
    const scheduled = records
      .filter((r) => r.activatedAt !== null && r.retiredAt === null)
      .sort((a, b) => (a.activatedAt as string).localeCompare(b.activatedAt as string));
    const activeAt = (r: SigningKeyRecord) => Date.parse(r.activatedAt as string);
    const currentIndex = scheduled.findLastIndex((r) => activeAt(r) <= now);
    const current = scheduled[currentIndex];
    if (!current)
      throw new KeyRingError("no active signing key: run `gatehouse init` or `gatehouse keys rotate --now`");
    const pending = scheduled.slice(currentIndex + 1);
    // A key superseded by a later activation is retired at that moment, as one retired explicitly.
    const supersededAt = new Map(
      scheduled.slice(0, currentIndex).map((r, i) => [r.kid, activeAt(scheduled[i + 1] as SigningKeyRecord)]),
    );
    const retiredAt = (r: SigningKeyRecord) =>
      r.retiredAt !== null ? Date.parse(r.retiredAt) : supersededAt.get(r.kid);
    const retired = records
      .map((r) => ({ record: r, at: retiredAt(r) }))
      .filter((r): r is { record: SigningKeyRecord; at: number } => r.at !== undefined)
      .sort((a, b) => b.at - a.at);
    // The key retired last is always kept; older ones only while tokens they signed can still be alive.
    const keep = retired.filter((r, i) => i === 0 || now - r.at < retentionSeconds * 1000).map((r) => r.record);
    const open = (r: SigningKeyRecord): ScheduledKey => ({
      kid: r.kid,
      privateKeyPem: masterKey.open(r.sealedPrivateKey, signingKeyAad(r.kid)).toString("utf8"),
      from: activeAt(r),
    });
    // The signing key first: a client that naively takes the first key still gets the right one.
    return new KeyRing([current, ...pending].map(open), [current, ...pending, ...keep].map(publicJwk));
  }

  /** The key that signs at `now`: the last one whose activation time has come. */
  current(now = Date.now()): SigningKey {
    for (let i = this.schedule.length - 1; i > 0; i--) {
      const key = this.schedule[i] as ScheduledKey;
      if (key.from <= now) return key;
    }
    return this.schedule[0] as ScheduledKey;
  }

  /** The private keys the signer needs until the next reload: the current one and the pending ones. */
  get loaded(): SigningKey[] {
    return this.schedule.map(({ kid, privateKeyPem }) => ({ kid, privateKeyPem }));
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
