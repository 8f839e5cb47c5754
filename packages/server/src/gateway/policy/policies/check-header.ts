/** `check-header` (reference apim.md §2.3): refuses a request whose header is missing or has none of the values. */
import { digestsEqual } from "../../../crypto/secrets.js";
import type { PipelineContext } from "../../pipeline/context.js";
import { PolicyFailure, type PolicyDefinition } from "../definition.js";
import {
  booleanSetting,
  integerSetting,
  listSetting,
  mapSetting,
  textSetting,
  valueOf,
  type Setting,
} from "../setting.js";

export const checkHeader: PolicyDefinition = {
  name: "check-header",
  sections: ["inbound"],
  compile(element) {
    // All four attributes are required (apim.md §2.3).
    const name = textSetting(element.requiredValueAttribute("name"));
    const status = integerSetting(element, "failed-check-httpcode", undefined, { min: 100, max: 599 });
    const message = textSetting(element.requiredValueAttribute("failed-check-error-message"));
    const ignoreCase = booleanSetting(element, "ignore-case");
    const values = listSetting(element.children("value").map((value) => textSetting(value.valueText())));
    // The values are often shared secrets: compared in constant time, as bytes prepared once when they are literal.
    const allowed: Setting<Buffer[]> =
      ignoreCase.fixed && values.fixed
        ? mapSetting(values, (list) => comparable(list, ignoreCase.value))
        : { fixed: false, compute: (context) => comparable(valueOf(values, context), valueOf(ignoreCase, context)) };
    const refuse = (context: PipelineContext, reason: string, detail: string) => {
      const code = valueOf(status, context);
      return new PolicyFailure(code, valueOf(message, context), "check-header", reason, detail, {}, code >= 500);
    };
    return {
      policy: "check-header",
      id: element.id,
      run(context) {
        const header = valueOf(name, context);
        const value = context.request.headers.get(header);
        if (value === undefined) {
          throw refuse(context, "HeaderNotFound", `Header ${header} was not found in the request. Access denied.`);
        }
        const candidates = valueOf(allowed, context);
        if (candidates.length === 0) return;
        const given = Buffer.from(normalise(value, valueOf(ignoreCase, context)));
        if (!candidates.some((candidate) => digestsEqual(candidate, given))) {
          throw refuse(
            context,
            "HeaderValueNotAllowed",
            `Header ${header} value of ${value} is not allowed. Access denied.`,
          );
        }
      },
    };
  },
};

const normalise = (value: string, ignoreCase: boolean) => (ignoreCase ? value.toLowerCase() : value);

function comparable(values: readonly string[], ignoreCase: boolean): Buffer[] {
  return values.map((value) => Buffer.from(normalise(value, ignoreCase)));
}
