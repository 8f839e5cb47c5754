/**
 * `rate-limit` (reference apim.md §2.4): a sliding-window call limit per subscription, only for calls made with a
 * subscription key; `api` and `operation` children add independent limits for the API or operation being called.
 */
import type { PolicyScopeKind } from "../../model/configuration.js";
import type { PipelineContext } from "../../pipeline/context.js";
import { MAX_RATE_WINDOW_SECONDS, type RateWindow } from "../../state/gateway-state.js";
import type { PolicyDefinition, PolicyElement } from "../definition.js";
import { readFailOpen, whenCounted } from "./counter-store.js";
import { EntityLimits } from "./entity-reference.js";
import { applyRateDecision, readThrottleOutput } from "./throttle.js";

interface Limit {
  readonly calls: number;
  readonly windowSeconds: number;
}

function readLimit(element: PolicyElement): Limit {
  element.requiredAttribute("calls");
  element.requiredAttribute("renewal-period");
  return {
    calls: element.integerAttribute("calls", 0, { min: 0 }),
    windowSeconds: element.integerAttribute("renewal-period", 0, { min: 1, max: MAX_RATE_WINDOW_SECONDS }),
  };
}

/** The scope the document belongs to, as the request shows it: each scope's rate-limit counts on its own. */
function scopeOf(context: PipelineContext, scope: PolicyScopeKind): string {
  if (scope === "product") return `product:${context.product?.name ?? ""}`;
  if (scope === "api") return `api:${context.api.name}`;
  return `operation:${context.api.name}/${context.operation.name}`;
}

export const rateLimit: PolicyDefinition = {
  name: "rate-limit",
  once: "document",
  sections: ["inbound"],
  scopes: ["product", "api", "operation"],
  compile(element, environment) {
    const limits = new EntityLimits(element, readLimit);
    const output = readThrottleOutput(element);
    const failOpen = readFailOpen(element);
    const { state } = environment.services;
    const { scope } = environment;
    return {
      policy: "rate-limit",
      id: element.id,
      run(context) {
        const { subscription } = context;
        if (subscription === undefined) return;
        const key = ["rate-limit", scopeOf(context, scope), subscription.name];
        const windows = limits
          .applying(context.api, context.operation)
          .map(({ path, limits: { calls, windowSeconds } }): RateWindow => ({
            key: JSON.stringify([...key, ...path]),
            limit: calls,
            windowSeconds,
          }));
        return whenCounted("rate-limit", failOpen, state.rateHit(windows, 1), (decision) => {
          if (decision) applyRateDecision(context, "rate-limit", output, decision, limits.own.calls);
        });
      },
    };
  },
};
