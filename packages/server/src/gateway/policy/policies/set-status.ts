/** `set-status` (reference apim.md §2.15): the response's status code and reason phrase. */
import { responseOf } from "../../pipeline/gateway-error.js";
import type { PolicyDefinition } from "../definition.js";

export const setStatus: PolicyDefinition = {
  name: "set-status",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element) {
    element.requiredAttribute("code");
    const code = element.integerAttribute("code", 200, { min: 100, max: 599 });
    const reason = element.requiredAttribute("reason");
    return {
      policy: "set-status",
      id: element.id,
      run(context) {
        const response = responseOf(context);
        response.statusCode = code;
        response.statusReason = reason;
      },
    };
  },
};
