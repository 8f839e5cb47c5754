/** `set-header` (reference apim.md §2.8): the request's headers in inbound and backend, the response's elsewhere. */
import { responseOf } from "../../pipeline/gateway-error.js";
import type { PolicyDefinition } from "../definition.js";
import { readValueRule, valueRuleStep, type RuleCheck } from "./exists-action.js";

/** The connection's framing, which the gateway owns. */
const UNMODIFIABLE = new Set(["connection", "content-length", "keep-alive", "transfer-encoding"]);

const headerRule: RuleCheck = (name, action) => {
  const lower = name.toLowerCase();
  if (UNMODIFIABLE.has(lower)) return `Header '${name}' cannot be set or deleted by a policy`;
  if (lower === "server" && action === "delete") return "Header 'Server' cannot be deleted by a policy";
  return undefined;
};

export const setHeader: PolicyDefinition = {
  name: "set-header",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element, environment) {
    const rule = readValueRule(element, headerRule);
    return environment.target === "request"
      ? valueRuleStep(element, rule, (context) => context.request.headers)
      : valueRuleStep(element, rule, (context) => responseOf(context).headers);
  },
};
