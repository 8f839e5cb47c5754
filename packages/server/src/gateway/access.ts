/**
 * Subscription keys and API Management's access rules (reference apim.md §4.2): which key the request carries, whether
 * it opens this API, and which product (if any) the request is processed under.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { AppTokenAuthorizer, AppTokenDecision } from "./app-token/authorizer.js";
import type { AppTokenRefusal } from "./app-token/refusal.js";
import type { ClientApplicationAccess } from "./app-token/tables.js";
import type { Api } from "./model/apis/types.js";
import { acceptsSubscriptionKeys, type Product } from "./model/products/types.js";
import type { Subscription, SubscriptionKeys } from "./model/subscriptions/types.js";
import { mayCallApis, type UserDirectory } from "./callers.js";
import type { GatewayRequest, SubscriptionContext, UserContext } from "./pipeline/context.js";

export type AccessDecision =
  | {
      allowed: true;
      product: Product | undefined;
      subscription: SubscriptionContext | undefined;
      /** The subscription's owner (`context.User`). */
      user: UserContext | undefined;
      /** The client application whose token opened the product (application-based access). */
      application?: ClientApplicationAccess;
    }
  | { allowed: false; reason: "SubscriptionKeyNotFound" | "SubscriptionKeyInvalid" };

/** A request an application token decides on and refuses; without `refusal` it carries none where one is needed. */
export interface TokenRefused {
  allowed: false;
  reason: "AppTokenRefused";
  refusal: AppTokenRefusal | undefined;
}

interface KeyEntry {
  subscription: Subscription & SubscriptionKeys;
  key: Buffer;
}

/**
 * Keys are indexed by an HMAC of the key, so the lookup reveals nothing about near misses through timing; the key
 * found is then compared in constant time.
 */
export class SubscriptionIndex {
  private readonly byDigest = new Map<string, KeyEntry[]>();

  constructor(
    private readonly pepper: Buffer,
    subscriptions: readonly (Subscription & SubscriptionKeys)[],
  ) {
    for (const subscription of subscriptions) {
      for (const key of [subscription.primaryKey, subscription.secondaryKey]) {
        const digest = this.digest(key);
        const list = this.byDigest.get(digest) ?? [];
        list.push({ subscription, key: Buffer.from(key, "utf8") });
        this.byDigest.set(digest, list);
      }
    }
  }

  private digest(key: string): string {
    return createHmac("sha256", this.pepper).update(key, "utf8").digest("base64");
  }

  find(key: string): (Subscription & SubscriptionKeys)[] {
    const candidates = this.byDigest.get(this.digest(key));
    if (!candidates) return [];
    const given = Buffer.from(key, "utf8");
    return candidates
      .filter((c) => c.key.length === given.length && timingSafeEqual(c.key, given))
      .map((c) => c.subscription);
  }
}

export interface AccessRules {
  subscriptions: SubscriptionIndex;
  products: ReadonlyMap<string, { product: Product; apis: ReadonlySet<string> }>;
  /** The open product (no subscription required) an API belongs to, if any. */
  openProductOf: ReadonlyMap<string, Product>;
  /** APIs in a product that accepts application tokens: all their products, and whether one accepts keys. */
  tokenApis: ReadonlyMap<string, { products: ReadonlySet<string>; keysAccepted: boolean }>;
  /** Application-token authorisation for the products with application-token on. */
  applications: AppTokenAuthorizer;
  /** The subscriptions' owners. */
  users: UserDirectory;
}

/** The key the request carries: the API's header, else its query parameter. */
export function subscriptionKeyOf(api: Api, request: GatewayRequest): string | undefined {
  const header = request.headers.get(api.subscriptionKeyParameterNames.header);
  if (header !== undefined && header !== "") return header;
  const query = request.query.get(api.subscriptionKeyParameterNames.query);
  return query === null || query === "" ? undefined : query;
}

export function decideAccess(api: Api, key: string | undefined, rules: AccessRules, now: number): AccessDecision {
  if (key === undefined) {
    const open = rules.openProductOf.get(api.name);
    if (open) return { allowed: true, product: open, subscription: undefined, user: undefined };
    if (!api.subscriptionRequired)
      return { allowed: true, product: undefined, subscription: undefined, user: undefined };
    return { allowed: false, reason: "SubscriptionKeyNotFound" };
  }
  // A key that is sent must be valid, even where none is required.
  for (const subscription of rules.subscriptions.find(key)) {
    if (!usable(subscription, now)) continue;
    const user = subscription.owner === null ? undefined : rules.users.get(subscription.owner);
    if (user && !mayCallApis(user)) continue;
    const context: SubscriptionContext = { ...subscription, key };
    const scope = subscription.scope;
    if (scope.kind === "allApis") return { allowed: true, product: undefined, subscription: context, user };
    if (scope.kind === "api") {
      if (scope.api === api.name) return { allowed: true, product: undefined, subscription: context, user };
      continue;
    }
    const linked = rules.products.get(scope.product);
    // A product that accepts only application tokens is not opened by its subscriptions' keys.
    if (linked?.apis.has(api.name) && acceptsSubscriptionKeys(linked.product)) {
      return { allowed: true, product: linked.product, subscription: context, user };
    }
  }
  return { allowed: false, reason: "SubscriptionKeyInvalid" };
}

/**
 * A request without a subscription key to an API in a product with application-token on (apim.md §5.2): a bearer
 * token decides — accepted, the request runs in the token's product as its client application; refused, it is
 * refused unless the API is open without a key (an open product, or no subscription required), where the token may
 * be meant for the API's own policies. Without an application token (none, or one whose audience is no product
 * application's, e.g. for the API's own validate-jwt) the key rules decide, except that an API whose products all
 * accept only tokens asks for one. Undefined: the key rules decide.
 */
export function decideTokenAccess(
  api: Api,
  authorization: string | undefined,
  rules: AccessRules,
  now: number,
): AccessDecision | TokenRefused | undefined | Promise<AccessDecision | TokenRefused | undefined> {
  const tokenApi = rules.tokenApis.get(api.name);
  if (!tokenApi) return undefined;
  const open = decideAccess(api, undefined, rules, now).allowed;
  const decide = (decision: AppTokenDecision): AccessDecision | TokenRefused | undefined => {
    if (decision.outcome === "accepted") {
      const { clientApplication } = decision;
      const user = rules.users.get(clientApplication.ownerUserId);
      // The application is its owner's: a blocked or deleted owner's applications call nothing, as their keys.
      if (!user || !mayCallApis(user)) {
        const detail = `The owner of client application '${clientApplication.clientApplicationName}' may not call APIs.`;
        const refusal: AppTokenRefusal = { status: 403, reason: "ClientApplicationNotAllowed", detail };
        return { allowed: false, reason: "AppTokenRefused", refusal };
      }
      const product = rules.products.get(decision.product.productName)?.product;
      return { allowed: true, product, subscription: undefined, user, application: clientApplication };
    }
    if (open) return undefined;
    if (decision.outcome === "refused") return { allowed: false, reason: "AppTokenRefused", refusal: decision.refusal };
    // No application token (none, or one for another audience): where keys open the API, the key rules decide.
    if (tokenApi.keysAccepted) return undefined;
    const refusal = decision.outcome === "foreign" ? decision.refusal : undefined;
    return { allowed: false, reason: "AppTokenRefused", refusal };
  };
  const decision = rules.applications.authorize(authorization, tokenApi.products, now / 1000);
  return decision instanceof Promise ? decision.then(decide) : decide(decision);
}

function usable(subscription: Subscription, now: number): boolean {
  if (subscription.state !== "active") return false;
  if (subscription.startDate && Date.parse(subscription.startDate) > now) return false;
  if (subscription.expirationDate && Date.parse(subscription.expirationDate) <= now) return false;
  return true;
}

export const ACCESS_MESSAGES = {
  SubscriptionKeyNotFound:
    "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.",
  SubscriptionKeyInvalid:
    "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
} as const;
