/**
 * `quota` (reference apim.md §2.6): call volume and/or bandwidth per subscription over fixed periods counted from the
 * subscription's start; only for calls made with a subscription key, at product scope. `api` and `operation`
 * children add independent quotas for the API or operation being called.
 */
import type { QuotaWindow } from "../../state/gateway-state.js";
import type { PolicyDefinition } from "../definition.js";
import { counted, readFailOpen } from "./counter-store.js";
import { readReference, refersTo } from "./entity-reference.js";
import { countWhenDone, quotaRefusal, quotaWindow, readQuotaLimits, type QuotaLimits } from "./quota-limits.js";

export const quota: PolicyDefinition = {
  name: "quota",
  once: "document",
  sections: ["inbound"],
  scopes: ["product"],
  compile(element, environment) {
    const limits = readQuotaLimits(element);
    const failOpen = readFailOpen(element);
    const apis = element.children("api").map((api) => ({
      reference: readReference(api),
      limits: readQuotaLimits(api),
      operations: api.children("operation").map((operation) => ({
        reference: readReference(operation),
        limits: readQuotaLimits(operation),
      })),
    }));
    const all = [limits, ...apis.flatMap((api) => [api.limits, ...api.operations.map((o) => o.limits)])];
    const bandwidth = all.some((limit) => limit.kilobytes !== undefined);
    const { state } = environment.services;
    return {
      policy: "quota",
      id: element.id,
      async run(context) {
        const { subscription } = context;
        if (subscription === undefined) return;
        const start = Date.parse(subscription.startDate ?? subscription.createdDate);
        const periodStartMs = Number.isNaN(start) ? 0 : start;
        const key = ["quota", subscription.name];
        const window = (path: string[], limit: QuotaLimits): QuotaWindow =>
          quotaWindow(JSON.stringify([...key, ...path]), limit, periodStartMs);
        const windows = [window([], limits)];
        const api = apis.find((a) => refersTo(a.reference, context.api));
        if (api) {
          windows.push(window(["api", context.api.name], api.limits));
          const operation = api.operations.find((o) => refersTo(o.reference, context.operation));
          if (operation) {
            windows.push(window(["operation", context.api.name, context.operation.name], operation.limits));
          }
        }
        const decision = await counted("quota", failOpen, state.quotaHit(windows));
        if (decision && !decision.allowed) throw quotaRefusal("quota", decision);
        if (bandwidth) {
          countWhenDone(context, { calls: 0, bandwidth }, (calls, bytes) => state.quotaAdd(windows, calls, bytes));
        }
      },
    };
  },
};
