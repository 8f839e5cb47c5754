/** A subscription, with API Management's names (reference apim.md §6.2). */

export type SubscriptionState = "active" | "suspended" | "submitted" | "rejected" | "cancelled" | "expired";

/** `/apis` (all APIs), `/apis/{api}` or `/products/{product}`. */
export type SubscriptionScope =
  { kind: "allApis" } | { kind: "api"; api: string } | { kind: "product"; product: string };

export interface Subscription {
  name: string;
  displayName: string;
  scope: SubscriptionScope;
  state: SubscriptionState;
  allowTracing: boolean;
  createdDate: string;
  startDate: string | null;
  expirationDate: string | null;
}

/** The two keys of a subscription; only the server and `listSecrets` ever see them. */
export interface SubscriptionKeys {
  primaryKey: string;
  secondaryKey: string;
}

export interface SubscriptionInput {
  displayName: string;
  scope: SubscriptionScope;
  /** Default "active". */
  state?: SubscriptionState;
  /** Default false. */
  allowTracing?: boolean;
  /** Generated (32 hex characters) when creating without one; kept when replacing without one. */
  primaryKey?: string;
  secondaryKey?: string;
  startDate?: string | null;
  expirationDate?: string | null;
}
