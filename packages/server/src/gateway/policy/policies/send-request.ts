/**
 * `send-request` (reference apim.md §2.24): sends a request of its own and keeps the response, body read, in
 * `context.Variables[response-variable-name]` for expressions (`((IResponse)context.Variables["r"]).Body.As<JObject>()`).
 * A timeout or an unreachable server fails the request with a 500, as forward-request does, unless ignore-error is
 * set: then the variable is null.
 */
import type { OutboundRequest, PipelineContext } from "../../pipeline/context.js";
import { OutboundRequestError } from "../../proxy/request-sender.js";
import { PolicyFailure, type PolicyDefinition } from "../definition.js";
import { readOutboundTemplate } from "./outbound-request.js";

export const sendRequest: PolicyDefinition = {
  name: "send-request",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element, environment) {
    const variable = element.requiredAttribute("response-variable-name");
    const ignoreError = element.booleanAttribute("ignore-error", false);
    const template = readOutboundTemplate(element, environment);
    return {
      policy: "send-request",
      id: element.id,
      async run(context) {
        const request = await template.build(context);
        const started = process.hrtime.bigint();
        try {
          const response = await context.services.send(request);
          traceExchange(context, "send-request", request, started, `${response.statusCode}`);
          context.variables.set(variable, response);
        } catch (error) {
          if (!(error instanceof OutboundRequestError)) throw error;
          traceExchange(context, "send-request", request, started, `${error.reason}: ${error.message}`);
          if (!ignoreError) {
            throw new PolicyFailure(
              500,
              "Internal server error",
              "send-request",
              error.reason,
              error.message,
              {},
              true,
            );
          }
          context.variables.set(variable, null);
        }
      },
    };
  },
};

/** For a traced request: what the policy sent where, and what came of it. */
export function traceExchange(
  context: PipelineContext,
  policy: string,
  request: OutboundRequest,
  started: bigint,
  outcome: string,
): void {
  if (!context.trace) return;
  const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
  context.trace.message(policy, "information", `${request.method} ${request.url.href} → ${outcome} (${ms} ms)`);
}
