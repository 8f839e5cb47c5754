/**
 * `quota` (reference apim.md §2.6): call volume and/or bandwidth per subscription over fixed periods counted from the
 * subscription's start; only for calls made with a subscription key, at product scope. `api` and `operation`
 * children add independent quotas for the API or operation being called.
 */
import type { PolicyDefinition } from "../definition.js";
import { counted, readFailOpen } from "./counter-store.js";
import { EntityLimits } from "./entity-reference.js";
import { countWhenDone, quotaRefusal, quotaWindow, readQuotaLimits } from "./quota-limits.js";

export const quota: PolicyDefinition = {
  name: "quota",
  once: "document",
  sections: ["inbound"],
  scopes: ["product"],
  compile(element, environment) {
    const limits = new EntityLimits(element, (child) => readQuotaLimits(child));
    const failOpen = readFailOpen(element);
    const bandwidth = limits.all().some((limit) => limit.kilobytes !== undefined);
    const { state } = environment.services;
    return {
      policy: "quota",
      id: element.id,
      async run(context) {
        const { subscription } = context;
        if (subscription === undefined) return;
        const start = Date.parse(subscription.startDate ?? subscription.createdDate);
        const periodStartMs = Number.isNaN(start) ? 0 : start;
        const windows = limits
          .applying(context.api, context.operation)
          .map(({ path, limits: limit }) =>
            quotaWindow(JSON.stringify(["quota", subscription.name, ...path]), limit, periodStartMs),
          );
        const decision = await counted("quota", failOpen, state.quotaHit(windows));
        if (decision && !decision.allowed) throw quotaRefusal("quota", decision);
        if (bandwidth) {
          countWhenDone(context, { calls: 0, bandwidth }, (calls, bytes) => state.quotaAdd(windows, calls, bytes));
        }
      },
    };
  },
};
