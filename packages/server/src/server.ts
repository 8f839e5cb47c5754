import { resolve } from "node:path";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { randomUUID } from "node:crypto";
import pino, { type Logger } from "pino";
import { loadMasterKey, type MasterKey } from "./crypto/master-key.js";
import { Store } from "./store/store.js";
import type { QueryObserver } from "./store/database.js";
import { Registry } from "./identity/registry.js";
import { IdentityRuntime } from "./identity/runtime.js";
import { Issuers, defaultIssuerTemplates } from "./identity/issuers.js";
import { TokenService } from "./identity/token/token-service.js";
import { UsedAssertions } from "./identity/token/used-assertions.js";
import { identityFrameworkErrors, identityRoutes } from "./identity/routes.js";
import { entraErrorPage } from "./identity/errors.js";
import { ensureSigningKey } from "./identity/keys/rotation.js";
import { ensureManagement, type Management } from "./admin/management.js";
import { ensureGatewayIdentity } from "./admin/gateway-identity.js";
import { resolveTenant } from "./admin/tenant-scope.js";
import { GraphError } from "./admin/graph-errors.js";
import type { Tenant } from "./identity/model.js";
import type { GatewayIdentity } from "./gateway/managed-identity/identity-file.js";
import type { IdentityEndpoint } from "./gateway/managed-identity/token-source.js";
import { APP_SERVICE_PATH } from "./identity/managed-identities/endpoints.js";
import { adminRoutes } from "./admin/routes.js";
import { adminErrorPage, adminFrameworkErrors } from "./admin/protocol-errors.js";
import type { ServerOptions } from "./config/options.js";
import { loadConfigFile } from "./config/load.js";
import { reconcile, type ReconcileReport } from "./config/reconcile.js";
import { demoConfig } from "./demo/config.js";
import { demoDeveloperPassword } from "./demo/developer.js";
import { startDemoBackends, type DemoBackends } from "./demo/backends/index.js";
import { logSerializers } from "./observability/log.js";
import { CredentialNames } from "./observability/credential-names.js";
import { GatewayMetrics } from "./observability/gateway-metrics.js";
import { GatewayRegistry } from "./gateway/model/registry.js";
import { EntraDirectory, gatehouseDirectoryOptions } from "./gateway/entra/directory.js";
import { ApplicationSync } from "./gateway/application-sync.js";
import { KeySources } from "./gateway/jwt/key-sources.js";
import { openState, startGatewayNode, type GatewayNode } from "./gateway/node.js";
import { GatewayWorkerPool } from "./gateway/workers/worker-pool.js";
import { MemoryState } from "./gateway/state/memory-state.js";
import { listenerTls, type ListenerTls } from "./tls/listener-tls.js";
import { CredentialThrottle } from "./security/credential-throttle.js";
import { ConsoleNotifier } from "./security/notifier.js";
import { developerServices } from "./developer/services.js";
import { makePrivateDir } from "./util/private-files.js";
import { startListener, type Listener } from "./listener/http-listener.js";
import type { ErrorPage } from "./listener/client-errors.js";

/** A failed provisioning pass of application-based access runs again after this long, changes or not. */
const APPLICATION_SYNC_RETRY_MS = 30_000;

export interface RunningGatehouse {
  dataDir: string;
  identityUrl: string;
  adminUrl: string;
  /** The gateway's base URL (APIs are below it by their path). */
  gatewayUrl: string;
  /** The local CA clients trust with NODE_EXTRA_CA_CERTS (local TLS mode only). */
  caPath?: string;
  management: Management;
  /** The gateway's system-assigned managed identity; absent when the application tenant does not exist. */
  gatewayIdentity?: GatewayIdentity;
  /** What applying the configuration created, including secrets generated now and shown only once. */
  applied?: ReconcileReport;
  registry: Registry;
  gateway: GatewayRegistry;
  store: Store;
  runtime: IdentityRuntime;
  /** Recompiles the gateway configuration now (every worker, with --gateway-workers). */
  reloadGateway(): Promise<void>;
  /** Provisions now what application-based access still misses in the directory (products, client applications). */
  syncApplications(): Promise<void>;
  /** The gateway's Prometheus metrics, as served at /metrics. */
  gatewayMetrics(): Promise<string>;
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
  makePrivateDir(dataDir);
  const masterKey = await loadMasterKey(dataDir);
  const store = await Store.open(database, dataDir, onQuery);
  const pepper = masterKey.derive("client-secret-pepper");
  const registry = new Registry(store, pepper);
  // The registry only compiles documents to validate them; compiling never fetches keys, so these sources stay idle.
  const gateway = new GatewayRegistry(store, masterKey, {
    keySources: new KeySources(),
    azureAdAuthority: "",
    state: new MemoryState(),
  });
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
  const logSettings = {
    level: options.logLevel,
    serializers: logSerializers(new CredentialNames(options.redactNames)),
  };
  const logger = options.logDestination ? pino(logSettings, options.logDestination) : pino(logSettings);
  // SQL text is logged at trace level, to see what the server asks the database and when.
  const core = await openCore(dataDir, options.database, (sql) => {
    logger.trace({ sql }, "query");
    options.onQuery?.(sql);
  });
  const { store, registry, masterKey } = core;

  let applied: ReconcileReport | undefined;
  let tls: ListenerTls;
  let demoBackends: DemoBackends | undefined;
  const scheme = options.tls.mode === "insecure" ? "http" : "https";
  const demoFor = async (identityUrl: string, backends: DemoBackends) =>
    demoConfig({
      identityUrl,
      numbersUrl: backends.numbersUrl,
      echoUrl: backends.echoUrl,
      developerPassword: await demoDeveloperPassword(dataDir, masterKey),
    });
  try {
    if (options.demo && !options.configFile) demoBackends = await startDemoBackends({ host: "127.0.0.1" });
    const config = options.configFile
      ? await loadConfigFile(options.configFile)
      : demoBackends
        ? await demoFor(publicUrlOf(options, scheme, options.identityPort), demoBackends)
        : undefined;
    if (config) applied = await reconcile(registry, config, core.gateway);
    tls = await listenerTls(options.tls, dataDir, masterKey, options.publicUrl);
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
  const usedAssertions = new UsedAssertions(store.db, (err) =>
    logger.warn({ err }, "cannot delete expired client-assertion records; retrying later"),
  );
  // Failed client secrets are counted where the gateway counts its limits: in Redis with --redis, shared by every node.
  const identityLogger = logger.child({ listener: "identity" });
  const identityState = await openState(options.redis, identityLogger);
  const throttle = new CredentialThrottle(identityState, "token", options.credentialThrottle);
  // Only issuers a federated credential names are fetched; the local CA is trusted, so one tenant can federate another.
  const issuerKeys = new KeySources({
    extraCa: tls.extraCa,
    httpsOnly: true,
    unknownKidRefreshMs: options.jwksRefreshCooldownMs,
    logger: identityLogger.child({ component: "federated-issuers" }),
  });
  const tokens = new TokenService(
    runtime.snapshot,
    runtime.signer,
    issuers,
    core.pepper,
    { lifetimeSeconds: options.tokenLifetimeSeconds, assertionSkewSeconds: 300 },
    usedAssertions,
    throttle,
    issuerKeys,
  );

  // fastify routes; the sockets are Gatehouse's own listeners (listener/), with their timeouts, caps and error bodies.
  const listener = (name: string, frameworkErrors: FastifyServerOptions["frameworkErrors"]): FastifyInstance =>
    Fastify({
      loggerInstance: logger.child({ listener: name }),
      genReqId: () => randomUUID(),
      requestIdHeader: false,
      routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
      frameworkErrors,
    }) as unknown as FastifyInstance;
  const serve = async (app: FastifyInstance, name: string, port: number, errorPage: ErrorPage) => {
    await app.ready();
    const serving = await startListener({
      host: options.host,
      port,
      tls: tls.https,
      limits: options.limits,
      handler: app.routing,
      errorPage,
      logger: logger.child({ listener: name }),
    });
    logger.info(`${name} listening at ${scheme}://${options.host}:${serving.port}`);
    return serving;
  };

  const identity = listener("identity", identityFrameworkErrors);
  await identity.register(identityRoutes, { runtime, tokens, issuers, pepper: core.pepper, throttle });
  let adminUrl: string | undefined;
  const developer = developerServices({
    store,
    gateway: core.gateway,
    masterKey,
    state: identityState,
    throttle: options.credentialThrottle,
    notifier: options.notifier ?? new ConsoleNotifier(),
    portalUrl: () => new URL(options.portalUrl ?? adminUrl ?? `${scheme}://localhost:${options.adminPort}`),
    logger: logger.child({ component: "developer" }),
  });
  const admin = listener("admin", adminFrameworkErrors);
  const metrics = new GatewayMetrics();
  let gateway: GatewayNode | GatewayWorkerPool | undefined;
  const caPath = options.tls.mode === "local" ? resolve(dataDir, "tls", "ca.pem") : undefined;
  const developerEndpoints = {
    identityUrl: () => issuers.publicUrl,
    // Known once the gateway listens; the developer API asks only after that.
    gatewayUrl: () => `${scheme}://localhost:${gateway?.port ?? options.gatewayPort}`,
    ...(caPath ? { caPath } : {}),
  };
  await admin.register(adminRoutes, {
    core,
    runtime,
    issuers,
    tokens,
    gateway: core.gateway,
    developer,
    developerEndpoints,
  });
  const gatewayMetrics = async () =>
    gateway instanceof GatewayWorkerPool
      ? gateway.metrics()
      : { contentType: metrics.contentType, text: await metrics.text() };
  admin.get("/metrics", async (_request, reply) => {
    const { contentType, text } = await gatewayMetrics();
    return reply.type(contentType).send(text);
  });

  let identityListener: Listener | undefined;
  let adminListener: Listener | undefined;
  let directory: EntraDirectory | undefined;
  let applicationSync: ApplicationSync | undefined;
  let gatewayIdentity: GatewayIdentity | undefined;
  let identityEndpoint: IdentityEndpoint | undefined;
  try {
    identityListener = await serve(identity, "identity", options.identityPort, entraErrorPage);
    adminListener = await serve(admin, "admin", options.adminPort, adminErrorPage);
    // With port 0 (tests) the real port is known only now; the public URL follows it unless it was given.
    if (!options.publicUrl && options.identityPort === 0) {
      issuers.rebase(publicUrlOf(options, scheme, identityListener.port));
      // The demo's validate-jwt points at this listener's discovery document, whose port is known only now.
      if (demoBackends) await reconcile(registry, await demoFor(issuers.publicUrl, demoBackends), core.gateway);
    }
    // The gateway starts last, so validate-azure-ad-token's default authority is this listener's final URL.
    const azureAdAuthority = options.azureAdAuthority ?? issuers.publicUrl;
    adminUrl = `${scheme}://localhost:${adminListener.port}`;
    const identityEndpointUrl = `${issuers.publicUrl}${APP_SERVICE_PATH}`;
    const ownIdentity = await gatewayIdentityOf(core, options.applicationTenant);
    if ("missing" in ownIdentity) {
      logger.warn(`The gateway has no managed identity: ${ownIdentity.missing}`);
    } else {
      gatewayIdentity = ownIdentity.identity;
      identityEndpoint = { endpoint: identityEndpointUrl, header: ownIdentity.header };
      logger.info(
        { gatewayIdentity },
        `Gateway managed identity: principal id ${gatewayIdentity.principalId}, client id ${gatewayIdentity.clientId}, tenant ${gatewayIdentity.tenantId}`,
      );
    }
    // Application-based access provisions through the admin API, as the gateway's managed identity.
    directory = new EntraDirectory(
      gatehouseDirectoryOptions({
        adminUrl,
        ...(options.applicationTenant ? { tenant: options.applicationTenant } : {}),
        identity: identityEndpoint ?? { missing: (ownIdentity as { missing: string }).missing },
        managementAppId: core.management.resourceAppId,
        extraCa: tls.extraCa,
      }),
    );
    core.gateway.entra.attach(directory);
    gateway =
      options.gatewayWorkers > 1
        ? await GatewayWorkerPool.start(
            options.gatewayWorkers,
            {
              dataDir,
              ...(options.database ? { database: options.database } : {}),
              host: options.host,
              port: options.gatewayPort,
              tls: options.tls,
              ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
              logLevel: options.logLevel,
              pollIntervalMs: options.gatewayPollIntervalMs,
              jwksRefreshCooldownMs: options.jwksRefreshCooldownMs,
              azureAdAuthority,
              applicationAuthority: issuers.publicUrl,
              redis: options.redis,
              credentialThrottle: options.credentialThrottle,
              redactNames: options.redactNames,
              adminUrl,
              identityEndpoint: identityEndpointUrl,
              limits: options.limits,
            },
            logger,
          )
        : await startGatewayNode({
            store,
            registry: core.gateway,
            logger: logger.child({ listener: "gateway" }),
            metrics,
            host: options.host,
            port: options.gatewayPort,
            tls: tls.https,
            extraCa: tls.extraCa,
            pollIntervalMs: options.gatewayPollIntervalMs,
            jwksRefreshCooldownMs: options.jwksRefreshCooldownMs,
            azureAdAuthority: () => azureAdAuthority,
            applicationAuthority: () => issuers.publicUrl,
            redis: options.redis,
            credentialThrottle: options.credentialThrottle,
            redactNames: options.redactNames,
            adminUrl,
            masterKey,
            limits: options.limits,
            managedIdentity: () => identityEndpoint,
          });
    applicationSync = new ApplicationSync({
      gateway: core.gateway,
      store,
      directory,
      logger: logger.child({ component: "application-sync" }),
      pollIntervalMs: options.gatewayPollIntervalMs,
      retryMs: APPLICATION_SYNC_RETRY_MS,
    });
    applicationSync.start();
  } catch (error) {
    core.gateway.entra.detach();
    await Promise.allSettled([identityListener?.close(), adminListener?.close(), directory?.close()]);
    await Promise.allSettled([
      identity.close(),
      admin.close(),
      gateway?.close(),
      runtime.close(),
      identityState.close(),
      issuerKeys.close(),
      demoBackends?.close(),
    ]);
    await store.close();
    throw error;
  }
  const live = gateway;
  const [identityServing, adminServing, entra, sync] = [identityListener, adminListener, directory, applicationSync];
  core.gateway.subscribe(
    () => void live.reload().catch((err: unknown) => logger.warn({ err }, "gateway reload failed")),
  );

  return {
    dataDir,
    identityUrl: issuers.publicUrl,
    adminUrl: `${scheme}://localhost:${adminServing.port}`,
    gatewayUrl: `${scheme}://localhost:${live.port}`,
    ...(caPath ? { caPath } : {}),
    management: core.management,
    ...(gatewayIdentity ? { gatewayIdentity } : {}),
    ...(applied ? { applied } : {}),
    registry,
    gateway: core.gateway,
    store,
    runtime,
    reloadGateway: () => live.reload(),
    syncApplications: () => sync.run(),
    gatewayMetrics: async () => (await gatewayMetrics()).text,
    logger,
    async close() {
      await sync.close();
      core.gateway.entra.detach();
      await Promise.allSettled([identityServing.close(), adminServing.close(), live.close(), entra.close()]);
      await Promise.allSettled([
        identity.close(),
        admin.close(),
        demoBackends?.close(),
        identityState.close(),
        issuerKeys.close(),
      ]);
      await runtime.close();
      await store.close();
    },
  };
}

/** The gateway's identity in the application tenant, made or found now; or why there is none (no such tenant yet). */
async function gatewayIdentityOf(
  core: Core,
  applicationTenant: string | undefined,
): Promise<{ identity: GatewayIdentity; header: string } | { missing: string }> {
  let tenant: Tenant;
  try {
    tenant = await resolveTenant(core.registry, core.management, applicationTenant);
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    return { missing: error.message };
  }
  return ensureGatewayIdentity(core, core.management, tenant);
}

function publicUrlOf(options: ServerOptions, scheme: string, port: number): string {
  return (options.publicUrl ?? `${scheme}://localhost:${port}`).replace(/\/+$/, "");
}
