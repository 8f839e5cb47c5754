import { GatewayConflictError } from "../errors.js";
import { breaksPolicy, describePolicyScope, referencesCertificates } from "../policies/checker.js";
import { EntityObject } from "../entity-object.js";
import type { GatewayTransaction } from "../transaction.js";
import { GatewayCertificateRepository, type StoredCertificate } from "./repository.js";
import type { Certificate, CertificateInput, CertificateWithMaterial } from "./types.js";
import { certificateFrom } from "./validation.js";

const publicCertificate = ({ sealedMaterial: _material, ...certificate }: StoredCertificate): Certificate =>
  certificate;

/**
 * The certificates of one transaction: the chain and private key are sealed and never leave the gateway; what is
 * shown is the subject, thumbprint and expiration. Backends and policies refer to them by name or thumbprint.
 */
export class Certificates extends EntityObject<GatewayCertificateRepository> {
  static readonly reads = ["list", "get"] as const;
  static readonly writes = ["put", "delete"] as const;

  constructor(tx: GatewayTransaction) {
    super(tx, GatewayCertificateRepository);
  }

  async list(): Promise<Certificate[]> {
    return (await this.repository.list()).map(publicCertificate);
  }

  async get(name: string): Promise<Certificate | undefined> {
    const stored = await this.repository.get(name);
    return stored && publicCertificate(stored);
  }

  /** Every certificate with its material unsealed: what the data plane and policy checks use. */
  async withMaterial(): Promise<CertificateWithMaterial[]> {
    return (await this.repository.list()).map((stored) => ({
      ...publicCertificate(stored),
      material: this.tx.secrets.certificateMaterial(stored),
    }));
  }

  async put(name: string, input: CertificateInput): Promise<{ certificate: Certificate; created: boolean }> {
    const { material, ...certificate } = certificateFrom(name, input);
    const existing = await this.repository.get(name);
    await this.repository.upsert({ ...certificate, sealedMaterial: this.tx.secrets.sealCertificate(name, material) });
    if (existing) await this.refuseBreaking(`Certificate '${name}'`);
    return { certificate, created: existing === undefined };
  }

  /** Refused while a backend or policy uses the certificate. */
  async delete(name: string): Promise<boolean> {
    if (!(await this.repository.delete(name))) return false;
    const subject = `Certificate '${name}'`;
    const backend = await this.tx.backends.certificateProblem();
    if (backend) throw new GatewayConflictError(`${subject} is used by ${backend} and cannot be deleted.`);
    this.tx.policies.invalidate();
    const broken = await this.tx.policies.firstBroken(referencesCertificates);
    if (broken) {
      throw new GatewayConflictError(
        `${subject} is used by ${describePolicyScope(broken.scope)} and cannot be deleted (${broken.error}).`,
      );
    }
    return true;
  }

  /** A replaced certificate (another thumbprint, no private key) must still serve its backends and policies. */
  private async refuseBreaking(subject: string): Promise<void> {
    const backend = await this.tx.backends.certificateProblem();
    if (backend) throw new GatewayConflictError(`${subject} cannot change this way: ${backend}.`);
    this.tx.policies.invalidate();
    const broken = await this.tx.policies.firstBroken(referencesCertificates);
    if (broken) throw breaksPolicy(subject, broken);
  }
}
