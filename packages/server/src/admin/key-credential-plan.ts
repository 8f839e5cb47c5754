import { parseCertificate } from "../crypto/certificates.js";
import type { StoredKeyCredential } from "../identity/model.js";
import type { KeyInput, Registry } from "../identity/registry.js";
import { graphErrors } from "./graph-errors.js";
import type { KeyCredentialInput } from "./schemas.js";

export interface KeyCredentialPlan {
  add: KeyInput[];
  remove: string[];
}

/**
 * Graph's way of changing certificates: the `keyCredentials` array is the new collection. Entries with `key` are
 * added, entries naming an existing `keyId` are kept, existing keys left out are removed. Everything is checked here,
 * before any write, so a bad entry changes nothing.
 */
export function planKeyCredentials(existing: StoredKeyCredential[], entries: KeyCredentialInput[]): KeyCredentialPlan {
  const existingIds = new Set(existing.map((k) => k.keyId));
  const kept = new Set<string>();
  const add: KeyInput[] = [];
  const newIds = new Set<string>();
  const thumbprints = new Set<string>();
  entries.forEach((entry, i) => {
    const keyId = entry.keyId?.toLowerCase();
    if (keyId !== undefined && existingIds.has(keyId)) {
      kept.add(keyId);
      return;
    }
    if (entry.key === undefined) {
      throw graphErrors.badRequest(
        keyId === undefined
          ? `Property 'keyCredentials[${i}].key' is required to add a certificate.`
          : `keyCredentials[${i}]: '${keyId}' is not a key of this application; give 'key' to add a certificate.`,
      );
    }
    if (keyId !== undefined) {
      if (newIds.has(keyId)) throw graphErrors.badRequest(`keyCredentials[${i}]: keyId '${keyId}' is used twice.`);
      newIds.add(keyId);
    }
    let sha256: string;
    try {
      sha256 = parseCertificate(entry.key).thumbprints.sha256;
    } catch {
      throw graphErrors.badRequest(
        `Invalid value for property 'keyCredentials[${i}].key': must be an X.509 certificate, base64 DER or PEM.`,
      );
    }
    if (thumbprints.has(sha256)) throw graphErrors.badRequest(`keyCredentials[${i}]: the certificate is listed twice.`);
    thumbprints.add(sha256);
    add.push({
      key: entry.key,
      ...(keyId !== undefined ? { keyId } : {}),
      ...(entry.displayName !== undefined ? { displayName: entry.displayName } : {}),
      ...(entry.startDateTime !== undefined ? { startDateTime: entry.startDateTime } : {}),
      ...(entry.endDateTime !== undefined ? { endDateTime: entry.endDateTime } : {}),
    });
  });
  const duplicate = existing.find((k) => kept.has(k.keyId) && thumbprints.has(k.thumbprintSha256));
  if (duplicate) {
    throw graphErrors.badRequest(
      `The certificate of key '${duplicate.keyId}' is already registered for the application.`,
    );
  }
  return { add, remove: existing.filter((k) => !kept.has(k.keyId)).map((k) => k.keyId) };
}

/** Removes first, so a certificate may be replaced by itself under a new keyId in one PATCH. */
export async function applyKeyCredentials(registry: Registry, applicationId: string, plan: KeyCredentialPlan) {
  for (const keyId of plan.remove) await registry.removeKey(applicationId, keyId);
  for (const input of plan.add) await registry.addKey(applicationId, input);
}
