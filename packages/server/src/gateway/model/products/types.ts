/** A product, with API Management's names (reference apim.md §6.2, §5.4). */
import type { ProductApplication } from "../../entra/directory.js";

export type ProductState = "published" | "notPublished";

/** How callers may open the product's APIs (apim.md §5.1): a subscription key, an application token, or either. */
export type AuthenticationType = "subscription-key" | "application-token";
export const AUTHENTICATION_TYPES: readonly AuthenticationType[] = ["subscription-key", "application-token"];

/** The product's Entra registration once provisioned (never written by a file or a client): ids and where it lives. */
export interface ProductEntraApplication extends ProductApplication {
  /** The tenant the registration lives in: tokens for the product come from its issuers. */
  tenantId: string;
  /** Whether the registration was last left enabled (application-token on) or disabled (off: never deleted). */
  enabled: boolean;
}

export interface Product {
  name: string;
  displayName: string;
  description: string | null;
  terms: string | null;
  state: ProductState;
  subscriptionRequired: boolean;
  approvalRequired: boolean;
  subscriptionsLimit: number | null;
  /** Canonical order, never empty. */
  authenticationType: AuthenticationType[];
  /** Names of the APIs linked to the product. */
  apis: string[];
  /** Names of the groups that see the product in the developer API (APIM's "Access control"). */
  groups: string[];
  /** Null until application-token is first turned on and the registration is provisioned. */
  entra: ProductEntraApplication | null;
}

export interface ProductInput {
  displayName: string;
  description?: string | null;
  terms?: string | null;
  /** Default "notPublished". */
  state?: ProductState;
  /** Default true. */
  subscriptionRequired?: boolean;
  /** Default false. */
  approvalRequired?: boolean;
  subscriptionsLimit?: number | null;
  /** Default ["subscription-key"]; each checked (an unknown one is refused by name). */
  authenticationType?: readonly string[];
}

/** The fields a file or a client sets: the product without its links and registration. */
export type ProductFields = Omit<Product, "apis" | "groups" | "entra">;

export const acceptsApplicationTokens = (product: Pick<Product, "authenticationType">): boolean =>
  product.authenticationType.includes("application-token");

export const acceptsSubscriptionKeys = (product: Pick<Product, "authenticationType">): boolean =>
  product.authenticationType.includes("subscription-key");

/** What a product shows administrators (ARM `properties`) and developers alike, in API Management's order. */
export function shownProductFields(product: Product): Omit<ProductFields, "name"> {
  return {
    displayName: product.displayName,
    description: product.description,
    terms: product.terms,
    subscriptionRequired: product.subscriptionRequired,
    approvalRequired: product.approvalRequired,
    subscriptionsLimit: product.subscriptionsLimit,
    state: product.state,
    authenticationType: product.authenticationType,
  };
}

/** `application.entra` (ARM) and `applicationSettings.entra` (developer portal): while application-token is on. */
export function productEntraSettings(product: Product): { applicationId: string; audience: string } | null {
  if (!product.entra || !acceptsApplicationTokens(product)) return null;
  return { applicationId: product.entra.applicationId, audience: product.entra.audience };
}
