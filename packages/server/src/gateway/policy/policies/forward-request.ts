/** `forward-request` (reference apim.md §2.12): hands the request to the forwarder, which sets the response. */
import type { ForwardOptions } from "../../pipeline/context.js";
import type { PolicyDefinition } from "../definition.js";
import { integerSetting, mapSetting } from "../setting.js";

/** setTimeout's limit. */
const MAX_TIMEOUT_MS = 2_147_483_647;

export const forwardRequest: PolicyDefinition = {
  name: "forward-request",
  once: "document",
  sections: ["backend"],
  compile(element) {
    const inMilliseconds = element.valueAttribute("timeout-ms") !== undefined;
    if (inMilliseconds && element.valueAttribute("timeout") !== undefined) {
      throw element.error("Attributes 'timeout' and 'timeout-ms' cannot both be set", "timeout-ms");
    }
    // Timeouts may be policy expressions; the other attributes are literal.
    const timeoutMs = inMilliseconds
      ? integerSetting(element, "timeout-ms", 0, { min: 1, max: MAX_TIMEOUT_MS })
      : mapSetting(
          integerSetting(element, "timeout", 300, { min: 1, max: Math.floor(MAX_TIMEOUT_MS / 1000) }),
          (seconds) => seconds * 1000,
        );
    if (element.enumAttribute("http-version", ["1", "2or1", "2"], "1") !== "1") {
      throw element.error("HTTP/2 to backends is not supported", "http-version");
    }
    // Accepted: it only keeps the body for a retry, which this version does not have.
    element.booleanAttribute("buffer-request-body", false);
    // Accepted and ignored: the forwarder sends no `Expect: 100-continue`, so there is no interim response to wait for.
    integerSetting(element, "continue-timeout", 0, { min: 0 });
    const options: Omit<ForwardOptions, "timeoutMs"> = {
      followRedirects: element.booleanAttribute("follow-redirects", false),
      bufferResponse: element.booleanAttribute("buffer-response", true),
      failOnErrorStatusCode: element.booleanAttribute("fail-on-error-status-code", false),
    };
    if (timeoutMs.fixed) {
      const fixedOptions: ForwardOptions = Object.freeze({ timeoutMs: timeoutMs.value, ...options });
      return {
        policy: "forward-request",
        id: element.id,
        run: (context) => context.services.forward(context, fixedOptions),
      };
    }
    return {
      policy: "forward-request",
      id: element.id,
      run: (context) => context.services.forward(context, { timeoutMs: timeoutMs.compute(context), ...options }),
    };
  },
};
