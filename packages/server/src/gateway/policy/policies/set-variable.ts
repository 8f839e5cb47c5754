/**
 * `set-variable` (reference apim.md §2.16): `context.Variables[name]`, a literal as a string or an expression's
 * result as it is typed.
 */
import type { PolicyDefinition } from "../definition.js";

export const setVariable: PolicyDefinition = {
  name: "set-variable",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element) {
    const name = element.requiredAttribute("name");
    const value = element.valueAttribute("value");
    if (value === undefined) throw element.error("Attribute 'value' is required in policy 'set-variable'");
    const { constant } = value;
    const { id } = element;
    return constant !== undefined
      ? { policy: "set-variable", id, run: (context) => void context.variables.set(name, constant) }
      : { policy: "set-variable", id, run: (context) => void context.variables.set(name, value.evaluate(context)) };
  },
};
