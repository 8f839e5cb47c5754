/**
 * Counters and cache in Redis (--redis), shared by every gateway process that points at the same server, so a limit
 * holds in total. A dead or slow Redis never stalls a request: commands are not queued while disconnected and time
 * out quickly; the caller gets StateUnavailableError and the log says so once per outage.
 */
import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import {
  StateUnavailableError,
  type GatewayState,
  type QuotaDecision,
  type QuotaWindow,
  type RateDecision,
  type RateWindow,
} from "./gateway-state.js";
import { QUOTA_SCRIPT, RATE_SCRIPT, type LuaScript } from "./redis-scripts.js";

export interface RedisStateOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`. */
  url: string;
  /** How long a command may take before the request goes on without it. */
  commandTimeoutMs: number;
  logger: Logger;
  /** Epoch milliseconds; tests move it by hand. */
  clock?: () => number;
}

/** Bytes before a cached value: its expiry (epoch ms), checked against the clock as MemoryState does. */
const EXPIRY_BYTES = 8;

export class RedisState implements GatewayState {
  private available = true;
  private closing = false;

  private constructor(
    private readonly client: Redis,
    private readonly logger: Logger,
    private readonly clock: () => number,
  ) {}

  /**
   * Connects, waiting at most the connect timeout: the gateway starts either way, and until Redis answers the
   * policies act on their fail-open choice.
   */
  static async connect(options: RedisStateOptions): Promise<RedisState> {
    const client = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: 2000,
      // Retry soon after an outage, so counting resumes within a second of Redis coming back.
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    });
    // The host only: the URL may hold a password.
    const logger = options.logger.child({ redis: URL.canParse(options.url) ? new URL(options.url).host : "?" });
    const state = new RedisState(client, logger, options.clock ?? Date.now);
    client.on("error", (error: Error) => state.down(error.message));
    client.on("close", () => state.down("connection closed"));
    client.on("ready", () => state.up());
    await client.connect().then(
      () => logger.info("Redis connected: rate limits, quotas and caches are shared through it"),
      (error: unknown) => state.down(error instanceof Error ? error.message : String(error)),
    );
    return state;
  }

  async rateHit(windows: readonly RateWindow[], count: number): Promise<RateDecision> {
    return this.rate(windows, count, "hit");
  }

  async ratePeek(windows: readonly RateWindow[], count: number): Promise<RateDecision> {
    return this.rate(windows, count, "peek");
  }

  async rateAdd(windows: readonly RateWindow[], count: number): Promise<void> {
    await this.rate(windows, count, "add");
  }

  async quotaHit(windows: readonly QuotaWindow[]): Promise<QuotaDecision> {
    return this.quota(windows, "hit", 1, 0);
  }

  async quotaPeek(windows: readonly QuotaWindow[], calls: number): Promise<QuotaDecision> {
    return this.quota(windows, "peek", calls, 0);
  }

  async quotaAdd(windows: readonly QuotaWindow[], calls: number, bytes: number): Promise<void> {
    await this.quota(windows, "add", calls, bytes);
  }

  async cacheGet(key: string): Promise<Buffer | undefined> {
    const stored = await this.command(() => this.client.getBuffer(redisKey("cache", key)));
    if (stored === null || stored.length < EXPIRY_BYTES) return undefined;
    if (stored.readDoubleBE(0) <= this.clock()) return undefined;
    return stored.subarray(EXPIRY_BYTES);
  }

  async cacheSet(key: string, value: Buffer, ttlSeconds: number): Promise<void> {
    if (ttlSeconds <= 0) return;
    const expiry = Buffer.alloc(EXPIRY_BYTES);
    expiry.writeDoubleBE(this.clock() + ttlSeconds * 1000);
    await this.command(() =>
      this.client.set(redisKey("cache", key), Buffer.concat([expiry, value]), "PX", ttlSeconds * 1000),
    );
  }

  async cacheDelete(key: string): Promise<void> {
    await this.command(() => this.client.del(redisKey("cache", key)));
  }

  async close(): Promise<void> {
    this.closing = true;
    this.client.disconnect();
  }

  private async rate(
    windows: readonly RateWindow[],
    count: number,
    mode: "hit" | "peek" | "add",
  ): Promise<RateDecision> {
    const keys = windows.map((w) => redisKey("rate", w.key));
    const args = [this.clock(), count, mode, ...windows.flatMap((w) => [w.limit, w.windowSeconds])];
    const [allowed, remaining, retry] = (await this.script(RATE_SCRIPT, keys, args)) as [number, number, number];
    return { allowed: allowed === 1, remaining, retryAfterSeconds: retry };
  }

  private async quota(
    windows: readonly QuotaWindow[],
    mode: "hit" | "peek" | "add",
    calls: number,
    bytes: number,
  ): Promise<QuotaDecision> {
    const keys = windows.map((w) => redisKey("quota", w.key));
    const args = [
      this.clock(),
      calls,
      bytes,
      mode,
      ...windows.flatMap((w) => [w.calls ?? -1, w.bytes ?? -1, w.periodSeconds * 1000, w.periodStartMs]),
    ];
    const [allowed, exceeded, remaining, retry] = (await this.script(QUOTA_SCRIPT, keys, args)) as [
      number,
      number,
      number,
      number,
    ];
    return {
      allowed: allowed === 1,
      exceeded: exceeded === 1 ? "calls" : exceeded === 2 ? "bandwidth" : undefined,
      remainingCalls: remaining < 0 ? undefined : remaining,
      retryAfterSeconds: retry < 0 ? undefined : retry,
    };
  }

  /** EVALSHA, loading the script with EVAL the first time this Redis sees it (after a restart, too). */
  private script(script: LuaScript, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.command(async () => {
      try {
        return await this.client.evalsha(script.sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
        return await this.client.eval(script.source, keys.length, ...keys, ...args);
      }
    });
  }

  /**
   * Runs a command; a connection problem or timeout becomes StateUnavailableError. An error reply from Redis is a
   * defect here, not an outage, and stays as it is.
   */
  private async command<T>(run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      this.up();
      return result;
    } catch (error) {
      if (error instanceof Error && error.name === "ReplyError") throw error;
      const reason = error instanceof Error ? error.message : String(error);
      this.down(reason);
      throw new StateUnavailableError(`Redis is unavailable: ${reason}`, { cause: error });
    }
  }

  private down(reason: string): void {
    if (this.closing || !this.available) return;
    this.available = false;
    this.logger.warn({ reason }, "Redis unavailable: counters follow each policy's gatehouse-fail-open choice");
  }

  private up(): void {
    if (this.available) return;
    this.available = true;
    this.logger.info("Redis available again");
  }
}

/** `gatehouse:` + kind + a hash of the key: bounded length whatever the policy's counter-key holds. */
export function redisKey(kind: "rate" | "quota" | "cache", key: string): string {
  return `gatehouse:${kind}:${createHash("sha256").update(key).digest("base64url")}`;
}
