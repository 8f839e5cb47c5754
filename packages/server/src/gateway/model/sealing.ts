import { createHmac } from "node:crypto";
import { LinkSignatures } from "../../crypto/link-signatures.js";
import type { MasterKey } from "../../crypto/master-key.js";
import type { Backend, BackendCredentials } from "./backends/types.js";
import type { SubscriptionKeys } from "./subscriptions/types.js";
import type { StoredSubscription } from "./subscriptions/repository.js";
import type { StoredNamedValue } from "./named-values/repository.js";
import type { StoredBackend } from "./backends/repository.js";
import type { StoredCertificate } from "./certificates/repository.js";
import type { CertificateMaterial } from "./certificates/types.js";

export type KeyName = "primary" | "secondary";

/**
 * Seals the gateway's secrets with the master key. The aad binds each ciphertext to its entity and purpose, so a
 * sealed key copied into another row (or into the other key's column) does not open.
 */
export class GatewaySecrets {
  private readonly digestKey: Buffer;
  /** Signs the download links of API exports (`?export=true&format=…-link`). */
  readonly exportLinks: LinkSignatures;

  constructor(private readonly masterKey: MasterKey) {
    this.digestKey = masterKey.derive("gateway-subscription-key-digest");
    this.exportLinks = new LinkSignatures(masterKey, "gateway-api-export-link");
  }

  sealKey(subscription: string, which: KeyName, key: string): string {
    return this.masterKey.seal(key, `gateway/subscription/${subscription}/${which}Key`);
  }

  keys(subscription: StoredSubscription): SubscriptionKeys {
    const open = (which: KeyName, sealed: string) =>
      this.masterKey.open(sealed, `gateway/subscription/${subscription.name}/${which}Key`).toString("utf8");
    return {
      primaryKey: open("primary", subscription.sealedPrimaryKey),
      secondaryKey: open("secondary", subscription.sealedSecondaryKey),
    };
  }

  /** A keyed digest of a subscription key: finds a key in use elsewhere without storing or scanning plaintext. */
  keyDigest(key: string): string {
    return createHmac("sha256", this.digestKey).update(key, "utf8").digest("base64url");
  }

  /** What the named value column holds: the value itself when plain, sealed when secret. */
  storeNamedValue(name: string, value: string, secret: boolean): string {
    return secret ? this.masterKey.seal(value, `gateway/named-value/${name}`) : value;
  }

  namedValue(stored: StoredNamedValue): string {
    return stored.secret
      ? this.masterKey.open(stored.storedValue, `gateway/named-value/${stored.name}`).toString("utf8")
      : stored.storedValue;
  }

  sealCredentials(backend: string, credentials: BackendCredentials | null): string | null {
    return credentials && this.masterKey.seal(JSON.stringify(credentials), `gateway/backend/${backend}/credentials`);
  }

  /** The backend with its credentials opened. */
  backend({ sealedCredentials, ...backend }: StoredBackend): Backend {
    if (sealedCredentials === null) return { ...backend, credentials: null };
    const json = this.masterKey.open(sealedCredentials, `gateway/backend/${backend.name}/credentials`);
    return { ...backend, credentials: JSON.parse(json.toString("utf8")) as BackendCredentials };
  }

  sealCertificate(name: string, material: CertificateMaterial): string {
    return this.masterKey.seal(JSON.stringify(material), `gateway/certificate/${name}/material`);
  }

  /** The certificate's chain and private key, opened. */
  certificateMaterial(stored: StoredCertificate): CertificateMaterial {
    const json = this.masterKey.open(stored.sealedMaterial, `gateway/certificate/${stored.name}/material`);
    return JSON.parse(json.toString("utf8")) as CertificateMaterial;
  }
}
