/** `check-header` (reference apim.md §2.3): refuses a request whose header is missing or has none of the values. */
import { digestsEqual } from "../../../crypto/secrets.js";
import { PolicyFailure, type PolicyDefinition } from "../definition.js";

export const checkHeader: PolicyDefinition = {
  name: "check-header",
  sections: ["inbound"],
  compile(element) {
    // All four attributes are required (apim.md §2.3); the typed reads below then check the values.
    const name = element.requiredAttribute("name");
    element.requiredAttribute("failed-check-httpcode");
    const status = element.integerAttribute("failed-check-httpcode", 0, { min: 100, max: 599 });
    const message = element.requiredAttribute("failed-check-error-message");
    element.requiredAttribute("ignore-case");
    const ignoreCase = element.booleanAttribute("ignore-case", false);
    const normalise = ignoreCase ? (value: string) => value.toLowerCase() : (value: string) => value;
    // The values are often shared secrets: compared in constant time.
    const allowed = element.children("value").map((value) => Buffer.from(normalise(value.text())));
    const refuse = (reason: string, detail: string) =>
      new PolicyFailure(status, message, "check-header", reason, detail, {}, status >= 500);
    return {
      policy: "check-header",
      id: element.id,
      run(context) {
        const value = context.request.headers.get(name);
        if (value === undefined) {
          throw refuse("HeaderNotFound", `Header ${name} was not found in the request. Access denied.`);
        }
        if (allowed.length === 0) return;
        const given = Buffer.from(normalise(value));
        if (!allowed.some((candidate) => digestsEqual(candidate, given))) {
          throw refuse("HeaderValueNotAllowed", `Header ${name} value of ${value} is not allowed. Access denied.`);
        }
      },
    };
  },
};
