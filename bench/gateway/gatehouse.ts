import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { defaultServerOptions, type RedisOptions } from "../../packages/server/src/config/options.js";
import { startGatehouse } from "../../packages/server/src/server.js";
import { validateJwtPolicy } from "../../packages/server/test/helpers/gateway.js";
import { API_PREFIX } from "./node-targets.js";

export interface GatehouseGateway {
  /** The gateway's origin; the bench API is at `${origin}${API_PREFIX}`. */
  origin: string;
  close(): Promise<void>;
}

export interface GatehouseGatewayOptions {
  backendOrigin: string;
  openIdConfigUrl: string;
  audience: string;
  /** APIs configured in all: the bench API plus `apiCount - 1` others the router has to tell it apart from. */
  apiCount: number;
  /** Gateway processes (`--gateway-workers`); 1 serves in this process. */
  gatewayWorkers?: number;
}

/** The `gateway:` section: the bench API and its one operation, then the other APIs, each with a distinct path. */
export function gatewayYaml(o: GatehouseGatewayOptions): string {
  // A fresh object for each API: a shared one would be written as YAML aliases, which the loader limits.
  const operations = () => [{ name: "get-item", displayName: "Get item", method: "GET", urlTemplate: "/items/{id}" }];
  const api = (name: string, displayName: string, path: string) => ({
    name,
    displayName,
    path,
    serviceUrl: o.backendOrigin,
    protocols: ["http", "https"],
    subscriptionRequired: false,
  });
  const others = Array.from({ length: o.apiCount - 1 }, (_, i) => {
    const n = String(i + 1).padStart(5, "0");
    // Paths that share prefixes with each other and with the bench API, as real estates of APIs do.
    return { ...api(`svc-${n}`, `Service ${n}`, `${API_PREFIX.slice(1)}-${n}/v1`), operations: operations() };
  });
  const bench = {
    ...api("bench", "Bench", API_PREFIX.slice(1)),
    policy: validateJwtPolicy(o.openIdConfigUrl, o.audience),
    operations: operations(),
  };
  // The bench API in the middle of the list, so no router wins by finding it first.
  const half = Math.floor(others.length / 2);
  return stringify({ gateway: { apis: [...others.slice(0, half), bench, ...others.slice(half)] } });
}

/**
 * Gatehouse in this process (as bench/token does), on plain HTTP like every other target, with the bench API and
 * `apiCount - 1` more APIs configured from a YAML file.
 */
export function startGatehouseGateway(o: GatehouseGatewayOptions): Promise<GatehouseGateway> {
  return startGatehouseWithConfig(gatewayYaml(o), o.gatewayWorkers ?? 1);
}

/**
 * Gatehouse in this process on plain HTTP, configured from this YAML (bench/policies brings its own APIs), with its
 * counters in Redis when given.
 */
export async function startGatehouseWithConfig(
  yaml: string,
  gatewayWorkers: number,
  redis?: RedisOptions,
): Promise<GatehouseGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), "gatehouse-bench-gateway-"));
  try {
    const configFile = join(dataDir, "gatehouse.yaml");
    await writeFile(configFile, yaml);
    const running = await startGatehouse({
      ...defaultServerOptions,
      dataDir,
      host: "127.0.0.1",
      configFile,
      tls: { mode: "insecure" },
      identityPort: 0,
      adminPort: 0,
      gatewayPort: 0,
      logLevel: "silent",
      gatewayWorkers,
      ...(redis ? { redis } : {}),
    });
    return {
      origin: new URL(running.gatewayUrl.replace("//localhost:", "//127.0.0.1:")).origin,
      async close() {
        await running.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
