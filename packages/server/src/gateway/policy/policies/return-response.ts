/**
 * `return-response` (reference apim.md §2.13): answers at once with a 200 OK, empty, changed by its set-status,
 * set-header and set-body children; the rest of the pipeline, outbound included, is skipped.
 */
import { runSteps } from "../../pipeline/executor.js";
import { emptyResponse } from "../../pipeline/gateway-error.js";
import type { PolicyDefinition } from "../definition.js";

const CHILDREN = ["set-status", "set-header", "set-body"];

export const returnResponse: PolicyDefinition = {
  name: "return-response",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element, environment) {
    if (element.attribute("response-variable-name") !== undefined) {
      throw element.error(
        "Attribute 'response-variable-name' requires send-request, which is not supported by this Gatehouse version",
        "response-variable-name",
      );
    }
    const steps = environment.compileChildren(element.allChildren(), CHILDREN, "response");
    return {
      policy: "return-response",
      id: element.id,
      run(context) {
        context.response = emptyResponse();
        const pending = runSteps(steps, context);
        if (pending === undefined) context.ended = true;
        else return pending.then(() => void (context.ended = true));
      },
    };
  },
};
