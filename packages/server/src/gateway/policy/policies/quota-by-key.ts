/**
 * `quota-by-key` (reference apim.md §2.7): call volume and/or bandwidth per counter-key value over fixed periods from
 * first-period-start (renewal-period 0, or at least 300 s). A key several policies use is counted once per request.
 */
import type { PipelineContext } from "../../pipeline/context.js";
import type { PolicyDefinition } from "../definition.js";
import { counted, readFailOpen } from "./counter-store.js";
import { readIncrementCondition } from "./increment-condition.js";
import { countWhenDone, quotaRefusal, quotaWindow, readQuotaLimits } from "./quota-limits.js";

/** `yyyy-MM-ddTHH:mm:ssZ` (fractions and offsets tolerated); APIM's default is the first instant of year 1. */
const FIRST_PERIOD_START = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const DEFAULT_FIRST_PERIOD_START = "0001-01-01T00:00:00Z";

/** The keys a quota-by-key of the request counts (or will count once the response is known). */
const countedKeys = new WeakMap<PipelineContext, Set<string>>();

function claim(context: PipelineContext, key: string): void {
  const keys = countedKeys.get(context);
  if (keys) keys.add(key);
  else countedKeys.set(context, new Set([key]));
}

export const quotaByKey: PolicyDefinition = {
  name: "quota-by-key",
  sections: ["inbound"],
  compile(element, environment) {
    const limits = readQuotaLimits(element, 300);
    const counterKey = element.requiredValueAttribute("counter-key");
    const condition = readIncrementCondition(element);
    const start = element.attribute("first-period-start") ?? DEFAULT_FIRST_PERIOD_START;
    const periodStartMs = FIRST_PERIOD_START.test(start) ? Date.parse(start) : Number.NaN;
    if (Number.isNaN(periodStartMs)) {
      throw element.error(
        `Attribute 'first-period-start' must be an ISO 8601 date and time such as ${DEFAULT_FIRST_PERIOD_START}, not '${start}'`,
        "first-period-start",
      );
    }
    const failOpen = readFailOpen(element);
    const bandwidth = limits.kilobytes !== undefined;
    const { state } = environment.services;
    return {
      policy: "quota-by-key",
      id: element.id,
      async run(context) {
        const key = JSON.stringify(["quota-by-key", counterKey.text(context)]);
        const windows = [quotaWindow(key, limits, periodStartMs)];
        const fresh = !countedKeys.get(context)?.has(key);
        const counts = fresh && condition !== false;
        if (counts) claim(context, key);
        // A key an earlier policy of this request counts is checked without this call: it is in the count already.
        const operation =
          counts && condition === true ? state.quotaHit(windows) : state.quotaPeek(windows, fresh ? 1 : 0);
        const decision = await counted("quota-by-key", failOpen, operation);
        if (decision && !decision.allowed) throw quotaRefusal("quota-by-key", decision);
        if (!counts) return;
        const add = (calls: number, bytes: number) => state.quotaAdd(windows, calls, bytes);
        if (condition === true) {
          if (bandwidth) countWhenDone(context, { calls: 0, bandwidth }, add);
        } else {
          countWhenDone(context, { calls: 1, bandwidth, when: () => condition.condition(context) }, add);
        }
      },
    };
  },
};
