import { createSelfSignedCertificate } from "../../crypto/certificates.js";
import type { MasterKey } from "../../crypto/master-key.js";
import type { Store } from "../../store/store.js";
import { signingKeyAad } from "./key-ring.js";

/** Signing certificates outlive any rotation schedule; Entra's are valid for years too. */
const SIGNING_CERT_DAYS = 5 * 365;

/**
 * How long a rotated key is published before it signs. Validators refresh their keys on a schedule (API Management
 * every hour, Microsoft.IdentityModel every 12 h); a day covers them all, as Entra publishes its next key well ahead.
 */
export const DEFAULT_ROTATION_LEAD_SECONDS = 24 * 3600;

export interface RotatedKey {
  kid: string;
  /** When it starts signing (ISO 8601); until then it is published next to the current key. */
  activatedAt: string;
}

/**
 * Creates an RSA-2048 key with a self-signed certificate, seals the private key with the master key and schedules
 * it to sign `leadSeconds` from now (0: at once, for emergencies); the key it replaces is retired at that moment.
 * `kid` = `x5t` = base64url SHA-1 thumbprint of the certificate, as Entra does.
 */
export async function rotateSigningKey(
  store: Store,
  masterKey: MasterKey,
  leadSeconds: number,
  now = new Date(),
): Promise<RotatedKey> {
  const created = await createSelfSignedCertificate("Gatehouse token signing", SIGNING_CERT_DAYS);
  const kid = created.certificate.thumbprints.sha1;
  const activatedAt = new Date(now.getTime() + leadSeconds * 1000).toISOString();
  await store.write((repos) =>
    repos.signingKeys.insert({
      kid,
      certificatePem: created.certificatePem,
      sealedPrivateKey: masterKey.seal(created.privateKeyPem, signingKeyAad(kid)),
      createdAt: now.toISOString(),
      activatedAt,
      retiredAt: null,
    }),
  );
  return { kid, activatedAt };
}

/** Creates a signing key, active at once, if none signs now. */
export async function ensureSigningKey(store: Store, masterKey: MasterKey, now = new Date()): Promise<void> {
  const keys = await store.read((repos) => repos.signingKeys.list());
  const signing = keys.some(
    (k) => k.activatedAt !== null && k.retiredAt === null && Date.parse(k.activatedAt) <= now.getTime(),
  );
  if (!signing) await rotateSigningKey(store, masterKey, 0, now);
}
