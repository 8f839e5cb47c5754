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

  rateHit(windows: readonly RateWindow[], count: number): RateDecision {
    return this.rate(windows, count, "hit");
  }

  ratePeek(windows: readonly RateWindow[], count: number): RateDecision {
    return this.rate(windows, count, "peek");
  }

  rateAdd(windows: readonly RateWindow[], count: number): void {
    this.rate(windows, count, "add");
  }

  quotaHit(windows: readonly QuotaWindow[]): QuotaDecision {
    return this.quota(windows, "hit", 1, 0);
  }

  quotaPeek(windows: readonly QuotaWindow[], calls: number): QuotaDecision {
    return this.quota(windows, "peek", calls, 0);
  }

  quotaAdd(windows: readonly QuotaWindow[], calls: number, bytes: number): void {
    this.quota(windows, "add", calls, bytes);
  }

  cacheGet(key: string): Buffer | undefined {
    return this.cache.get(key, this.clock());
  }

  cacheSet(key: string, value: Buffer, ttlSeconds: number): void {
    this.cache.set(key, value, this.clock() + ttlSeconds * 1000, value.length + key.length);
  }

  cacheDelete(key: string): void {
    this.cache.delete(key);
  }

  async close(): Promise<void> {}

  private rate(windows: readonly RateWindow[], count: number, mode: "hit" | "peek" | "add"): RateDecision {
    const now = this.clock();
    const second = Math.floor(now / 1000);
    const counters = windows.map((window) => {
      const stored = this.rates.get(window.key, now);
      const buckets = stored ?? new RateBuckets();
      buckets.prune(second);
      return { key: window.key, limit: window.limit, windowSeconds: window.windowSeconds, buckets, stored };
    });
    const decision = rateDecision(counters, count, now);
    if (mode === "add" || (mode === "hit" && decision.allowed)) {
      for (const { key, buckets, stored } of counters) {
        buckets.add(second, count);
        const expiresAtMs = (buckets.latestSecond + MAX_RATE_WINDOW_SECONDS + 1) * 1000;
        // A counter just read is already the most recently used: only its expiry moves.
        if (stored) this.rates.renew(key, expiresAtMs);
        else this.rates.set(key, buckets, expiresAtMs);
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
