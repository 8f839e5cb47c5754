import { createSelfSignedCertificate } from "../../crypto/certificates.js";
import type { MasterKey } from "../../crypto/master-key.js";
import type { Store } from "../../store/store.js";
import { signingKeyAad } from "./key-ring.js";

/** Signing certificates outlive any rotation schedule; Entra's are valid for years too. */
const SIGNING_CERT_DAYS = 5 * 365;

/**
 * Creates an RSA-2048 key with a self-signed certificate, seals the private key with the master key and makes it
 * the signing key. `kid` = `x5t` = base64url SHA-1 thumbprint of the certificate, as Entra does.
 */
export async function rotateSigningKey(store: Store, masterKey: MasterKey, now = new Date()): Promise<string> {
  const created = await createSelfSignedCertificate("Gatehouse token signing", SIGNING_CERT_DAYS);
  const kid = created.certificate.thumbprints.sha1;
  const at = now.toISOString();
  await store.write(async (repos) => {
    await repos.signingKeys.insert({
      kid,
      certificatePem: created.certificatePem,
      sealedPrivateKey: masterKey.seal(created.privateKeyPem, signingKeyAad(kid)),
      createdAt: at,
      activatedAt: null,
      retiredAt: null,
    });
    await repos.signingKeys.activate(kid, at);
  });
  return kid;
}

/** Creates the first signing key if there is none. */
export async function ensureSigningKey(store: Store, masterKey: MasterKey): Promise<void> {
  const keys = await store.read((repos) => repos.signingKeys.list());
  if (!keys.some((k) => k.activatedAt !== null && k.retiredAt === null)) await rotateSigningKey(store, masterKey);
}
