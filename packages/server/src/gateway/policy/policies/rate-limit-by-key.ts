/**
 * `rate-limit-by-key` (reference apim.md §2.5): a sliding-window limit per counter-key value, one counter per value
 * across every scope that uses it. Checked when the policy runs; with an increment-condition expression the call is
 * counted only once the response is known and the condition holds.
 */
import { MAX_RATE_WINDOW_SECONDS } from "../../state/gateway-state.js";
import type { PolicyDefinition } from "../definition.js";
import { counted, readFailOpen } from "./counter-store.js";
import { readIncrementCondition } from "./increment-condition.js";
import { applyRateDecision, readThrottleOutput } from "./throttle.js";
import { readIntegerValue } from "./typed-values.js";

export const rateLimitByKey: PolicyDefinition = {
  name: "rate-limit-by-key",
  sections: ["inbound"],
  compile(element, environment) {
    const calls = readIntegerValue(element, "calls", { min: 0 });
    const period = readIntegerValue(element, "renewal-period", { min: 1, max: MAX_RATE_WINDOW_SECONDS });
    const counterKey = element.requiredValueAttribute("counter-key");
    const condition = readIncrementCondition(element);
    const increment = readIntegerValue(element, "increment-count", { min: 0 }, 1);
    const output = readThrottleOutput(element);
    const failOpen = readFailOpen(element);
    const { state } = environment.services;
    return {
      policy: "rate-limit-by-key",
      id: element.id,
      async run(context) {
        const limit = calls(context);
        const count = increment(context);
        const windows = [
          {
            key: JSON.stringify(["rate-limit-by-key", counterKey.text(context)]),
            limit,
            windowSeconds: period(context),
          },
        ];
        if (condition === true) {
          const decision = await counted("rate-limit-by-key", failOpen, state.rateHit(windows, count));
          if (decision) applyRateDecision(context, "rate-limit-by-key", output, decision, limit);
          return;
        }
        const decision = await counted("rate-limit-by-key", failOpen, state.ratePeek(windows, count));
        if (decision) applyRateDecision(context, "rate-limit-by-key", output, decision, limit);
        if (condition === false) return;
        context.completions.push(async () => {
          if (condition.condition(context)) await state.rateAdd(windows, count);
        });
      },
    };
  },
};
