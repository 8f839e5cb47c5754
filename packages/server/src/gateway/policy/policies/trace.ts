/**
 * `trace` (reference apim.md §2.27): a message, with metadata, in the request's trace. APIM also sends it to
 * Application Insights; Gatehouse has no such sink, so an untraced request evaluates nothing and records nothing.
 */
import type { TraceSeverity } from "../../pipeline/trace.js";
import type { PolicyDefinition } from "../definition.js";

const SEVERITIES: readonly TraceSeverity[] = ["verbose", "information", "error"];

export const trace: PolicyDefinition = {
  name: "trace",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element) {
    const source = element.requiredAttribute("source");
    const severity = element.enumAttribute("severity", SEVERITIES, "verbose");
    const [message, extra] = element.children("message");
    if (!message) throw element.error("Policy 'trace' needs a 'message' element");
    if (extra) throw extra.error("'message' may appear only once in 'trace'");
    const text = message.valueText();
    const metadata = element.children("metadata").map((entry) => ({
      name: entry.requiredValueAttribute("name"),
      value: entry.requiredValueAttribute("value"),
    }));
    return {
      policy: "trace",
      id: element.id,
      run(context) {
        if (!context.trace) return;
        const properties =
          metadata.length === 0
            ? undefined
            : Object.fromEntries(metadata.map(({ name, value }) => [name.text(context), value.text(context)]));
        context.trace.message(source, severity, text.text(context), properties);
      },
    };
  },
};
