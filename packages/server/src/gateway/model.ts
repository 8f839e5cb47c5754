/**
 * The gateway's configuration entities, with API Management's names (reference apim.md §6.2). Entities are keyed by
 * `name` (APIM's resource id segment, e.g. `apis/{name}`); references between them use those names.
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

export interface OperationRepresentation {
  contentType: string;
  /** APIM's `examples: { name: { value } }`; mock-response answers with the first one. */
  examples?: Record<string, { value?: unknown; description?: string }>;
}

export interface OperationResponse {
  statusCode: number;
  description?: string;
  representations?: OperationRepresentation[];
}

export interface Operation {
  api: string;
  name: string;
  displayName: string;
  method: string; // upper case; `*` matches any method
  /** `/users/{id}`, `/files/*`, `/?soapAction=urn:x` — path template, optionally with query template. */
  urlTemplate: string;
  description: string | null;
  responses: OperationResponse[];
}

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

export interface NamedValue {
  name: string;
  /** What `{{displayName}}` in a policy refers to (letters, digits, `-`, `.`, `_`). */
  displayName: string;
  secret: boolean;
  tags: string[];
}

export interface BackendCredentials {
  header?: Record<string, string[]>;
  query?: Record<string, string[]>;
  authorization?: { scheme: string; parameter: string };
}

export interface Backend {
  name: string;
  url: string;
  protocol: "http" | "soap";
  title: string | null;
  description: string | null;
  credentials: BackendCredentials | null;
  tls: { validateCertificateChain: boolean; validateCertificateName: boolean };
}

export type PolicyScope =
  | { kind: "global" }
  | { kind: "product"; product: string }
  | { kind: "api"; api: string }
  | { kind: "operation"; api: string; operation: string };

export type PolicyScopeKind = PolicyScope["kind"];

/** A string key for a scope, for maps of documents. */
export const policyScopeKey = (scope: PolicyScope): string =>
  scope.kind === "global"
    ? "global"
    : scope.kind === "product"
      ? `product:${scope.product}`
      : scope.kind === "api"
        ? `api:${scope.api}`
        : `operation:${scope.api}/${scope.operation}`;

export interface PolicyDocument {
  scope: PolicyScope;
  /** The XML exactly as given (APIM's `rawxml`: expressions may hold characters XML forbids). */
  xml: string;
}

/** Everything the data plane compiles: one consistent version of the gateway configuration. */
export interface GatewayConfiguration {
  revision: number;
  apis: Api[];
  operations: Operation[];
  products: Product[];
  subscriptions: (Subscription & SubscriptionKeys)[];
  /** With values: the server substitutes them into policies. */
  namedValues: (NamedValue & { value: string })[];
  backends: Backend[];
  policies: PolicyDocument[];
}

/** APIM's default global policy: forward every request to the backend. */
export const DEFAULT_GLOBAL_POLICY = `<policies>
  <inbound />
  <backend>
    <forward-request />
  </backend>
  <outbound />
  <on-error />
</policies>`;
