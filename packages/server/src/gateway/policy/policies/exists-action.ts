/**
 * What set-header and set-query-parameter share (reference apim.md §2.8–2.9): a `name`, an `exists-action` and
 * `<value>` children, applied to a header map or a query string alike. Each may be a policy expression; a rule
 * without any is built once, at load.
 */
import { ExpressionEvaluationError } from "../../expressions/index.js";
import type { PolicyElement, Step } from "../definition.js";
import type { PipelineContext } from "../../pipeline/context.js";
import { computed, enumSetting, fixed, listSetting, textSetting, valueOf, type Setting } from "../setting.js";

export type ExistsAction = "override" | "skip" | "append" | "delete";

const EXISTS_ACTIONS: readonly ExistsAction[] = ["override", "skip", "append", "delete"];

export interface ValueRule {
  readonly name: string;
  readonly action: ExistsAction;
  readonly values: readonly string[];
}

/** HeaderMap and URLSearchParams both fit. */
export interface ValueCollection {
  has(name: string): boolean;
  append(name: string, value: string): void;
  delete(name: string): void;
}

/** Why a policy may not apply this rule (a header the gateway owns), or undefined. */
export type RuleCheck = (name: string, action: ExistsAction) => string | undefined;

export function readValueRule(element: PolicyElement, check: RuleCheck = () => undefined): Setting<ValueRule> {
  const name = textSetting(element.requiredValueAttribute("name"));
  const action = enumSetting(element, "exists-action", EXISTS_ACTIONS, "override");
  const values = listSetting(element.children("value").map((value) => textSetting(value.valueText())));
  if (action.fixed && action.value !== "delete" && values.fixed && values.value.length === 0) {
    throw element.error(`Policy '${element.name}' needs a 'value' element unless exists-action is 'delete'`);
  }
  if (name.fixed && action.fixed && values.fixed) {
    const problem = check(name.value, action.value);
    if (problem !== undefined) throw element.error(problem, "name");
    return fixed(Object.freeze({ name: name.value, action: action.value, values: values.value }));
  }
  return computed((context) => {
    const rule = { name: valueOf(name, context), action: valueOf(action, context), values: valueOf(values, context) };
    const problem = rule.name === "" ? "A name must not be empty" : check(rule.name, rule.action);
    if (problem !== undefined) throw new ExpressionEvaluationError(`${problem} (policy '${element.name}')`);
    return rule;
  });
}

export function applyValueRule(collection: ValueCollection, rule: ValueRule): void {
  const { name, action } = rule;
  if (action === "skip" && collection.has(name)) return;
  if (action === "override" || action === "delete") collection.delete(name);
  if (action === "delete") return;
  for (const value of rule.values) collection.append(name, value);
}

/** The step applying the rule to the collection this request's context gives. */
export function valueRuleStep(
  element: PolicyElement,
  rule: Setting<ValueRule>,
  collection: (context: PipelineContext) => ValueCollection,
): Step {
  const { name: policy } = element;
  const { id } = element;
  if (rule.fixed) {
    const fixedRule = rule.value;
    return { policy, id, run: (context) => applyValueRule(collection(context), fixedRule) };
  }
  return { policy, id, run: (context) => applyValueRule(collection(context), rule.compute(context)) };
}
