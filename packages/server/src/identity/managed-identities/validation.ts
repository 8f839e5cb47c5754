import { invalid } from "../registry-errors.js";

/** ARM's rule for user-assigned identity names (3–128 characters), also used for host names. */
const NAME = /^[a-z0-9][a-z0-9_-]{2,127}$/i;
const SEGMENT = "[^/?#\\s]{1,128}";
const USER_ASSIGNED = new RegExp(
  `^/subscriptions/(${SEGMENT})/resourceGroups/(${SEGMENT})/providers/Microsoft\\.ManagedIdentity/userAssignedIdentities/(${SEGMENT})$`,
  "i",
);
/** Any resource of any provider, e.g. `…/providers/Microsoft.Web/sites/orders-api`. */
const RESOURCE = new RegExp(
  `^/subscriptions/${SEGMENT}/resourceGroups/${SEGMENT}/providers/${SEGMENT}(/${SEGMENT}/${SEGMENT})+$`,
  "i",
);
const MAX_TAGS = 50;

export function validateName(name: string, what: string): string {
  if (!NAME.test(name)) {
    throw invalid(
      `The ${what} '${name}' must be 3 to 128 letters, digits, hyphens or underscores, starting with a letter or digit.`,
    );
  }
  return name;
}

export function parseUserAssignedResourceId(resourceId: string): {
  subscription: string;
  resourceGroup: string;
  name: string;
} {
  const match = USER_ASSIGNED.exec(resourceId);
  if (!match) {
    throw invalid(
      `'${resourceId}' is not a user-assigned identity's resource id ` +
        "(/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}).",
    );
  }
  const [, subscription = "", resourceGroup = "", name = ""] = match;
  validateName(name, "identity name");
  return { subscription, resourceGroup, name };
}

export function parseHostResourceId(resourceId: string): string {
  if (!RESOURCE.test(resourceId)) {
    throw invalid(
      `'${resourceId}' is not an Azure resource id (/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{namespace}/{type}/{name}).`,
    );
  }
  return resourceId;
}

/** ARM's tag limits: at most 50, names up to 512 characters, values up to 256. */
export function validateTags(tags: Record<string, string>): Record<string, string> {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw invalid(`At most ${MAX_TAGS} tags are allowed.`);
  for (const [name, value] of entries) {
    if (name.length === 0 || name.length > 512 || /[<>%&\\?/]/.test(name))
      throw invalid(`Tag name '${name}' is not valid.`);
    if (typeof value !== "string" || value.length > 256)
      throw invalid(`The value of tag '${name}' must be a string of at most 256 characters.`);
  }
  return Object.fromEntries(entries);
}
