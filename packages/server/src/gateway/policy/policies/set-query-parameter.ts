/** `set-query-parameter` (reference apim.md §2.9): set-header's semantics on the request's query string. */
import type { PolicyDefinition } from "../definition.js";
import { applyValueRule, readValueRule } from "./exists-action.js";

export const setQueryParameter: PolicyDefinition = {
  name: "set-query-parameter",
  sections: ["inbound", "backend"],
  compile(element) {
    const rule = readValueRule(element);
    return {
      policy: "set-query-parameter",
      id: element.id,
      run: (context) => applyValueRule(context.request.query, rule),
    };
  },
};
