import { checkName, invalid, isName, optionalText, text } from "../checks.js";
import type { ClientApplicationFields, ClientApplicationInput } from "./types.js";

export function clientApplicationFrom(name: string, input: ClientApplicationInput): ClientApplicationFields {
  checkName("ClientApplication", name);
  const description = optionalText(input.description);
  if (description !== null && description.length > 1000) {
    throw invalid("description", "must be at most 1000 characters long.");
  }
  return {
    name,
    displayName: text("displayName", input.displayName, 300),
    description,
    ownerId: userIdOf(input.ownerId),
  };
}

/** A user id as an owner: a resource name (`/users/{id}` is parsed by ownerIdFrom). */
function userIdOf(id: string): string {
  if (!isName(id)) {
    throw invalid("ownerId", `'${id}' is not a user: use /users/{userId}.`);
  }
  return id;
}

/** APIM's `ownerId`: `/users/{userId}`, or a full resource id ending so. */
export function ownerIdFrom(text: string): string {
  const id = /\/users\/([^/]+)\/?$/i.exec(text.trim())?.[1];
  if (id === undefined) throw invalid("ownerId", `'${text}' must be /users/{userId}.`);
  return userIdOf(id);
}

export const formatOwnerId = (userId: string): string => `/users/${userId}`;

/** A link's `productId`: the product's full resource id, or `/products/{productId}`. */
export function productIdFrom(text: string): string {
  const id = /\/products\/([^/]+)\/?$/i.exec(text.trim())?.[1];
  if (id === undefined)
    throw invalid("productId", `'${text}' must be /products/{productId} or the product's resource id.`);
  checkName("Product", id);
  return id;
}

export function checkLinkName(name: string): void {
  checkName("ClientApplicationProductLink", name);
}
