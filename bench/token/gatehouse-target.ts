import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGatehouse } from "../../packages/server/src/server.js";
import { defaultServerOptions } from "../../packages/server/src/config/options.js";
import { DEMO } from "../../packages/server/src/demo/config.js";
import { demoClientSecret } from "../../packages/server/src/demo/client-secret.js";
import { loadMasterKey } from "../../packages/server/src/crypto/master-key.js";

export interface GatehouseTarget {
  tokenUrl: string;
  form: Record<string, string>;
  /** PEM CA bundle when tokenUrl is HTTPS with a private CA. */
  ca?: string;
  close(): Promise<void>;
}

export interface GatehouseTargetOptions {
  /** --gatehouse-url / GATEHOUSE_TOKEN_URL */
  url?: string;
  /** --gatehouse-form / GATEHOUSE_TOKEN_FORM, application/x-www-form-urlencoded */
  form?: string;
  /** --gatehouse-ca / GATEHOUSE_CA: path of a PEM file, already read by run.ts */
  ca?: string;
}

/**
 * The Gatehouse instance under test: the one given on the command line, or else a fresh one started in this process
 * with the demo registrations (plain HTTP on 127.0.0.1, like the peer, so TLS cost does not skew the comparison).
 */
export async function gatehouseTarget(options: GatehouseTargetOptions = {}): Promise<GatehouseTarget> {
  if (options.url || options.form) {
    if (!options.url || !options.form) throw new Error("--gatehouse-url and --gatehouse-form go together");
    const form = Object.fromEntries(new URLSearchParams(options.form));
    if (!form.grant_type) throw new Error("--gatehouse-form has no grant_type; is it URL-encoded (a=b&c=d)?");
    return { tokenUrl: options.url, form, ...(options.ca ? { ca: options.ca } : {}), close: async () => {} };
  }
  const dataDir = await mkdtemp(join(tmpdir(), "gatehouse-bench-"));
  const running = await startGatehouse({
    ...defaultServerOptions,
    dataDir,
    demo: true,
    identityPort: 0,
    adminPort: 0,
    gatewayPort: 0,
    tls: { mode: "insecure" },
    logLevel: "silent",
  });
  const secret = await demoClientSecret(dataDir, await loadMasterKey(dataDir), running.registry, running.applied);
  return {
    tokenUrl: `${running.identityUrl.replace("localhost", "127.0.0.1")}/${DEMO.tenantId}/oauth2/v2.0/token`,
    form: {
      grant_type: "client_credentials",
      client_id: DEMO.clientAppId,
      client_secret: secret,
      scope: `api://${DEMO.resourceAppId}/.default`,
    },
    async close() {
      await running.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
