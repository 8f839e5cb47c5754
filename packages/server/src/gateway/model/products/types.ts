/** A product, with API Management's names (reference apim.md §6.2). */

export type ProductState = "published" | "notPublished";

export interface Product {
  name: string;
  displayName: string;
  description: string | null;
  terms: string | null;
  state: ProductState;
  subscriptionRequired: boolean;
  approvalRequired: boolean;
  subscriptionsLimit: number | null;
  /** Names of the APIs linked to the product. */
  apis: string[];
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
}
