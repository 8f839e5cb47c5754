/**
 * An API, with API Management's names (reference apim.md §6.2). Entities are keyed by `name` (APIM's resource id
 * segment, e.g. `apis/{name}`); references between them use those names.
 */

export type ApiType = "http" | "soap";
export type ApiProtocol = "http" | "https";

export interface SubscriptionKeyParameterNames {
  header: string;
  query: string;
}

export const DEFAULT_KEY_NAMES: SubscriptionKeyParameterNames = {
  header: "Ocp-Apim-Subscription-Key",
  query: "subscription-key",
};

export interface Api {
  name: string;
  displayName: string;
  description: string | null;
  /** URL suffix below the gateway root, without leading or trailing slash; may be empty for one API. */
  path: string;
  /** Backend base URL; null when every operation sets its backend by policy. */
  serviceUrl: string | null;
  protocols: ApiProtocol[];
  apiType: ApiType;
  subscriptionRequired: boolean;
  subscriptionKeyParameterNames: SubscriptionKeyParameterNames;
}

/** An API as given to PUT (APIM's property names); absent members take APIM's defaults. */
export interface ApiInput {
  displayName: string;
  /** URL suffix; leading and trailing slashes are dropped. */
  path: string;
  description?: string | null;
  serviceUrl?: string | null;
  /** Default ["https"]. */
  protocols?: ApiProtocol[];
  /** Default "http". */
  apiType?: ApiType;
  /** Default true. */
  subscriptionRequired?: boolean;
  /** Default DEFAULT_KEY_NAMES, per member. */
  subscriptionKeyParameterNames?: Partial<SubscriptionKeyParameterNames>;
}
