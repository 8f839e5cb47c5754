import { checkName, invalid, optionalText, text } from "../checks.js";
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
    // Whether the user exists is the writer's check (entity.ts).
    ownerId: input.ownerId,
  };
}

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
