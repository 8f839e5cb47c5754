import type { MetricObjectWithValues, MetricValue } from "prom-client";
import type { CredentialThrottleOptions } from "../../security/credential-throttle.js";
import type { ListenerLimits, RedisOptions, TlsOptions } from "../../config/options.js";

/** What a gateway worker process is told at start (in GATEHOUSE_GATEWAY_WORKER, as JSON). */
export interface WorkerConfig {
  dataDir: string;
  database?: string;
  host: string;
  port: number;
  tls: TlsOptions;
  publicUrl?: string;
  logLevel: string;
  pollIntervalMs: number;
  jwksRefreshCooldownMs: number;
  azureAdAuthority: string;
  /** The identity service product applications live in: application tokens are verified with its keys. */
  applicationAuthority: string;
  /** The admin API's base URL, for Ocp-Apim-Trace-Location. */
  adminUrl: string;
  /** The identity service's App Service-style endpoint; the gateway's header is read from the data folder. */
  identityEndpoint: string;
  /** Without it each worker counts rate limits and quotas on its own. */
  redis?: RedisOptions;
  credentialThrottle: CredentialThrottleOptions;
  redactNames: string[];
  limits: ListenerLimits;
}

export const WORKER_CONFIG_ENV = "GATEHOUSE_GATEWAY_WORKER";

export type PrimaryMessage =
  { type: "gatehouse:reload"; id: number } | { type: "gatehouse:metrics"; id: number } | { type: "gatehouse:shutdown" };
export type WorkerMessage =
  | { type: "gatehouse:listening"; port: number }
  | { type: "gatehouse:reloaded"; id: number }
  | { type: "gatehouse:metrics"; id: number; metrics: MetricObjectWithValues<MetricValue<string>>[] }
  | { type: "gatehouse:failed"; message: string };

export const isWorkerMessage = (value: unknown): value is WorkerMessage =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { type?: unknown }).type === "string" &&
  (value as { type: string }).type.startsWith("gatehouse:");
