/**
 * The fixed window of quota (apim.md §2.6–2.7) in process memory, with the same arithmetic as the Redis script
 * (redis-scripts.ts): periods of `periodSeconds` counted from `periodStartMs`; usage resets when a new period begins.
 */
import type { QuotaDecision, QuotaWindow } from "./gateway-state.js";

export interface QuotaUsage {
  period: number;
  calls: number;
  bytes: number;
}

/** The period `nowMs` falls in; a lifetime quota has only period 0. */
export function periodIndex(window: QuotaWindow, nowMs: number): number {
  return window.periodSeconds === 0 ? 0 : Math.floor((nowMs - window.periodStartMs) / (window.periodSeconds * 1000));
}

/** When the period ends, in epoch milliseconds; never for a lifetime quota. */
export function periodEndMs(window: QuotaWindow, period: number): number {
  return window.periodSeconds === 0
    ? Number.POSITIVE_INFINITY
    : window.periodStartMs + (period + 1) * window.periodSeconds * 1000;
}

/** The usage of the current period: a stored usage of an earlier period counts as none. */
export function currentUsage(window: QuotaWindow, stored: QuotaUsage | undefined, nowMs: number): QuotaUsage {
  const period = periodIndex(window, nowMs);
  return stored?.period === period ? stored : { period, calls: 0, bytes: 0 };
}

/** Whether `calls` more calls fit every quota (the call volume first, then whether any bandwidth is left). */
export function quotaDecision(
  windows: readonly { window: QuotaWindow; usage: QuotaUsage }[],
  calls: number,
  nowMs: number,
): QuotaDecision {
  let exceeded: QuotaDecision["exceeded"];
  let waitMs = 0;
  for (const { window, usage } of windows) {
    const kind =
      window.calls !== undefined && usage.calls + calls > window.calls
        ? "calls"
        : window.bytes !== undefined && usage.bytes >= window.bytes
          ? "bandwidth"
          : undefined;
    if (kind === undefined) continue;
    exceeded ??= kind;
    waitMs = Math.max(waitMs, periodEndMs(window, usage.period) - nowMs);
  }
  const allowed = exceeded === undefined;
  const callQuotas = windows.filter(({ window }) => window.calls !== undefined);
  return {
    allowed,
    exceeded,
    remainingCalls:
      callQuotas.length === 0
        ? undefined
        : Math.min(
            ...callQuotas.map(({ window, usage }) =>
              Math.max(0, (window.calls as number) - usage.calls - (allowed ? calls : 0)),
            ),
          ),
    retryAfterSeconds: allowed || !Number.isFinite(waitMs) ? undefined : Math.max(1, Math.ceil(waitMs / 1000)),
  };
}
