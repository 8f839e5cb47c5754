/** `set-query-parameter` (reference apim.md §2.9): set-header's semantics on the request's query string. */
import type { PolicyDefinition } from "../definition.js";
import { readValueRule, valueRuleStep } from "./exists-action.js";

export const setQueryParameter: PolicyDefinition = {
  name: "set-query-parameter",
  sections: ["inbound", "backend"],
  compile(element) {
    return valueRuleStep(element, readValueRule(element), (context) => context.request.query);
  },
};
