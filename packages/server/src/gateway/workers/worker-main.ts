/**
 * A gateway worker process (cluster): its own store connection, compiled configuration and listener on the shared
 * port. The primary (identity, admin) tells it to reload after in-process writes; it also polls like any node.
 */
import pino from "pino";
import { loadMasterKey } from "../../crypto/master-key.js";
import { GatewayMetrics } from "../../observability/gateway-metrics.js";
import { Store } from "../../store/store.js";
import { listenerTls } from "../../tls/listener-tls.js";
import { KeySources } from "../jwt/key-sources.js";
import { startGatewayNode } from "../node.js";
import { GatewayRegistry } from "../model/registry.js";
import { MemoryState } from "../state/memory-state.js";
import { readGatewayIdentity } from "../managed-identity/identity-file.js";
import { WORKER_CONFIG_ENV, type PrimaryMessage, type WorkerConfig, type WorkerMessage } from "./messages.js";

const send = (message: WorkerMessage) => process.send?.(message);

async function main(): Promise<void> {
  const config = JSON.parse(process.env[WORKER_CONFIG_ENV] ?? "{}") as WorkerConfig;
  const logger = pino({ level: config.logLevel }).child({ listener: "gateway", worker: process.pid });
  const masterKey = await loadMasterKey(config.dataDir);
  const store = await Store.open(config.database, config.dataDir);
  const tls = await listenerTls(config.tls, config.dataDir, masterKey, config.publicUrl);
  const metrics = new GatewayMetrics();
  const identity = await readGatewayIdentity(config.dataDir, masterKey);
  const identityEndpoint = identity && { endpoint: config.identityEndpoint, header: identity.header };
  // The registry only reads here; compiling for validation would never fetch keys.
  const registry = new GatewayRegistry(store, masterKey, {
    keySources: new KeySources(),
    azureAdAuthority: "",
    state: new MemoryState(),
  });
  const node = await startGatewayNode({
    store,
    registry,
    logger,
    metrics,
    host: config.host,
    port: config.port,
    tls: tls.https,
    extraCa: tls.extraCa,
    pollIntervalMs: config.pollIntervalMs,
    jwksRefreshCooldownMs: config.jwksRefreshCooldownMs,
    azureAdAuthority: () => config.azureAdAuthority,
    applicationAuthority: () => config.applicationAuthority,
    adminUrl: config.adminUrl,
    masterKey,
    redis: config.redis,
    credentialThrottle: config.credentialThrottle,
    redactNames: config.redactNames,
    limits: config.limits,
    managedIdentity: () => identityEndpoint,
  });
  process.on("message", (message: PrimaryMessage) => {
    if (message.type === "gatehouse:reload") {
      node
        .reload()
        .catch((err: unknown) => logger.warn({ err }, "reload failed; serving the last good version"))
        .finally(() => send({ type: "gatehouse:reloaded", id: message.id }));
    } else if (message.type === "gatehouse:metrics") {
      void metrics.registry
        .getMetricsAsJSON()
        .then((list) => send({ type: "gatehouse:metrics", id: message.id, metrics: list }));
    } else if (message.type === "gatehouse:shutdown") {
      void node
        .close()
        .then(() => store.close())
        .finally(() => process.exit(0));
    }
  });
  // A primary that dies without telling us (SIGKILL) closes the IPC channel: the worker must not outlive it.
  process.once("disconnect", () => process.exit(0));
  send({ type: "gatehouse:listening", port: node.port });
}

main().catch((error: unknown) => {
  send({ type: "gatehouse:failed", message: (error as Error).message });
  process.exit(1);
});
