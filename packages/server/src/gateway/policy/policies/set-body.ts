/**
 * `set-body` (reference apim.md §2.20): the request's body in inbound and backend, the response's elsewhere, from
 * literal text, a policy expression (its result as text) or a Liquid template. The forwarder computes Content-Length
 * from the new body.
 */
import { compileLiquid, LiquidRenderError, type LiquidTemplate } from "../../liquid/index.js";
import { liquidVariables } from "../../liquid/pipeline-variables.js";
import { withBodyInMemory } from "../../pipeline/body-buffer.js";
import type { GatewayRequest, GatewayResponse, PipelineContext } from "../../pipeline/context.js";
import { responseOf } from "../../pipeline/gateway-error.js";
import { PolicyFailure, type PolicyDefinition, type Step } from "../definition.js";

type Message = (context: PipelineContext) => GatewayRequest | GatewayResponse;

export const setBody: PolicyDefinition = {
  name: "set-body",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element, environment) {
    const template = element.attribute("template");
    if (template !== undefined && template.toLowerCase() !== "liquid") {
      throw element.error("Attribute 'template' must be 'liquid'", "template");
    }
    const nil = element.enumAttribute("xsi-nil", ["blank", "null"], "blank");
    const request = environment.target === "request";
    const message: Message = request ? (context) => context.request : responseOf;
    const { id } = element;
    if (template !== undefined) {
      const { text, position } = element.templateText();
      return liquidStep(id, compileLiquid(text, position), message, request ? "request" : "response", nil);
    }
    const value = element.valueText();
    const body = value.constant;
    if (body !== undefined) {
      return request
        ? { policy: "set-body", id, run: (context) => void (context.request.body = body) }
        : { policy: "set-body", id, run: (context) => void (responseOf(context).body = body) };
    }
    return { policy: "set-body", id, run: (context) => void (message(context).body = value.text(context)) };
  },
};

/** Renders from the message's current body, read into memory first when it is still a stream. */
function liquidStep(
  id: string | undefined,
  template: LiquidTemplate,
  message: Message,
  what: "request" | "response",
  nil: "blank" | "null",
): Step {
  const render = (context: PipelineContext) => {
    const target = message(context);
    try {
      target.body = template.render(liquidVariables(context, target, nil));
    } catch (error) {
      if (!(error instanceof LiquidRenderError)) throw error;
      throw new PolicyFailure(
        500,
        "Internal server error",
        "set-body",
        "LiquidTemplateFailure",
        error.message,
        {},
        true,
      );
    }
  };
  return {
    policy: "set-body",
    id,
    run(context) {
      return withBodyInMemory(message(context), what, () => render(context));
    },
  };
}
