/**
 * `emit-metric` (reference apim.md §2.27): adds `value` to a custom metric with up to 10 dimensions. APIM sends it to
 * Application Insights; Gatehouse counts it on /metrics. Dimension names must be literal (they become Prometheus
 * labels); their values may be expressions, and APIM's default dimensions may leave the value out.
 */
import { ExpressionEvaluationError, toPolicyString } from "../../expressions/index.js";
import type { PipelineContext } from "../../pipeline/context.js";
import type { PolicyDefinition, PolicyElement } from "../definition.js";
import { computed, fixed, textSetting, valueOf, type Setting } from "../setting.js";

const MAX_DIMENSIONS = 10;

/** APIM's default dimensions, by lower-cased name: their value when the policy gives none. */
const DEFAULT_DIMENSIONS: ReadonlyMap<string, (context: PipelineContext) => string> = new Map<
  string,
  (context: PipelineContext) => string
>([
  ["api id", (context) => context.api.name],
  ["operation id", (context) => context.operation.name],
  ["product id", (context) => context.product?.name ?? ""],
  // Gatehouse has no users: subscriptions are not owned by one.
  ["user id", () => ""],
  ["subscription id", (context) => context.subscription?.name ?? ""],
  ["location", (context) => context.services.deployment.region],
  ["gateway id", (context) => context.services.deployment.gatewayId],
]);

interface Dimension {
  name: string;
  value: Setting<string>;
}

export const emitMetric: PolicyDefinition = {
  name: "emit-metric",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element) {
    const name = element.requiredAttribute("name");
    const namespace = element.attribute("namespace") ?? "API Management";
    const value = readValue(element);
    const dimensions = readDimensions(element.children("dimension"));
    return {
      policy: "emit-metric",
      id: element.id,
      run(context) {
        context.services.metric({
          namespace,
          name,
          value: valueOf(value, context),
          dimensions: dimensions.map((d) => [d.name, valueOf(d.value, context)] as const),
        });
      },
    };
  },
};

/** A double: a literal is checked at load, an expression's number (or numeric text) per request. */
function readValue(element: PolicyElement): Setting<number> {
  const value = element.valueAttribute("value");
  if (value === undefined) return fixed(1);
  if (value.constant !== undefined) {
    const number = toNumber(value.constant);
    if (number === undefined) {
      throw element.error(`Attribute 'value' must be a number, not '${value.constant}'`, "value");
    }
    return fixed(number);
  }
  return computed((context) => {
    const result = value.evaluate(context);
    const number = typeof result === "number" ? result : toNumber(toPolicyString(result));
    if (number === undefined || !Number.isFinite(number)) {
      throw new ExpressionEvaluationError(
        `Expression value '${toPolicyString(result)}' of attribute 'value' is not a number`,
      );
    }
    return number;
  });
}

function readDimensions(elements: readonly PolicyElement[]): Dimension[] {
  const extra = elements[MAX_DIMENSIONS];
  if (extra) throw extra.error(`At most ${MAX_DIMENSIONS} dimensions are allowed in 'emit-metric'`);
  const seen = new Set<string>();
  return elements.map((element) => {
    const name = element.requiredAttribute("name");
    if (seen.has(name.toLowerCase())) throw element.error(`Dimension '${name}' appears more than once`, "name");
    seen.add(name.toLowerCase());
    const value = element.valueAttribute("value");
    if (value !== undefined) return { name, value: textSetting(value) };
    const fallback = DEFAULT_DIMENSIONS.get(name.toLowerCase());
    if (!fallback) {
      throw element.error(
        `Dimension '${name}' needs a value: only APIM's default dimensions (API ID, Operation ID, Product ID, ` +
          "User ID, Subscription ID, Location, Gateway ID) may leave it out",
      );
    }
    return { name, value: computed(fallback) };
  });
}

function toNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return undefined;
  const number = Number(trimmed);
  return Number.isFinite(number) ? number : undefined;
}
