/**
 * Connection pools per TLS client certificate: a connection carries the certificate it was opened with, so requests
 * presenting different certificates never share one. Pools are made on first use and reused across configuration
 * versions (a certificate is known by its thumbprint, and its key is the one its certificate names); the least
 * recently used pool is closed beyond a bound, after its requests finish.
 */
import { createSecureContext } from "node:tls";
import { Agent } from "undici";
import type { ClientCertificate } from "../model/certificates/types.js";

const MAX_POOLS = 64;

export interface ClientCertificateAgentOptions {
  /** The Agent options besides `connect` (connections, keep-alive …). */
  agent: Omit<Agent.Options, "connect">;
  /** Authorities trusted besides none: undefined for node's default store. */
  ca: string[] | undefined;
  /** false: the backend's certificate is not verified (a backend entity's tls settings). */
  verify: boolean;
}

export class ClientCertificateAgents {
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly options: ClientCertificateAgentOptions) {}

  get(certificate: ClientCertificate): Agent {
    const existing = this.agents.get(certificate.thumbprint);
    if (existing) {
      // Most recently used last, so the first entry is the one to close.
      this.agents.delete(certificate.thumbprint);
      this.agents.set(certificate.thumbprint, existing);
      return existing;
    }
    const { agent, ca, verify } = this.options;
    const identity = { key: certificate.privateKeyPem, cert: certificate.certificatePem };
    const created = new Agent({
      ...agent,
      connect: verify
        ? { secureContext: createSecureContext({ ...(ca ? { ca } : {}), ...identity }) }
        : { rejectUnauthorized: false, ...identity },
    });
    this.agents.set(certificate.thumbprint, created);
    if (this.agents.size > MAX_POOLS) {
      const [thumbprint, oldest] = this.agents.entries().next().value as [string, Agent];
      this.agents.delete(thumbprint);
      void oldest.close();
    }
    return created;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.agents.values()].map((agent) => agent.close()));
    this.agents.clear();
  }
}
