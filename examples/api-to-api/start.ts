// `npm run example:api-to-api`: Gatehouse, API1 and API2 in one process, API2's managed-identity variant in its own
// process, then what to curl.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { startGatehouse, type RunningGatehouse } from "../../packages/server/src/server.js";
import { defaultServerOptions, type ServerOptions } from "../../packages/server/src/config/options.js";
import { identityEnvironment } from "../../packages/server/src/identity/managed-identities/environment.js";
import { APPS, API1_SCOPE, HOSTS } from "./apps.js";
import { READY } from "./api2-managed-identity.js";
import { startApi1 } from "./api1.js";
import { startApi2 } from "./api2.js";
import { runIfEntryPoint, stopOnSignal } from "./entry-point.js";
import { instructions } from "./instructions.js";
import type { RunningService } from "./listen.js";
import { startProcess } from "./process.js";
import { DEFAULT_PORTS, portFromEnv, type Api2Settings, type Fetch } from "./settings.js";
import { fetchTrusting } from "./trust.js";

const CONFIG_FILE = fileURLToPath(new URL("gatehouse.yaml", import.meta.url));
const DEFAULT_DATA_DIR = fileURLToPath(new URL(".gatehouse", import.meta.url));
const API2_MANAGED_IDENTITY = fileURLToPath(new URL("api2-managed-identity.ts", import.meta.url));

/** How {@link startExample} runs; every field has a default. */
export interface ExampleOptions {
  /** Gatehouse's data folder (master key, SQLite, signing keys, local CA); default examples/api-to-api/.gatehouse. */
  dataDir?: string;
  /** Listening ports, 0 for any free one; defaults 8443 (Gatehouse), 5001 (API1), 5002 (API2), 5003 (API2, MI). */
  ports?: { identity?: number; api1?: number; api2?: number; api2ManagedIdentity?: number };
  /** The client secrets gatehouse.yaml registers (API2_SECRET, NOROLE_SECRET); generated for this run when absent. */
  secrets?: { api2?: string; noRole?: string };
  logLevel?: ServerOptions["logLevel"];
}

/** The running services; `close()` stops them all. */
export interface RunningExample {
  gatehouse: RunningGatehouse;
  /** The tenant URL both services use, `https://localhost:<port>/<tenant>`. */
  authority: string;
  /** Gatehouse's local CA (PEM), for curl --cacert and NODE_EXTRA_CA_CERTS. */
  caPath: string;
  /** A fetch trusting that CA. */
  fetch: Fetch;
  api1: RunningService;
  api2: RunningService;
  /** What API2 runs with; another API2 can start from it with other credentials. */
  api2Settings: Api2Settings;
  /** API2's managed-identity variant, in its own process, as host `api2`. */
  api2ManagedIdentity: RunningService;
  /** Another managed-identity API2, as `host` (a host of gatehouse.yaml), on `port`; stopped by `close()` too. */
  startManagedIdentityApi2(host: string, port: number): Promise<RunningService>;
  secrets: { api2: string; noRole: string };
  close(): Promise<void>;
}

/** Starts Gatehouse with gatehouse.yaml and its local TLS, then API1 and API2 on 127.0.0.1. */
export async function startExample(options: ExampleOptions = {}): Promise<RunningExample> {
  const secrets = { api2: options.secrets?.api2 ?? newSecret(), noRole: options.secrets?.noRole ?? newSecret() };
  const ports = {
    identity: options.ports?.identity ?? DEFAULT_PORTS.identity,
    api1: options.ports?.api1 ?? DEFAULT_PORTS.api1,
    api2: options.ports?.api2 ?? DEFAULT_PORTS.api2,
    api2ManagedIdentity: options.ports?.api2ManagedIdentity ?? DEFAULT_PORTS.api2ManagedIdentity,
  };
  const gatehouse = await withEnv({ API2_SECRET: secrets.api2, NOROLE_SECRET: secrets.noRole }, () =>
    startGatehouse({
      ...defaultServerOptions,
      dataDir: options.dataDir ?? DEFAULT_DATA_DIR,
      configFile: CONFIG_FILE,
      identityPort: ports.identity,
      // The example uses only the identity listener; the others take any free port.
      adminPort: 0,
      gatewayPort: 0,
      logLevel: options.logLevel ?? "warn",
    }),
  );
  const started: { close(): Promise<void> }[] = [gatehouse];
  const closeAll = async () => {
    for (const service of [...started].reverse()) await service.close();
  };
  try {
    const caPath = gatehouse.caPath;
    if (!caPath) throw new Error("Gatehouse is expected to serve TLS from its local CA");
    const trust = fetchTrusting(await readFile(caPath, "utf8"));
    started.push(trust);
    const authority = `${gatehouse.identityUrl}/${APPS.tenantId}`;
    const api1 = await startApi1({ authority, audience: APPS.api1, port: ports.api1, fetch: trust.fetch });
    started.push(api1);
    const api2Settings: Api2Settings = {
      authority,
      clientId: APPS.api2,
      clientSecret: secrets.api2,
      scope: API1_SCOPE,
      api1Url: api1.url,
      port: ports.api2,
      fetch: trust.fetch,
    };
    const api2 = await startApi2(api2Settings);
    started.push(api2);
    const startManagedIdentityApi2 = async (host: string, port: number) => {
      const service = await startManagedIdentityProcess(gatehouse, host, { API1_URL: api1.url, API2_PORT: `${port}` });
      started.push(service);
      return service;
    };
    const api2ManagedIdentity = await startManagedIdentityApi2(HOSTS.api2, ports.api2ManagedIdentity);
    return {
      gatehouse,
      authority,
      caPath,
      fetch: trust.fetch,
      api1,
      api2,
      api2Settings,
      api2ManagedIdentity,
      startManagedIdentityApi2,
      secrets,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * API2's managed-identity variant as App Service runs it: its own process, with only the variables
 * `gatehouse identity env <host>` prints and API1's scope and URL. Each run replaces the host's header values (the
 * example owns its hosts), so they do not pile up across runs.
 */
async function startManagedIdentityProcess(
  gatehouse: RunningGatehouse,
  host: string,
  variables: { API1_URL: string; API2_PORT: string },
): Promise<RunningService> {
  const header = await gatehouse.registry.managedIdentities.rotateHeaders(host);
  const env = {
    ...identityEnvironment({
      identityUrl: gatehouse.identityUrl,
      header,
      ...(gatehouse.caPath !== undefined ? { caPath: gatehouse.caPath } : {}),
    }),
    API1_SCOPE,
    ...variables,
  };
  return startProcess(API2_MANAGED_IDENTITY, env, READY);
}

/** A random client secret (Gatehouse requires at least 16 characters). */
const newSecret = () => randomBytes(24).toString("base64url");

/** gatehouse.yaml takes its secrets from ${…} variables, which Gatehouse resolves while it starts. */
async function withEnv<T>(variables: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const saved = process.env;
  process.env = { ...saved, ...variables };
  try {
    return await run();
  } finally {
    process.env = saved;
  }
}

runIfEntryPoint(import.meta.url, async () => {
  const env = process.env;
  const example = await startExample({
    dataDir: env.GATEHOUSE_DATA || undefined,
    ports: {
      identity: portFromEnv(env, "GATEHOUSE_IDENTITY_PORT", DEFAULT_PORTS.identity),
      api1: portFromEnv(env, "API1_PORT", DEFAULT_PORTS.api1),
      api2: portFromEnv(env, "API2_PORT", DEFAULT_PORTS.api2),
      api2ManagedIdentity: portFromEnv(env, "API2_MI_PORT", DEFAULT_PORTS.api2ManagedIdentity),
    },
    secrets: { api2: env.API2_SECRET || undefined, noRole: env.NOROLE_SECRET || undefined },
  });
  process.stdout.write(instructions(example, { api2: !env.API2_SECRET, noRole: !env.NOROLE_SECRET }));
  stopOnSignal(example.close);
});
