import { backendClientCertificate, CertificateIndex, CertificateReferenceError } from "../certificates/lookup.js";
import { GatewayConflictError, GatewayNotFoundError } from "../errors.js";
import { breaksPolicy, describePolicyScope, referencesBackends } from "../policies/checker.js";
import { EntityObject } from "../entity-object.js";
import type { GatewayTransaction } from "../transaction.js";
import { defined, invalid } from "../checks.js";
import { GatewayBackendRepository } from "./repository.js";
import type { Backend, BackendInput } from "./types.js";
import { backendFrom, backendInputOf } from "./validation.js";

/** The backends of one transaction: credentials are sealed; set-backend-service's backend-id names them. */
export class Backends extends EntityObject<GatewayBackendRepository> {
  static readonly reads = ["list", "get"] as const;
  static readonly writes = ["put", "patch", "delete"] as const;

  constructor(tx: GatewayTransaction) {
    super(tx, GatewayBackendRepository);
  }

  async list(): Promise<Backend[]> {
    return (await this.repository.list()).map((b) => this.tx.secrets.backend(b));
  }

  async get(name: string): Promise<Backend | undefined> {
    const stored = await this.repository.get(name);
    return stored && this.tx.secrets.backend(stored);
  }

  async put(name: string, input: BackendInput): Promise<{ backend: Backend; created: boolean }> {
    const existing = await this.repository.get(name);
    return { backend: await this.save(backendFrom(name, input), existing !== undefined), created: !existing };
  }

  async patch(name: string, patch: Partial<BackendInput>): Promise<Backend> {
    const existing = await this.get(name);
    if (!existing) throw new GatewayNotFoundError("Backend", name);
    const backend = backendFrom(name, {
      ...backendInputOf(existing),
      ...defined(patch),
      tls: { ...existing.tls, ...defined(patch.tls ?? {}) },
    });
    return this.save(backend, true);
  }

  private async save(backend: Backend, replacing: boolean): Promise<Backend> {
    const problem = certificateProblemOf(backend, await this.certificates());
    if (problem) throw invalid("credentials", `name a certificate that cannot be used: ${problem}.`);
    await this.repository.upsert({
      ...backend,
      sealedCredentials: this.tx.secrets.sealCredentials(backend.name, backend.credentials),
    });
    this.tx.policies.invalidate();
    if (replacing) {
      const broken = await this.tx.policies.firstBroken(referencesBackends);
      if (broken) throw breaksPolicy(`Backend '${backend.name}'`, broken);
    }
    return backend;
  }

  /** The first backend whose credentials name a certificate that is missing or has no private key, if any. */
  async certificateProblem(): Promise<string | undefined> {
    const certificates = await this.certificates();
    for (const backend of await this.list()) {
      const problem = certificateProblemOf(backend, certificates);
      if (problem) return `backend '${backend.name}' (${problem})`;
    }
    return undefined;
  }

  private async certificates(): Promise<CertificateIndex> {
    return new CertificateIndex(await this.tx.certificates.withMaterial());
  }

  /** Refused while a policy's set-backend-service names the backend. */
  async delete(name: string): Promise<boolean> {
    if (!(await this.repository.delete(name))) return false;
    this.tx.policies.invalidate();
    const broken = await this.tx.policies.firstBroken(referencesBackends);
    if (broken) {
      throw new GatewayConflictError(
        `Backend '${name}' is used by ${describePolicyScope(broken.scope)} and cannot be deleted (${broken.error}).`,
      );
    }
    return true;
  }
}

function certificateProblemOf(backend: Backend, certificates: CertificateIndex): string | undefined {
  if (!backend.credentials?.certificateIds && !backend.credentials?.certificate) return undefined;
  try {
    backendClientCertificate(backend.credentials, certificates);
    return undefined;
  } catch (error) {
    if (error instanceof CertificateReferenceError) return error.message;
    throw error;
  }
}
