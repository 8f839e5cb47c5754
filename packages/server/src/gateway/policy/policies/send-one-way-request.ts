/**
 * `send-one-way-request` (reference apim.md §2.24): sends a request of its own and goes on at once; its outcome,
 * failures included, changes nothing for the request being processed.
 */
import type { PolicyDefinition } from "../definition.js";
import { readOutboundTemplate } from "./outbound-request.js";
import { traceExchange } from "./send-request.js";

export const sendOneWayRequest: PolicyDefinition = {
  name: "send-one-way-request",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element, environment) {
    const template = readOutboundTemplate(element, environment);
    return {
      policy: "send-one-way-request",
      id: element.id,
      async run(context) {
        const request = await template.build(context);
        traceExchange(context, "send-one-way-request", request, process.hrtime.bigint(), "sent, not awaited");
        // Fire and forget: the transport's own timeout bounds how long the request may live.
        context.services.send(request).catch(() => undefined);
      },
    };
  },
};
