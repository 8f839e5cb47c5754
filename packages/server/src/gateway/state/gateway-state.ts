/**
 * The counters and caches policies share (reference apim.md §2.4–2.7, §2.26): sliding-window rate counters,
 * fixed-window quota counters and a cache with expiry. In process by default; in Redis with --redis, so several
 * gateway processes count together.
 */

/** rate-limit's renewal-period may not exceed this (apim.md §2.4); rate buckets older than it are dropped. */
export const MAX_RATE_WINDOW_SECONDS = 300;

/** One sliding-window limit: at most `limit` calls in the last `windowSeconds` seconds, counted per second. */
export interface RateWindow {
  readonly key: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface RateDecision {
  /** Every window has room for the calls asked about. */
  readonly allowed: boolean;
  /** Calls still allowed in the tightest window once these are counted (never negative). */
  readonly remaining: number;
  /** For a refusal: whole seconds until the refusing windows have room again (at least 1). */
  readonly retryAfterSeconds: number;
}

/** One fixed-window quota: calls and/or bytes per period, periods counted from `periodStartMs`. */
export interface QuotaWindow {
  readonly key: string;
  readonly calls: number | undefined;
  /** The bandwidth quota in bytes (the policy gives kilobytes). */
  readonly bytes: number | undefined;
  /** 0: the period never ends (a lifetime quota). */
  readonly periodSeconds: number;
  /** Epoch milliseconds the first period starts at (the subscription's start, or first-period-start). */
  readonly periodStartMs: number;
}

export interface QuotaDecision {
  readonly allowed: boolean;
  /** Which quota refused: the call volume is checked first. */
  readonly exceeded: "calls" | "bandwidth" | undefined;
  /** Calls left in the tightest call quota once the calls asked about are counted; undefined without one. */
  readonly remainingCalls: number | undefined;
  /** For a refusal: whole seconds until the period renews; undefined for a lifetime quota. */
  readonly retryAfterSeconds: number | undefined;
}

/**
 * The in-memory state answers at once and Redis with a promise: policies take a plain value without a trip through the
 * microtask queue, which is most of what a counter costs in memory.
 */
export type Answer<T> = T | Promise<T>;

export interface GatewayState {
  /** Counts `count` calls in every window if all have room for them; otherwise counts nothing. Atomic. */
  rateHit(windows: readonly RateWindow[], count: number): Answer<RateDecision>;
  /** Whether every window has room for `count` calls, counting nothing (increment-condition decides later). */
  ratePeek(windows: readonly RateWindow[], count: number): Answer<RateDecision>;
  /** Counts `count` calls without checking: the call was let through earlier. */
  rateAdd(windows: readonly RateWindow[], count: number): Answer<void>;

  /** Counts one call in every quota if none is exhausted; otherwise counts nothing. Atomic. */
  quotaHit(windows: readonly QuotaWindow[]): Answer<QuotaDecision>;
  /** Whether `calls` more calls fit every quota (0: whether none is over), counting nothing. */
  quotaPeek(windows: readonly QuotaWindow[], calls: number): Answer<QuotaDecision>;
  /** Adds calls and bytes to the current period of every quota without checking. */
  quotaAdd(windows: readonly QuotaWindow[], calls: number, bytes: number): Answer<void>;

  /** The cached bytes, or undefined when absent or expired. */
  cacheGet(key: string): Answer<Buffer | undefined>;
  cacheSet(key: string, value: Buffer, ttlSeconds: number): Answer<void>;
  cacheDelete(key: string): Answer<void>;

  close(): Promise<void>;
}

/**
 * The shared store did not answer (Redis down or too slow). Counter policies then let the call through or refuse it
 * as their `gatehouse-fail-open` attribute says; caches treat it as a miss.
 */
export class StateUnavailableError extends Error {
  override name = "StateUnavailableError";
}
