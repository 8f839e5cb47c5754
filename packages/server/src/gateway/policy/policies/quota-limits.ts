/**
 * What quota and quota-by-key share (reference apim.md §2.6–2.7, §4.4): call and bandwidth limits over a fixed
 * renewal period, the 403 with Retry-After, and counting a call's bandwidth once its bodies have passed.
 */
import type { Answer } from "../../state/gateway-state.js";
import type { PipelineContext } from "../../pipeline/context.js";
import type { QuotaDecision, QuotaWindow } from "../../state/gateway-state.js";
import { PolicyFailure, type PolicyElement } from "../definition.js";
import { meterBody } from "./body-meter.js";
import { timeSpanText } from "./timespan.js";

export interface QuotaLimits {
  readonly calls: number | undefined;
  readonly kilobytes: number | undefined;
  /** 0: never renews. */
  readonly periodSeconds: number;
}

/** `calls` and/or `bandwidth` (KB), and `renewal-period`: 0, or at least `minPeriodSeconds`. */
export function readQuotaLimits(element: PolicyElement, minPeriodSeconds = 1): QuotaLimits {
  const limit = (name: string) =>
    element.attribute(name) === undefined ? undefined : element.integerAttribute(name, 0, { min: 0 });
  const calls = limit("calls");
  const kilobytes = limit("bandwidth");
  if (calls === undefined && kilobytes === undefined) {
    throw element.error(`'${element.name}' needs a 'calls' or a 'bandwidth' attribute, or both`);
  }
  element.requiredAttribute("renewal-period");
  const periodSeconds = element.integerAttribute("renewal-period", 0, { min: 0 });
  if (periodSeconds > 0 && periodSeconds < minPeriodSeconds) {
    throw element.error(
      `Attribute 'renewal-period' must be 0 (never renews) or at least ${minPeriodSeconds} seconds, not '${periodSeconds}'`,
      "renewal-period",
    );
  }
  return { calls, kilobytes, periodSeconds };
}

export function quotaWindow(key: string, limits: QuotaLimits, periodStartMs: number): QuotaWindow {
  return {
    key,
    calls: limits.calls,
    bytes: limits.kilobytes === undefined ? undefined : limits.kilobytes * 1024,
    periodSeconds: limits.periodSeconds,
    periodStartMs,
  };
}

/**
 * APIM's 403. A quota that never renews has no time to wait for: its message ends after the first sentence and it
 * sends no Retry-After.
 */
export function quotaRefusal(policy: string, decision: QuotaDecision): PolicyFailure {
  const volume = decision.exceeded === "bandwidth" ? "bandwidth" : "call volume";
  const seconds = decision.retryAfterSeconds;
  const message =
    seconds === undefined
      ? `Out of ${volume} quota.`
      : `Out of ${volume} quota. Quota will be replenished in ${timeSpanText(seconds)}.`;
  return new PolicyFailure(
    403,
    message,
    policy,
    "QuotaExceeded",
    message,
    seconds === undefined ? {} : { "Retry-After": String(seconds) },
  );
}

export interface CallUsage {
  /** Calls to add once the response is known (0 when the policy counted the call already). */
  readonly calls: number;
  /** Whether the quota measures bandwidth: the bodies' bytes are added too. */
  readonly bandwidth: boolean;
  /** increment-condition: nothing is counted when it does not hold. */
  readonly when?: () => boolean;
}

/**
 * Counts the call once the pipeline has finished: its calls and the request body's bytes then, the response body's
 * bytes once they have been sent. `add` failing (the store is down) loses this call's usage, nothing more.
 */
export function countWhenDone(
  context: PipelineContext,
  usage: CallUsage,
  add: (calls: number, bytes: number) => Answer<void>,
): void {
  const request = usage.bandwidth ? meterBody(context.request) : undefined;
  context.completions.push(async () => {
    request?.drain();
    if (usage.when && !usage.when()) return;
    const requestBytes = request?.bytes ?? 0;
    if (usage.calls > 0 || requestBytes > 0) await add(usage.calls, requestBytes);
    if (request && context.response) {
      meterBody(context.response, (bytes) => {
        // Promise.resolve().then: a store that throws at once loses this usage only, like one that rejects.
        if (bytes > 0)
          Promise.resolve()
            .then(() => add(0, bytes))
            .catch(() => undefined);
      });
    }
  });
}
