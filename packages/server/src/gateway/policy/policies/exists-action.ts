/**
 * What set-header and set-query-parameter share (reference apim.md §2.8–2.9): a `name`, an `exists-action` and
 * `<value>` children, applied to a header map or a query string alike.
 */
import type { PolicyElement } from "../definition.js";

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

export function readValueRule(element: PolicyElement): ValueRule {
  const name = element.requiredAttribute("name");
  const action = element.enumAttribute("exists-action", EXISTS_ACTIONS, "override");
  const values = element.children("value").map((value) => value.text());
  if (values.length === 0 && action !== "delete") {
    throw element.error(`Policy '${element.name}' needs a 'value' element unless exists-action is 'delete'`);
  }
  return { name, action, values };
}

export function applyValueRule(collection: ValueCollection, rule: ValueRule): void {
  const { name, action } = rule;
  if (action === "skip" && collection.has(name)) return;
  if (action === "override" || action === "delete") collection.delete(name);
  if (action === "delete") return;
  for (const value of rule.values) collection.append(name, value);
}
