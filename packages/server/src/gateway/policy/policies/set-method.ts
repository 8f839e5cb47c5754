/** `set-method`: the method of the request forwarded to the backend. */
import { ExpressionEvaluationError } from "../../expressions/index.js";
import type { PolicyDefinition } from "../definition.js";

/** An HTTP method is a token (RFC 9110). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export const setMethod: PolicyDefinition = {
  name: "set-method",
  sections: ["inbound", "on-error"],
  compile(element) {
    const value = element.valueText();
    const { constant } = value;
    const { id } = element;
    if (constant !== undefined) {
      if (!TOKEN.test(constant)) throw element.error("Policy 'set-method' needs an HTTP method, such as POST");
      return { policy: "set-method", id, run: (context) => void (context.request.method = constant) };
    }
    return {
      policy: "set-method",
      id,
      run(context) {
        const method = value.text(context).trim();
        if (!TOKEN.test(method)) throw new ExpressionEvaluationError(`'${method}' is not an HTTP method (set-method)`);
        context.request.method = method;
      },
    };
  },
};
