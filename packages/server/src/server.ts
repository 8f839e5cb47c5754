import { mkdir, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { randomUUID } from "node:crypto";
import pino, { type Logger } from "pino";
import { loadMasterKey, type MasterKey } from "./crypto/master-key.js";
import { ensureLocalTls } from "./tls/local-ca.js";
import { Store } from "./store/store.js";
import type { QueryObserver } from "./store/database.js";
import { Registry } from "./identity/registry.js";
import { IdentityRuntime } from "./identity/runtime.js";
import { Issuers, defaultIssuerTemplates } from "./identity/issuers.js";
import { TokenService } from "./identity/token/token-service.js";
import { identityRoutes } from "./identity/routes.js";
import { ensureSigningKey } from "./identity/keys/rotation.js";
import { ensureManagement, type Management } from "./admin/management.js";
import { adminRoutes } from "./admin/routes.js";
import type { ServerOptions } from "./config/options.js";
import { loadConfigFile } from "./config/load.js";
import { reconcile, type ReconcileReport } from "./config/reconcile.js";
import { demoConfig } from "./demo/config.js";
import { logSerializers } from "./observability/log.js";

export interface RunningGatehouse {
  dataDir: string;
  identityUrl: string;
  adminUrl: string;
  /** The local CA clients trust with NODE_EXTRA_CA_CERTS (local TLS mode only). */
  caPath?: string;
  management: Management;
  /** What applying the configuration created, including secrets generated now and shown only once. */
  applied?: ReconcileReport;
  registry: Registry;
  store: Store;
  runtime: IdentityRuntime;
  logger: Logger;
  close(): Promise<void>;
}

/** Everything a process needs that does not listen: store, keys, registry. Shared by `start` and the CLI. */
export interface Core {
  dataDir: string;
  masterKey: MasterKey;
  store: Store;
  registry: Registry;
  pepper: Buffer;
  management: Management;
}

export async function openCore(dataDir: string, database: string | undefined, onQuery?: QueryObserver): Promise<Core> {
  await mkdir(dataDir, { recursive: true });
  const masterKey = await loadMasterKey(dataDir);
  const store = await Store.open(database, dataDir, onQuery);
  const pepper = masterKey.derive("client-secret-pepper");
  const registry = new Registry(store, pepper);
  // Nodes (or a node and the CLI) starting together on a fresh database must initialise it once.
  const management = await store.exclusive("init", async () => {
    const created = await ensureManagement(store, registry, masterKey, dataDir);
    await ensureSigningKey(store, masterKey);
    return created;
  });
  return { dataDir, masterKey, store, registry, pepper, management };
}

export async function startGatehouse(options: ServerOptions): Promise<RunningGatehouse> {
  const dataDir = resolve(options.dataDir);
  const logger = pino({ level: options.logLevel, serializers: logSerializers });
  // SQL text is logged at trace level, to see what the server asks the database and when.
  const core = await openCore(dataDir, options.database, (sql) => {
    logger.trace({ sql }, "query");
    options.onQuery?.(sql);
  });
  const { store, registry, masterKey } = core;

  let applied: ReconcileReport | undefined;
  let https: Awaited<ReturnType<typeof httpsOptions>>;
  try {
    const config = options.configFile
      ? await loadConfigFile(options.configFile)
      : options.demo
        ? demoConfig()
        : undefined;
    if (config) applied = await reconcile(registry, config);
    https = await httpsOptions(options, dataDir, masterKey);
  } catch (error) {
    await store.close();
    throw error;
  }

  const runtime = await IdentityRuntime.start(store, masterKey, {
    pollIntervalMs: options.pollIntervalMs,
    keyRetentionSeconds: options.tokenLifetimeSeconds + 600,
    ...(options.signerThreads ? { signerThreads: options.signerThreads } : {}),
    onReloadError: (err) => logger.warn({ err }, "configuration reload failed; serving the last good version"),
  });
  registry.subscribe(() => runtime.reload());

  const scheme = https ? "https" : "http";
  const publicUrl = (options.publicUrl ?? `${scheme}://localhost:${options.identityPort}`).replace(/\/+$/, "");
  const issuers = new Issuers({
    publicUrl,
    v1Template: options.issuerV1Template ?? defaultIssuerTemplates.v1,
    v2Template: options.issuerV2Template ?? defaultIssuerTemplates.v2,
  });
  const tokens = new TokenService(runtime.snapshot, runtime.signer, issuers, core.pepper, {
    lifetimeSeconds: options.tokenLifetimeSeconds,
    assertionSkewSeconds: 300,
  });

  const listener = (name: string): FastifyInstance =>
    Fastify({
      loggerInstance: logger.child({ listener: name }),
      genReqId: () => randomUUID(),
      requestIdHeader: false,
      routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
      ...(https ? { https } : {}),
    }) as unknown as FastifyInstance;

  const identity = listener("identity");
  await identity.register(identityRoutes, { runtime, tokens, issuers });
  const admin = listener("admin");
  await admin.register(adminRoutes, { core, runtime, issuers, tokens });

  try {
    await identity.listen({ host: options.host, port: options.identityPort });
    await admin.listen({ host: options.host, port: options.adminPort });
  } catch (error) {
    await Promise.allSettled([identity.close(), admin.close(), runtime.close(), store.close()]);
    throw error;
  }
  const port = (app: FastifyInstance) => {
    const address = app.server.address();
    return typeof address === "object" && address ? address.port : 0;
  };
  const identityPort = port(identity);
  // With port 0 (tests) the real port is known only now; the public URL follows it unless it was given.
  if (!options.publicUrl && options.identityPort === 0) issuers.rebase(`${scheme}://localhost:${identityPort}`);

  return {
    dataDir,
    identityUrl: issuers.publicUrl,
    adminUrl: `${scheme}://localhost:${port(admin)}`,
    ...(options.tls.mode === "local" ? { caPath: resolve(dataDir, "tls", "ca.pem") } : {}),
    management: core.management,
    ...(applied ? { applied } : {}),
    registry,
    store,
    runtime,
    logger,
    async close() {
      await Promise.allSettled([identity.close(), admin.close()]);
      await runtime.close();
      await store.close();
    },
  };
}

async function httpsOptions(options: ServerOptions, dataDir: string, masterKey: MasterKey) {
  if (options.tls.mode === "insecure") return undefined;
  if (options.tls.mode === "files") {
    return { cert: await readFile(options.tls.certFile), key: await readFile(options.tls.keyFile) };
  }
  const extra = options.publicUrl ? [new URL(options.publicUrl).hostname] : [];
  const tls = await ensureLocalTls(dataDir, masterKey, extra);
  return { cert: tls.cert, key: tls.key };
}
