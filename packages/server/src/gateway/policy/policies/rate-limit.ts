/**
 * `rate-limit` (reference apim.md §2.4): a sliding-window call limit per subscription, only for calls made with a
 * subscription key; `api` and `operation` children add independent limits for the API or operation being called.
 */
import type { PolicyScopeKind } from "../../model.js";
import type { PipelineContext } from "../../pipeline/context.js";
import { MAX_RATE_WINDOW_SECONDS, type RateWindow } from "../../state/gateway-state.js";
import type { PolicyDefinition, PolicyElement } from "../definition.js";
import { readFailOpen, whenCounted } from "./counter-store.js";
import { readReference, refersTo } from "./entity-reference.js";
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
    const limit = readLimit(element);
    const output = readThrottleOutput(element);
    const failOpen = readFailOpen(element);
    const apis = element.children("api").map((api) => ({
      reference: readReference(api),
      limit: readLimit(api),
      operations: api.children("operation").map((operation) => ({
        reference: readReference(operation),
        limit: readLimit(operation),
      })),
    }));
    const { state } = environment.services;
    const { scope } = environment;
    const window = (key: unknown[], { calls, windowSeconds }: Limit): RateWindow => ({
      key: JSON.stringify(key),
      limit: calls,
      windowSeconds,
    });
    return {
      policy: "rate-limit",
      id: element.id,
      run(context) {
        const { subscription } = context;
        if (subscription === undefined) return;
        const key = ["rate-limit", scopeOf(context, scope), subscription.name];
        const windows = [window(key, limit)];
        const api = apis.find((a) => refersTo(a.reference, context.api));
        if (api) {
          windows.push(window([...key, "api", context.api.name], api.limit));
          const operation = api.operations.find((o) => refersTo(o.reference, context.operation));
          if (operation) {
            windows.push(window([...key, "operation", context.api.name, context.operation.name], operation.limit));
          }
        }
        return whenCounted("rate-limit", failOpen, state.rateHit(windows, 1), (decision) => {
          if (decision) applyRateDecision(context, "rate-limit", output, decision, limit.calls);
        });
      },
    };
  },
};
