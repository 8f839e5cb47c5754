import type { Logger } from "pino";
import type { ListenerLimits, RedisOptions } from "../config/options.js";
import { CredentialThrottle, type CredentialThrottleOptions } from "../security/credential-throttle.js";
import { CredentialNames } from "../observability/credential-names.js";
import type { MasterKey } from "../crypto/master-key.js";
import { CertificateTrust } from "../tls/certificate-trust.js";
import type { GatewayMetrics } from "../observability/gateway-metrics.js";
import type { Deployment } from "./pipeline/context.js";
import type { Store } from "../store/store.js";
import { DataPlane } from "./data-plane.js";
import { KeySources } from "./jwt/key-sources.js";
import { startListener } from "../listener/http-listener.js";
import { gatewayErrorPage } from "./pipeline/gateway-error.js";
import { Forwarder } from "./proxy/forwarder.js";
import { RequestSender } from "./proxy/request-sender.js";
import { transport } from "./entra/transport.js";
import { ManagedIdentityTokens, type IdentityEndpoint } from "./managed-identity/token-source.js";
import { ApiTracingSettings, ApiTracingView } from "./tracing/api-tracing.js";
import { GatewayTracing } from "./tracing/gateway-tracing.js";
import { TraceSignatures } from "./tracing/location.js";
import { TraceStore } from "./tracing/trace-store.js";
import type { GatewayRegistry } from "./model/registry.js";
import { GatewayRuntime } from "./runtime.js";
import type { GatewayState } from "./state/gateway-state.js";
import { MemoryState } from "./state/memory-state.js";
import { RedisState } from "./state/redis-state.js";

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
  /** The least time between JWKS refetches triggered by unknown kids, per openid-config. */
  jwksRefreshCooldownMs: number;
  /** validate-azure-ad-token's authority, read when policies compile. */
  azureAdAuthority: () => string;
  /** The identity service product applications live in (this server's): application tokens are checked with it. */
  applicationAuthority: () => string;
  /** `context.Deployment`; Gatehouse's own values by default. */
  deployment?: Deployment;
  /** Counters and caches in Redis, shared with other gateway processes; in this process's memory without. */
  redis?: RedisOptions;
  /** Failed subscription keys a source address may send before it gets 429 for a while. */
  credentialThrottle: CredentialThrottleOptions;
  /** More header and query parameter names whose values logs and traces hide. */
  redactNames: readonly string[];
  /** The admin API's base URL: Ocp-Apim-Trace-Location points there. */
  adminUrl: string;
  /** Signs trace locations, so the admin API honours them whichever node traced the request. */
  masterKey: MasterKey;
  limits: ListenerLimits;
  /** The gateway host's managed identity endpoint and header (authentication-managed-identity); none: no identity. */
  managedIdentity: () => IdentityEndpoint | undefined;
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
  const state = await openState(options.redis, logger);
  // The gateway trusts the local CA, so a policy pointing at the local identity service works out of the box.
  const keySources = new KeySources({
    extraCa: options.extraCa,
    unknownKidRefreshMs: options.jwksRefreshCooldownMs,
    onRefresh: (_url, outcome) => metrics.keyRefresh(outcome),
    logger: logger.child({ component: "key-sources" }),
  });
  const services = {
    keySources,
    get azureAdAuthority() {
      return options.azureAdAuthority();
    },
    state,
  };
  const forwarder = new Forwarder({
    extraCa: options.extraCa,
    scheme,
    onBackendResponse: (context, seconds) => metrics.backendResponse(context.api.name, seconds),
  });
  const sender = new RequestSender(options.extraCa);
  // The identity service is reached like any other: trusting the local CA.
  const identityTransport = transport(options.extraCa);
  const managedIdentity = new ManagedIdentityTokens({
    endpoint: options.managedIdentity,
    fetch: identityTransport.fetch,
  });
  const tracedApis = new ApiTracingView(new ApiTracingSettings(options.store.db), (err) =>
    logger.warn({ err }, "cannot read which APIs are traced; keeping the last known set"),
  );
  const closeTransports = () => Promise.allSettled([sender.close(), tracedApis.close(), identityTransport.close()]);
  let runtime: GatewayRuntime | undefined;
  try {
    await tracedApis.start(options.pollIntervalMs);
    runtime = await GatewayRuntime.start(options.store, options.registry, services, {
      pollIntervalMs: options.pollIntervalMs,
      applicationAuthority: options.applicationAuthority,
      onReloadError: (err) =>
        logger.warn({ err }, "gateway configuration reload failed; serving the last good version"),
      onProblems: (problems) => logger.error({ problems }, "stored policy documents that no longer load answer 500"),
    });
    const live = runtime;
    const credentialNames = new CredentialNames(options.redactNames);
    const dataPlane = new DataPlane({
      snapshot: live.snapshot,
      forwarder,
      metrics,
      logger,
      scheme,
      deployment: options.deployment ?? DEFAULT_DEPLOYMENT,
      sender,
      certificateTrust: CertificateTrust.withSystemRoots(options.extraCa),
      managedIdentity,
      credentialNames,
      keyThrottle: new CredentialThrottle(state, "subscription-key", options.credentialThrottle),
      tracing: new GatewayTracing({
        store: new TraceStore(options.store.db),
        apis: tracedApis,
        signatures: new TraceSignatures(options.masterKey),
        adminUrl: options.adminUrl,
        logger,
        credentialNames,
        secretValues: () => live.snapshot().secretValues,
      }),
    });
    // No framework between the socket and the data plane, for speed.
    const listener = await startListener({
      host: options.host,
      port: options.port,
      tls: options.tls,
      askClientCertificate: true,
      limits: options.limits,
      handler: dataPlane.handle,
      errorPage: gatewayErrorPage,
      logger,
    });
    logger.info(`Gateway listening at ${scheme}://${options.host}:${listener.port}`);
    return {
      port: listener.port,
      reload: () => Promise.all([live.reload(), tracedApis.refresh()]).then(() => undefined),
      async close() {
        await listener.close();
        await Promise.allSettled([
          forwarder.close(),
          keySources.close(),
          live.close(),
          state.close(),
          closeTransports(),
        ]);
      },
    };
  } catch (error) {
    await Promise.allSettled([
      forwarder.close(),
      keySources.close(),
      runtime?.close(),
      state.close(),
      closeTransports(),
    ]);
    throw error;
  }
}

/** Redis when configured (the gateway starts even if it does not answer yet), else this process's memory. */
export async function openState(redis: RedisOptions | undefined, logger: Logger): Promise<GatewayState> {
  if (!redis) return new MemoryState();
  return RedisState.connect({ ...redis, logger: logger.child({ component: "redis" }) });
}
