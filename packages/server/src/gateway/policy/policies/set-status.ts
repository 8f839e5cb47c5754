/** `set-status` (reference apim.md §2.15): the response's status code and reason phrase. */
import { ExpressionEvaluationError } from "../../expressions/errors.js";
import { responseOf } from "../../pipeline/gateway-error.js";
import { invalidFieldValue } from "../../pipeline/headers.js";
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
      const problem = invalidFieldValue(fixedReason);
      if (problem !== undefined) throw element.error(`The reason phrase ${problem}`, "reason");
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
        const phrase = valueOf(reason, context);
        const problem = invalidFieldValue(phrase);
        if (problem !== undefined) throw new ExpressionEvaluationError(`The reason phrase of set-status ${problem}`);
        response.statusReason = phrase;
      },
    };
  },
};
