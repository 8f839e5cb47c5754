/**
 * The sliding window of rate-limit (apim.md §2.4) in process memory, with the same arithmetic as the Redis script
 * (redis-scripts.ts): calls are counted per whole second, and a second's calls count while that second lies within
 * the last `windowSeconds` seconds.
 */
import { MAX_RATE_WINDOW_SECONDS, type RateDecision } from "./gateway-state.js";

interface Bucket {
  second: number;
  count: number;
}

export class RateBuckets {
  /** Ascending by second. */
  private readonly buckets: Bucket[] = [];

  /** Forgets seconds that no window can reach any more. */
  prune(second: number): void {
    let stale = 0;
    while (stale < this.buckets.length && (this.buckets[stale] as Bucket).second <= second - MAX_RATE_WINDOW_SECONDS) {
      stale++;
    }
    if (stale > 0) this.buckets.splice(0, stale);
  }

  add(second: number, count: number): void {
    const last = this.buckets.at(-1);
    if (last?.second === second) last.count += count;
    else if (last === undefined || last.second < second) this.buckets.push({ second, count });
    else {
      // The clock stepped back (another host's, or a test's): keep the order.
      const at = this.buckets.findIndex((b) => b.second >= second);
      const found = this.buckets[at] as Bucket;
      if (found.second === second) found.count += count;
      else this.buckets.splice(at, 0, { second, count });
    }
  }

  /** The buckets inside the window ending at `second`, oldest first. */
  inWindow(second: number, windowSeconds: number): readonly Bucket[] {
    return this.buckets.filter((b) => b.second > second - windowSeconds && b.second <= second);
  }

  get latestSecond(): number {
    return this.buckets.at(-1)?.second ?? 0;
  }
}

/** Whether `count` more calls fit in every window, and when they would if not. */
export function rateDecision(
  windows: readonly { limit: number; windowSeconds: number; buckets: RateBuckets }[],
  count: number,
  nowMs: number,
): RateDecision {
  const second = Math.floor(nowMs / 1000);
  let allowed = true;
  let waitMs = 0;
  const totals = windows.map(({ limit, windowSeconds, buckets }) => {
    const inWindow = buckets.inWindow(second, windowSeconds);
    const total = inWindow.reduce((sum, b) => sum + b.count, 0);
    if (total + count > limit) {
      allowed = false;
      waitMs = Math.max(waitMs, waitUntilFreed(inWindow, total + count - limit, count > limit, windowSeconds, nowMs));
    }
    return { limit, total };
  });
  const remaining = Math.min(...totals.map(({ limit, total }) => Math.max(0, limit - total - (allowed ? count : 0))));
  return { allowed, remaining, retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(waitMs / 1000)) };
}

/** Milliseconds until `excess` calls have left the window; a request larger than the limit never fits. */
function waitUntilFreed(
  inWindow: readonly Bucket[],
  excess: number,
  neverFits: boolean,
  windowSeconds: number,
  nowMs: number,
): number {
  if (neverFits) return windowSeconds * 1000;
  let freed = 0;
  for (const bucket of inWindow) {
    freed += bucket.count;
    if (freed >= excess) return (bucket.second + windowSeconds) * 1000 - nowMs;
  }
  return windowSeconds * 1000;
}
