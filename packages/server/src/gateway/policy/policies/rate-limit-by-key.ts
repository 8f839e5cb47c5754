/**
 * `rate-limit-by-key` (reference apim.md §2.5): a sliding-window limit per counter-key value, one counter per value
 * across every scope that uses it. Checked when the policy runs; with an increment-condition expression the call is
 * counted only once the response is known and the condition holds.
 */
import { MAX_RATE_WINDOW_SECONDS, type RateDecision } from "../../state/gateway-state.js";
import type { PolicyDefinition } from "../definition.js";
import { readFailOpen, whenCounted } from "./counter-store.js";
import { readIncrementCondition } from "./increment-condition.js";
import { applyRateDecision, readThrottleOutput } from "./throttle.js";
import { integerSetting, valueOf } from "../setting.js";

export const rateLimitByKey: PolicyDefinition = {
  name: "rate-limit-by-key",
  sections: ["inbound"],
  compile(element, environment) {
    const calls = integerSetting(element, "calls", undefined, { min: 0 });
    const period = integerSetting(element, "renewal-period", undefined, { min: 1, max: MAX_RATE_WINDOW_SECONDS });
    const counterKey = element.requiredValueAttribute("counter-key");
    const condition = readIncrementCondition(element);
    const increment = integerSetting(element, "increment-count", 1, { min: 0 });
    const output = readThrottleOutput(element);
    const failOpen = readFailOpen(element);
    const { state } = environment.services;
    return {
      policy: "rate-limit-by-key",
      id: element.id,
      run(context) {
        const limit = valueOf(calls, context);
        const count = valueOf(increment, context);
        const windows = [
          {
            key: `rate-limit-by-key\u0000${counterKey.text(context)}`,
            limit,
            windowSeconds: valueOf(period, context),
          },
        ];
        const apply = (decision: RateDecision | undefined) => {
          if (decision) applyRateDecision(context, "rate-limit-by-key", output, decision, limit);
        };
        if (condition === true) return whenCounted("rate-limit-by-key", failOpen, state.rateHit(windows, count), apply);
        const checked = whenCounted("rate-limit-by-key", failOpen, state.ratePeek(windows, count), apply);
        if (condition === false) return checked;
        const countLater = () => {
          context.completions.push(async () => {
            if (condition.condition(context)) await state.rateAdd(windows, count);
          });
        };
        if (checked === undefined) return countLater();
        return checked.then(countLater);
      },
    };
  },
};
