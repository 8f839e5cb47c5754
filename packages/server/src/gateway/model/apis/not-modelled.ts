/**
 * API properties of API Management that Gatehouse does not model. A request that gives one a value that means
 * something is refused naming it, rather than answered with success while the property is dropped; the values that
 * mean "not used" (null, empty, the first and current revision) pass, as ARM tooling sends them.
 */
import type { RequestContext } from "../../../admin/operations.js";
import { armErrors } from "../../../admin/apim/errors.js";

const VERSIONS = "API versions and version sets";
const REVISIONS = "API revisions";
const NOT_MODELLED: Readonly<Record<string, string>> = {
  apiVersion: VERSIONS,
  apiVersionDescription: VERSIONS,
  apiVersionSetId: VERSIONS,
  apiVersionSet: VERSIONS,
  apiRevision: REVISIONS,
  apiRevisionDescription: REVISIONS,
  isCurrent: REVISIONS,
  sourceApiId: "API clones (sourceApiId)",
  authenticationSettings: "authorization servers for the developer console (authenticationSettings)",
};

/** Whether a value says nothing: absent, null, empty, or an object or array of such values. */
function unset(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (Array.isArray(value)) return value.every(unset);
  if (typeof value === "object") return Object.values(value).every(unset);
  return false;
}

/** Revision 1 is the one revision every API has, and it is current. */
const meansDefault = (name: string, value: unknown) =>
  unset(value) || (name === "apiRevision" && value === "1") || (name === "isCurrent" && value === true);

/** Refuses the request when its `properties` give a property Gatehouse does not model a meaningful value. */
export function refuseNotModelled(context: RequestContext): void {
  const properties = (context.request.body as { properties?: unknown } | undefined)?.properties;
  if (typeof properties !== "object" || properties === null) return;
  for (const [name, value] of Object.entries(properties)) {
    const what = NOT_MODELLED[name];
    if (what !== undefined && !meansDefault(name, value)) {
      throw armErrors.validation(`Property '${name}' is not supported: Gatehouse does not model ${what}.`, name);
    }
  }
}
