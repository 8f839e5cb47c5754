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
import { startDemoBackends, type DemoBackends } from "./demo/backends/index.js";
import { logSerializers } from "./observability/log.js";
import { GatewayMetrics } from "./observability/gateway-metrics.js";
import { GatewayRegistry } from "./gateway/registry.js";
import { GatewayRuntime } from "./gateway/runtime.js";
import { KeySources } from "./gateway/jwt/key-sources.js";
import type { PolicyServices } from "./gateway/policy/definition.js";
import { Forwarder } from "./gateway/proxy/forwarder.js";
import { DataPlane } from "./gateway/data-plane.js";
import { startGatewayListener, type GatewayListener } from "./gateway/listener.js";

export interface RunningGatehouse {
  dataDir: string;
  identityUrl: string;
  adminUrl: string;
  /** The gateway's base URL (APIs are below it by their path). */
  gatewayUrl: string;
  /** The local CA clients trust with NODE_EXTRA_CA_CERTS (local TLS mode only). */
  caPath?: string;
  management: Management;
  /** What applying the configuration created, including secrets generated now and shown only once. */
  applied?: ReconcileReport;
  registry: Registry;
  gateway: GatewayRegistry;
  store: Store;
  runtime: IdentityRuntime;
  gatewayRuntime: GatewayRuntime;
  metrics: GatewayMetrics;
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
  gateway: GatewayRegistry;
}

export async function openCore(dataDir: string, database: string | undefined, onQuery?: QueryObserver): Promise<Core> {
  await mkdir(dataDir, { recursive: true });
  const masterKey = await loadMasterKey(dataDir);
  const store = await Store.open(database, dataDir, onQuery);
  const pepper = masterKey.derive("client-secret-pepper");
  const registry = new Registry(store, pepper);
  // The registry only compiles documents to validate them; compiling never fetches keys, so these sources stay idle.
  const gateway = new GatewayRegistry(store, masterKey, { keySources: new KeySources(), azureAdAuthority: "" });
  // Nodes (or a node and the CLI) starting together on a fresh database must initialise it once.
  const management = await store.exclusive("init", async () => {
    const created = await ensureManagement(store, registry, masterKey, dataDir);
    await ensureSigningKey(store, masterKey);
    return created;
  });
  return { dataDir, masterKey, store, registry, pepper, management, gateway };
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
  let demoBackends: DemoBackends | undefined;
  const scheme = options.tls.mode === "insecure" ? "http" : "https";
  const demoFor = (identityUrl: string, backends: DemoBackends) =>
    demoConfig({ identityUrl, numbersUrl: backends.numbersUrl, echoUrl: backends.echoUrl });
  try {
    if (options.demo && !options.configFile) demoBackends = await startDemoBackends({ host: "127.0.0.1" });
    const config = options.configFile
      ? await loadConfigFile(options.configFile)
      : demoBackends
        ? demoFor(publicUrlOf(options, scheme, options.identityPort), demoBackends)
        : undefined;
    if (config) applied = await reconcile(registry, config, core.gateway);
    https = await httpsOptions(options, dataDir, masterKey);
  } catch (error) {
    await demoBackends?.close();
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

  const issuers = new Issuers({
    publicUrl: publicUrlOf(options, scheme, options.identityPort),
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

  const metrics = new GatewayMetrics();
  const localCa = options.tls.mode === "local" ? [await readFile(resolve(dataDir, "tls", "ca.pem"), "utf8")] : [];
  // The gateway trusts the local CA, so a policy pointing at the local identity service works out of the box.
  const keySources = new KeySources({
    extraCa: localCa,
    onRefresh: (_url, outcome) => metrics.keyRefresh(outcome),
    logger: logger.child({ component: "key-sources" }),
  });
  const services: PolicyServices = {
    keySources,
    // The identity listener's URL is known only once it listens (port 0 in tests), hence a getter.
    get azureAdAuthority() {
      return options.azureAdAuthority ?? issuers.publicUrl;
    },
  };
  const gatewayRuntime = await GatewayRuntime.start(store, masterKey, services, {
    pollIntervalMs: options.gatewayPollIntervalMs,
    onReloadError: (err) => logger.warn({ err }, "gateway configuration reload failed; serving the last good version"),
    onProblems: (problems) => logger.error({ problems }, "stored policy documents that no longer load answer 500"),
  });
  core.gateway.subscribe(() => void gatewayRuntime.reload().catch((err: unknown) => logger.warn({ err }, "reload")));
  const forwarder = new Forwarder({
    extraCa: localCa,
    scheme,
    onBackendResponse: (context, seconds) => metrics.backendResponse(context.api.name, seconds),
  });
  const dataPlane = new DataPlane({
    snapshot: gatewayRuntime.snapshot,
    forwarder,
    metrics,
    logger: logger.child({ listener: "gateway" }),
    scheme,
  });

  const identity = listener("identity");
  await identity.register(identityRoutes, { runtime, tokens, issuers });
  const admin = listener("admin");
  await admin.register(adminRoutes, { core, runtime, issuers, tokens, gateway: core.gateway });
  admin.get("/metrics", async (_request, reply) => reply.type(metrics.contentType).send(await metrics.text()));

  let gateway: GatewayListener | undefined;
  const stopGateway = async () => {
    await gateway?.close();
    await forwarder.close();
    await keySources.close();
    await gatewayRuntime.close();
  };
  try {
    await identity.listen({ host: options.host, port: options.identityPort });
    await admin.listen({ host: options.host, port: options.adminPort });
    gateway = await startGatewayListener({
      host: options.host,
      port: options.gatewayPort,
      tls: https,
      dataPlane,
    });
  } catch (error) {
    await Promise.allSettled([identity.close(), admin.close(), stopGateway(), runtime.close(), demoBackends?.close()]);
    await store.close();
    throw error;
  }
  const port = (app: FastifyInstance) => {
    const address = app.server.address();
    return typeof address === "object" && address ? address.port : 0;
  };
  const identityPort = port(identity);
  // With port 0 (tests) the real port is known only now; the public URL follows it unless it was given.
  if (!options.publicUrl && options.identityPort === 0) {
    issuers.rebase(publicUrlOf(options, scheme, identityPort));
    // The demo's validate-jwt points at this listener's discovery document, whose port is known only now.
    if (demoBackends) await reconcile(registry, demoFor(issuers.publicUrl, demoBackends), core.gateway);
    // validate-azure-ad-token's default authority is this listener: recompile with its real URL.
    await gatewayRuntime.reload();
  }

  return {
    dataDir,
    identityUrl: issuers.publicUrl,
    adminUrl: `${scheme}://localhost:${port(admin)}`,
    gatewayUrl: `${scheme}://localhost:${gateway.port}`,
    ...(options.tls.mode === "local" ? { caPath: resolve(dataDir, "tls", "ca.pem") } : {}),
    management: core.management,
    ...(applied ? { applied } : {}),
    registry,
    gateway: core.gateway,
    store,
    runtime,
    gatewayRuntime,
    metrics,
    logger,
    async close() {
      await Promise.allSettled([identity.close(), admin.close(), stopGateway(), demoBackends?.close()]);
      await runtime.close();
      await store.close();
    },
  };
}

function publicUrlOf(options: ServerOptions, scheme: string, port: number): string {
  return (options.publicUrl ?? `${scheme}://localhost:${port}`).replace(/\/+$/, "");
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
