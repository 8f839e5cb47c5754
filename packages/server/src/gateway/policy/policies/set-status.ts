/** `set-status` (reference apim.md §2.15): the response's status code and reason phrase. */
import { responseOf } from "../../pipeline/gateway-error.js";
import type { PolicyDefinition } from "../definition.js";
import { integerSetting, textSetting, valueOf } from "../setting.js";

export const setStatus: PolicyDefinition = {
  name: "set-status",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element) {
    element.requiredValueAttribute("code");
    const code = integerSetting(element, "code", 200, { min: 100, max: 599 });
    const reason = textSetting(element.requiredValueAttribute("reason"));
    const { id } = element;
    if (code.fixed && reason.fixed) {
      const [fixedCode, fixedReason] = [code.value, reason.value];
      return {
        policy: "set-status",
        id,
        run(context) {
          const response = responseOf(context);
          response.statusCode = fixedCode;
          response.statusReason = fixedReason;
        },
      };
    }
    return {
      policy: "set-status",
      id,
      run(context) {
        const response = responseOf(context);
        response.statusCode = valueOf(code, context);
        response.statusReason = valueOf(reason, context);
      },
    };
  },
};
