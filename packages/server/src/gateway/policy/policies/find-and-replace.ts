/**
 * `find-and-replace` (reference apim.md §2.21): every occurrence of `from` in the body, as text, becomes `to`: the
 * request's body in inbound and backend, the response's in outbound and on-error. A streamed body is read first.
 */
import { MAX_BUFFERED_BODY, withBodyInMemory } from "../../pipeline/body-buffer.js";
import type { GatewayRequest, GatewayResponse, PipelineContext } from "../../pipeline/context.js";
import { responseOf } from "../../pipeline/gateway-error.js";
import { PolicyFailure, type PolicyDefinition } from "../definition.js";
import { textSetting, valueOf } from "../setting.js";

export const findAndReplace: PolicyDefinition = {
  name: "find-and-replace",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element, environment) {
    const from = textSetting(element.requiredValueAttribute("from"));
    const toValue = element.valueAttribute("to");
    if (toValue === undefined) throw element.error("Attribute 'to' is required in policy 'find-and-replace'");
    const to = textSetting(toValue);
    const what = environment.target;
    const message = (context: PipelineContext): GatewayRequest | GatewayResponse =>
      what === "request" ? context.request : responseOf(context);
    const replace = (context: PipelineContext) => {
      const target = message(context);
      const { body } = target;
      if (body === undefined) return;
      const search = valueOf(from, context);
      if (search === "") return;
      const text = typeof body === "string" ? body : (body as Buffer).toString("utf8");
      const pieces = text.split(search);
      const replacement = valueOf(to, context);
      // A short `from` and a long `to` multiply the body: refuse what no policy could hold in memory.
      const length = text.length + (pieces.length - 1) * (replacement.length - search.length);
      if (length > MAX_BUFFERED_BODY) {
        const detail = `The body would be ${length} characters long after replacing, more than ${MAX_BUFFERED_BODY}`;
        throw new PolicyFailure(500, "Internal server error", "find-and-replace", "BodyTooLarge", detail, {}, true);
      }
      target.body = pieces.join(replacement);
    };
    return {
      policy: "find-and-replace",
      id: element.id,
      run(context) {
        return withBodyInMemory(message(context), what, () => replace(context));
      },
    };
  },
};
