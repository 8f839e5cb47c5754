/**
 * The `api` and `operation` children of rate-limit and quota (reference apim.md §2.4, §2.6): limits of their own for
 * the API or operation being called, which they name by `id` (the entity's name) or by `name`.
 */
import type { Api } from "../../model/apis/types.js";
import type { Operation } from "../../model/operations/types.js";
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

/** Limits for one counter: its key path below the policy's own key, e.g. `["api", "orders"]`. */
export interface ScopedLimit<L> {
  readonly path: readonly string[];
  readonly limits: L;
}

/** The policy's own limits and those of its `api` / `operation` children, each read with `read`. */
export class EntityLimits<L> {
  readonly own: L;
  private readonly apis: readonly {
    reference: EntityReference;
    limits: L;
    operations: readonly { reference: EntityReference; limits: L }[];
  }[];

  constructor(element: PolicyElement, read: (element: PolicyElement) => L) {
    this.own = read(element);
    this.apis = element.children("api").map((api) => ({
      reference: readReference(api),
      limits: read(api),
      operations: api.children("operation").map((operation) => ({
        reference: readReference(operation),
        limits: read(operation),
      })),
    }));
  }

  /** Every limit, children included. */
  all(): L[] {
    return [this.own, ...this.apis.flatMap((api) => [api.limits, ...api.operations.map((o) => o.limits)])];
  }

  /** The limits that apply to a call of this API and operation: the policy's own, then the matching children's. */
  applying(api: Api, operation: Operation): ScopedLimit<L>[] {
    const applying: ScopedLimit<L>[] = [{ path: [], limits: this.own }];
    const forApi = this.apis.find((a) => refersTo(a.reference, api));
    if (forApi) {
      applying.push({ path: ["api", api.name], limits: forApi.limits });
      const forOperation = forApi.operations.find((o) => refersTo(o.reference, operation));
      if (forOperation) applying.push({ path: ["operation", api.name, operation.name], limits: forOperation.limits });
    }
    return applying;
  }
}
