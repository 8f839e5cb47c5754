import { checkName, defined, flag, invalid, oneOf, optionalText, text } from "../checks.js";
import {
  AUTHENTICATION_TYPES,
  type AuthenticationType,
  type Product,
  type ProductFields,
  type ProductInput,
} from "./types.js";

export function productFrom(name: string, input: ProductInput): ProductFields {
  checkName("Product", name);
  const limit = input.subscriptionsLimit ?? null;
  if (limit !== null && (!Number.isInteger(limit) || limit < 0)) {
    throw invalid("subscriptionsLimit", "must be a non-negative integer or null.");
  }
  const subscriptionRequired = flag("subscriptionRequired", input.subscriptionRequired, true);
  const authenticationType = authenticationTypes(input.authenticationType);
  if (!subscriptionRequired && authenticationType.includes("application-token")) {
    throw invalid(
      "authenticationType",
      "cannot include application-token when subscriptionRequired is false: a product that requires no subscription is open to every caller.",
    );
  }
  return {
    name,
    displayName: text("displayName", input.displayName, 300),
    description: optionalText(input.description),
    terms: optionalText(input.terms),
    state: oneOf("state", input.state ?? "notPublished", ["published", "notPublished"]),
    subscriptionRequired,
    approvalRequired: flag("approvalRequired", input.approvalRequired, false),
    subscriptionsLimit: limit,
    authenticationType,
  };
}

/** The types named, in canonical order; none given is subscription keys only, as in API Management. */
function authenticationTypes(given: readonly string[] | undefined): AuthenticationType[] {
  if (given === undefined) return ["subscription-key"];
  if (given.length === 0) {
    throw invalid("authenticationType", `must name at least one of ${AUTHENTICATION_TYPES.join(", ")}.`);
  }
  for (const type of given) {
    if (!(AUTHENTICATION_TYPES as readonly string[]).includes(type)) {
      throw invalid("authenticationType", `'${type}' is not supported: use ${AUTHENTICATION_TYPES.join(" or ")}.`);
    }
  }
  return AUTHENTICATION_TYPES.filter((type) => given.includes(type));
}

export const productInputOf = ({
  name: _name,
  apis: _apis,
  groups: _groups,
  entra: _entra,
  ...input
}: Product): ProductInput => input;

/** The fields a PATCH leaves: what it names over what the product has. */
export const patchedProductFields = (existing: Product, patch: Partial<ProductInput>): ProductFields =>
  productFrom(existing.name, { ...productInputOf(existing), ...defined(patch) });
