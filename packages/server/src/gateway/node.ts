import type { Logger } from "pino";
import type { GatewayMetrics } from "../observability/gateway-metrics.js";
import type { Deployment } from "./pipeline/context.js";
import type { Store } from "../store/store.js";
import { DataPlane } from "./data-plane.js";
import { KeySources } from "./jwt/key-sources.js";
import { startGatewayListener } from "./listener.js";
import { Forwarder } from "./proxy/forwarder.js";
import type { GatewayRegistry } from "./registry.js";
import { GatewayRuntime } from "./runtime.js";

export interface GatewayNodeOptions {
  store: Store;
  /** The configuration is read through the registry (the gateway itself never writes). */
  registry: GatewayRegistry;
  logger: Logger;
  metrics: GatewayMetrics;
  host: string;
  port: number;
  tls: { cert: Buffer | string; key: Buffer | string } | undefined;
  /** CA certificates trusted besides the system roots (the local Gatehouse CA), for JWKS and backends. */
  extraCa: string[];
  pollIntervalMs: number;
  /** validate-azure-ad-token's authority, read when policies compile. */
  azureAdAuthority: () => string;
  /** `context.Deployment`; Gatehouse's own values by default. */
  deployment?: Deployment;
}

export const DEFAULT_DEPLOYMENT: Deployment = { serviceName: "gatehouse", region: "local", gatewayId: "managed" };

/** One gateway: live compiled configuration, key sources, forwarder and listener. In-process or in a worker. */
export interface GatewayNode {
  port: number;
  reload(): Promise<void>;
  close(): Promise<void>;
}

export async function startGatewayNode(options: GatewayNodeOptions): Promise<GatewayNode> {
  const { logger, metrics } = options;
  const scheme = options.tls ? "https" : "http";
  // The gateway trusts the local CA, so a policy pointing at the local identity service works out of the box.
  const keySources = new KeySources({
    extraCa: options.extraCa,
    onRefresh: (_url, outcome) => metrics.keyRefresh(outcome),
    logger: logger.child({ component: "key-sources" }),
  });
  const services = {
    keySources,
    get azureAdAuthority() {
      return options.azureAdAuthority();
    },
  };
  const forwarder = new Forwarder({
    extraCa: options.extraCa,
    scheme,
    onBackendResponse: (context, seconds) => metrics.backendResponse(context.api.name, seconds),
  });
  let runtime: GatewayRuntime | undefined;
  try {
    runtime = await GatewayRuntime.start(options.store, options.registry, services, {
      pollIntervalMs: options.pollIntervalMs,
      onReloadError: (err) =>
        logger.warn({ err }, "gateway configuration reload failed; serving the last good version"),
      onProblems: (problems) => logger.error({ problems }, "stored policy documents that no longer load answer 500"),
    });
    const live = runtime;
    const dataPlane = new DataPlane({
      snapshot: live.snapshot,
      forwarder,
      metrics,
      logger,
      scheme,
      deployment: options.deployment ?? DEFAULT_DEPLOYMENT,
    });
    const listener = await startGatewayListener({
      host: options.host,
      port: options.port,
      tls: options.tls,
      dataPlane,
    });
    logger.info(`Gateway listening at ${scheme}://${options.host}:${listener.port}`);
    return {
      port: listener.port,
      reload: () => live.reload(),
      async close() {
        await listener.close();
        await Promise.allSettled([forwarder.close(), keySources.close(), live.close()]);
      },
    };
  } catch (error) {
    await Promise.allSettled([forwarder.close(), keySources.close(), runtime?.close()]);
    throw error;
  }
}
