// `npm run example:api-to-api`: Gatehouse, API1 and API2 in one process, then what to curl.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { startGatehouse, type RunningGatehouse } from "../../packages/server/src/server.js";
import { defaultServerOptions, type ServerOptions } from "../../packages/server/src/config/options.js";
import { APPS, API1_SCOPE } from "./apps.js";
import { startApi1 } from "./api1.js";
import { startApi2 } from "./api2.js";
import { runIfEntryPoint, stopOnSignal } from "./entry-point.js";
import { instructions } from "./instructions.js";
import type { RunningService } from "./listen.js";
import { DEFAULT_PORTS, portFromEnv, type Api2Settings, type Fetch } from "./settings.js";
import { fetchTrusting } from "./trust.js";

const CONFIG_FILE = fileURLToPath(new URL("gatehouse.yaml", import.meta.url));
const DEFAULT_DATA_DIR = fileURLToPath(new URL(".gatehouse", import.meta.url));

/** How {@link startExample} runs; every field has a default. */
export interface ExampleOptions {
  /** Gatehouse's data folder (master key, SQLite, signing keys, local CA); default examples/api-to-api/.gatehouse. */
  dataDir?: string;
  /** Listening ports, 0 for any free one; defaults 8443 (Gatehouse), 5001 (API1), 5002 (API2). */
  ports?: { identity?: number; api1?: number; api2?: number };
  /** The client secrets gatehouse.yaml registers (API2_SECRET, NOROLE_SECRET); generated for this run when absent. */
  secrets?: { api2?: string; noRole?: string };
  logLevel?: ServerOptions["logLevel"];
}

/** The three running services; `close()` stops them all. */
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
    return { gatehouse, authority, caPath, fetch: trust.fetch, api1, api2, api2Settings, secrets, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
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
    },
    secrets: { api2: env.API2_SECRET || undefined, noRole: env.NOROLE_SECRET || undefined },
  });
  process.stdout.write(instructions(example, { api2: !env.API2_SECRET, noRole: !env.NOROLE_SECRET }));
  stopOnSignal(example.close);
});
