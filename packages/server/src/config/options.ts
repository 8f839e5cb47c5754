import type { DestinationStream } from "pino";
import type { Notifier } from "../security/notifier.js";
import { DEFAULT_CREDENTIAL_THROTTLE, type CredentialThrottleOptions } from "../security/credential-throttle.js";

/** Everything `gatehouse start` can be told, from flags or GATEHOUSE_* environment variables. */
export interface ServerOptions {
  dataDir: string;
  /** undefined → SQLite in the data folder; `postgres://…` → PostgreSQL. */
  database?: string;
  configFile?: string;
  /** Start with the demo content when no configuration file is given. */
  demo: boolean;
  host: string;
  identityPort: number;
  adminPort: number;
  gatewayPort: number;
  /** Public base URL of the identity listener; defaults to its own scheme://localhost:port. */
  publicUrl?: string;
  tls: TlsOptions;
  issuerV1Template?: string;
  issuerV2Template?: string;
  tokenLifetimeSeconds: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  pollIntervalMs: number;
  signerThreads?: number;
  /** Gateway processes: 1 serves in this process; more fork workers that share the port (node cluster). */
  gatewayWorkers: number;
  /** How often the gateway looks for configuration changes made by other processes (`apply`, other nodes). */
  gatewayPollIntervalMs: number;
  /** The least time between two JWKS refetches a token with an unknown `kid` may trigger, per openid-config. */
  jwksRefreshCooldownMs: number;
  /** Authority validate-azure-ad-token uses; defaults to this server's identity listener. */
  azureAdAuthority?: string;
  /**
   * The tenant (GUID or domain) product and client applications of application-based access are registered in;
   * defaults to the default tenant (the demo's Contoso).
   */
  applicationTenant?: string;
  /** Rate limits, quotas and caches in this Redis, shared by every gateway process; in each process's memory without. */
  redis?: RedisOptions;
  /** How many failed client secrets and subscription keys a source may send before it gets 429 for a while. */
  credentialThrottle: CredentialThrottleOptions;
  /** More header and query parameter names whose values logs and traces hide (observability/credential-names.ts). */
  redactNames: string[];
  /** Timeouts and caps of every listener (identity, admin, gateway and its workers), each on its own. */
  limits: ListenerLimits;
  /**
   * Public base URL of the developer portal, where invitation and password-reset links point; defaults to the admin
   * listener's own scheme://localhost:port (the portal is served there).
   */
  portalUrl?: string;
  /** Where invitation and password-reset links go (embedding); printed to standard output by default. */
  notifier?: Notifier;
  /** Called with the text of every SQL statement (embedding and diagnostics). */
  onQuery?: (sql: string) => void;
  /** Where the log's JSON lines go (embedding and diagnostics); standard output by default. */
  logDestination?: DestinationStream;
}

export interface RedisOptions {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  url: string;
  /** How long a request waits for Redis before the policy's fail-open choice applies. */
  commandTimeoutMs: number;
}

/** Long enough for a loaded Redis on the same network, short enough that a dead one never stalls requests. */
export const DEFAULT_REDIS_TIMEOUT_MS = 250;

/**
 * What one listener allows a client before it answers 408/431 or closes the connection: slow or oversized requests
 * must not hold sockets (and memory) for ever.
 */
export interface ListenerLimits {
  /** Time from the connection (or the previous response) to a request's last header line. */
  headersTimeoutMs: number;
  /** Time from the connection (or the previous response) to a request's last body byte; covers streamed uploads. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection waits for its next request. */
  keepAliveTimeoutMs: number;
  /** Open connections per listener (per address, per gateway worker); further ones are closed at once. */
  maxConnections: number;
  /** Bytes of request line and header fields together. */
  maxHeaderSize: number;
}

/**
 * 30 s for headers and 120 s for a whole request, as reverse proxies commonly allow; keep-alive above the 60 s idle
 * timeout of common load balancers, so they close first; node's 16 KB of headers.
 */
export const DEFAULT_LISTENER_LIMITS: ListenerLimits = {
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 10_000,
  maxHeaderSize: 16 * 1024,
};

export type TlsOptions =
  { mode: "local" } | { mode: "files"; certFile: string; keyFile: string } | { mode: "insecure" };

export const defaultServerOptions: ServerOptions = {
  dataDir: ".gatehouse",
  demo: false,
  /** Loopback on both 127.0.0.1 and ::1, whichever `localhost` resolves to first. */
  host: "localhost",
  identityPort: 8443,
  adminPort: 9443,
  gatewayPort: 8080,
  tls: { mode: "local" },
  tokenLifetimeSeconds: 3599,
  logLevel: "info",
  pollIntervalMs: 2000,
  gatewayWorkers: 1,
  gatewayPollIntervalMs: 500,
  jwksRefreshCooldownMs: 10_000,
  credentialThrottle: DEFAULT_CREDENTIAL_THROTTLE,
  redactNames: [],
  limits: DEFAULT_LISTENER_LIMITS,
};
