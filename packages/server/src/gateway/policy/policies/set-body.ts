/**
 * `set-body` (reference apim.md §2.20), literal text only: the request's body in inbound and backend, the response's
 * elsewhere. The forwarder computes Content-Length from the string.
 */
import { responseOf } from "../../pipeline/gateway-error.js";
import type { PolicyDefinition } from "../definition.js";

export const setBody: PolicyDefinition = {
  name: "set-body",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element, environment) {
    const template = element.attribute("template");
    if (template !== undefined) {
      throw element.error(
        template.toLowerCase() === "liquid"
          ? 'Liquid templates (template="liquid") are not supported by this Gatehouse version'
          : "Attribute 'template' must be 'liquid'",
        "template",
      );
    }
    // Accepted: it only shapes what a Liquid template renders for null.
    element.enumAttribute("xsi-nil", ["blank", "null"], "blank");
    const body = element.text();
    const { id } = element;
    return environment.target === "request"
      ? {
          policy: "set-body",
          id,
          run(context) {
            context.request.body = body;
          },
        }
      : {
          policy: "set-body",
          id,
          run(context) {
            responseOf(context).body = body;
          },
        };
  },
};
