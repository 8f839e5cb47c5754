/**
 * Counters and cache in this process's memory: the default, and what each gateway process has on its own when no
 * Redis is configured (limits are then per process). Bounded: see BoundedMap.
 */
import { BoundedMap } from "./bounded-map.js";
import { currentUsage, periodEndMs, quotaDecision, type QuotaUsage } from "./fixed-window.js";
import {
  MAX_RATE_WINDOW_SECONDS,
  type GatewayState,
  type QuotaDecision,
  type QuotaWindow,
  type RateDecision,
  type RateWindow,
} from "./gateway-state.js";
import { RateBuckets, rateDecision } from "./sliding-window.js";

export interface MemoryStateOptions {
  /** Epoch milliseconds; tests move it by hand. */
  clock?: () => number;
  /** Rate and quota counters kept, each (least recently used dropped first). */
  maxCounters?: number;
  /** Bytes of cached values kept. */
  maxCacheBytes?: number;
}

export class MemoryState implements GatewayState {
  private readonly clock: () => number;
  private readonly rates: BoundedMap<RateBuckets>;
  private readonly quotas: BoundedMap<QuotaUsage>;
  private readonly cache: BoundedMap<Buffer>;

  constructor(options: MemoryStateOptions = {}) {
    this.clock = options.clock ?? Date.now;
    const maxCounters = options.maxCounters ?? 100_000;
    this.rates = new BoundedMap(maxCounters);
    this.quotas = new BoundedMap(maxCounters);
    // Entries are small next to the bytes budget: the count bound only stops a flood of empty values.
    this.cache = new BoundedMap(1_000_000, options.maxCacheBytes ?? 64 * 1024 * 1024);
  }

  async rateHit(windows: readonly RateWindow[], count: number): Promise<RateDecision> {
    return this.rate(windows, count, "hit");
  }

  async ratePeek(windows: readonly RateWindow[], count: number): Promise<RateDecision> {
    return this.rate(windows, count, "peek");
  }

  async rateAdd(windows: readonly RateWindow[], count: number): Promise<void> {
    this.rate(windows, count, "add");
  }

  async quotaHit(windows: readonly QuotaWindow[]): Promise<QuotaDecision> {
    return this.quota(windows, "hit", 1, 0);
  }

  async quotaPeek(windows: readonly QuotaWindow[], calls: number): Promise<QuotaDecision> {
    return this.quota(windows, "peek", calls, 0);
  }

  async quotaAdd(windows: readonly QuotaWindow[], calls: number, bytes: number): Promise<void> {
    this.quota(windows, "add", calls, bytes);
  }

  async cacheGet(key: string): Promise<Buffer | undefined> {
    return this.cache.get(key, this.clock());
  }

  async cacheSet(key: string, value: Buffer, ttlSeconds: number): Promise<void> {
    this.cache.set(key, value, this.clock() + ttlSeconds * 1000, value.length + key.length);
  }

  async cacheDelete(key: string): Promise<void> {
    this.cache.delete(key);
  }

  async close(): Promise<void> {}

  private rate(windows: readonly RateWindow[], count: number, mode: "hit" | "peek" | "add"): RateDecision {
    const now = this.clock();
    const second = Math.floor(now / 1000);
    const counters = windows.map((window) => {
      const buckets = this.rates.get(window.key, now) ?? new RateBuckets();
      buckets.prune(second);
      return { ...window, buckets };
    });
    const decision = rateDecision(counters, count, now);
    if (mode === "add" || (mode === "hit" && decision.allowed)) {
      for (const { key, buckets } of counters) {
        buckets.add(second, count);
        this.rates.set(key, buckets, (buckets.latestSecond + MAX_RATE_WINDOW_SECONDS + 1) * 1000);
      }
    }
    return decision;
  }

  private quota(
    windows: readonly QuotaWindow[],
    mode: "hit" | "peek" | "add",
    calls: number,
    bytes: number,
  ): QuotaDecision {
    const now = this.clock();
    const counters = windows.map((window) => ({
      window,
      usage: currentUsage(window, this.quotas.get(window.key, now), now),
    }));
    const decision = quotaDecision(counters, calls, now);
    if (mode === "add" || (mode === "hit" && decision.allowed)) {
      for (const { window, usage } of counters) {
        const next = { period: usage.period, calls: usage.calls + calls, bytes: usage.bytes + bytes };
        this.quotas.set(window.key, next, periodEndMs(window, usage.period));
      }
    }
    return decision;
  }
}
