/**
 * `return-response` (reference apim.md §2.13): answers at once with a 200 OK, empty — or a copy of the response a
 * send-request stored in `response-variable-name` — changed by its set-status, set-header and set-body children; the
 * rest of the pipeline, outbound included, is skipped.
 */
import type { GatewayResponse, PipelineContext } from "../../pipeline/context.js";
import { nestedSteps, runSteps } from "../../pipeline/executor.js";
import { emptyResponse } from "../../pipeline/gateway-error.js";
import { HeaderMap } from "../../pipeline/headers.js";
import { PolicyFailure, type PolicyDefinition } from "../definition.js";

const CHILDREN = ["set-status", "set-header", "set-body"];

export const returnResponse: PolicyDefinition = {
  name: "return-response",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element, environment) {
    const variable = element.attribute("response-variable-name");
    const steps = nestedSteps(environment.compileChildren(element.allChildren(), CHILDREN, "response"));
    return {
      policy: "return-response",
      id: element.id,
      run(context) {
        context.response = variable === undefined ? emptyResponse() : storedResponse(context, variable);
        const pending = runSteps(steps, context);
        if (pending === undefined) context.ended = true;
        else return pending.then(() => void (context.ended = true));
      },
    };
  },
};

/** A copy of the response in the variable, so the children change this answer only. */
function storedResponse(context: PipelineContext, variable: string): GatewayResponse {
  const value = context.variables.get(variable);
  const stored = value as Partial<GatewayResponse> | null | undefined;
  if (typeof stored?.statusCode !== "number" || !(stored.headers instanceof HeaderMap)) {
    const detail = `Variable '${variable}' does not hold a response (set it with send-request)`;
    throw new PolicyFailure(
      500,
      "Internal server error",
      "return-response",
      "ResponseVariableInvalid",
      detail,
      {},
      true,
    );
  }
  return {
    statusCode: stored.statusCode,
    statusReason: stored.statusReason ?? "",
    headers: stored.headers.clone(),
    body: stored.body,
  };
}
