/** `set-header` (reference apim.md §2.8): the request's headers in inbound and backend, the response's elsewhere. */
import { responseOf } from "../../pipeline/gateway-error.js";
import type { PolicyDefinition } from "../definition.js";
import { applyValueRule, readValueRule } from "./exists-action.js";

/** The connection's framing, which the gateway owns. */
const UNMODIFIABLE = new Set(["connection", "content-length", "keep-alive", "transfer-encoding"]);

export const setHeader: PolicyDefinition = {
  name: "set-header",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element, environment) {
    const rule = readValueRule(element);
    const lower = rule.name.toLowerCase();
    if (UNMODIFIABLE.has(lower))
      throw element.error(`Header '${rule.name}' cannot be set or deleted by a policy`, "name");
    if (lower === "server" && rule.action === "delete") {
      throw element.error("Header 'Server' cannot be deleted by a policy", "name");
    }
    const { id } = element;
    return environment.target === "request"
      ? { policy: "set-header", id, run: (context) => applyValueRule(context.request.headers, rule) }
      : { policy: "set-header", id, run: (context) => applyValueRule(responseOf(context).headers, rule) };
  },
};
