import { checkName, flag, invalid, oneOf, optionalText, text } from "../checks.js";
import type { Product, ProductInput } from "./types.js";

export function productFrom(name: string, input: ProductInput): Omit<Product, "apis"> {
  checkName("Product", name);
  const limit = input.subscriptionsLimit ?? null;
  if (limit !== null && (!Number.isInteger(limit) || limit < 0)) {
    throw invalid("subscriptionsLimit", "must be a non-negative integer or null.");
  }
  return {
    name,
    displayName: text("displayName", input.displayName, 300),
    description: optionalText(input.description),
    terms: optionalText(input.terms),
    state: oneOf("state", input.state ?? "notPublished", ["published", "notPublished"]),
    subscriptionRequired: flag("subscriptionRequired", input.subscriptionRequired, true),
    approvalRequired: flag("approvalRequired", input.approvalRequired, false),
    subscriptionsLimit: limit,
  };
}

export const productInputOf = ({ name: _name, apis: _apis, ...input }: Product): ProductInput => input;
