/**
 * The `api` and `operation` children of rate-limit and quota (reference apim.md §2.4, §2.6): limits of their own for
 * the API or operation being called, which they name by `id` (the entity's name) or by `name`.
 */
import type { PolicyElement } from "../definition.js";

export interface EntityReference {
  readonly id: string | undefined;
  readonly name: string | undefined;
}

export function readReference(element: PolicyElement): EntityReference {
  const name = element.attribute("name");
  if (element.id === undefined && name === undefined) {
    throw element.error(`Element '${element.name}' needs a 'name' or an 'id' attribute`);
  }
  return { id: element.id, name };
}

/** `id` wins over `name` (apim.md §2.4); `name` matches the display name, or the entity's name. */
export function refersTo(reference: EntityReference, entity: { name: string; displayName: string }): boolean {
  if (reference.id !== undefined) return reference.id === entity.name;
  return reference.name === entity.displayName || reference.name === entity.name;
}
