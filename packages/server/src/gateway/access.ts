/**
 * Subscription keys and API Management's access rules (reference apim.md §4.2): which key the request carries, whether
 * it opens this API, and which product (if any) the request is processed under.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Api } from "./model/apis/types.js";
import type { Product } from "./model/products/types.js";
import type { Subscription, SubscriptionKeys } from "./model/subscriptions/types.js";
import type { GatewayRequest, SubscriptionContext } from "./pipeline/context.js";

export type AccessDecision =
  | { allowed: true; product: Product | undefined; subscription: SubscriptionContext | undefined }
  | { allowed: false; reason: "SubscriptionKeyNotFound" | "SubscriptionKeyInvalid" };

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
    if (open) return { allowed: true, product: open, subscription: undefined };
    if (!api.subscriptionRequired) return { allowed: true, product: undefined, subscription: undefined };
    return { allowed: false, reason: "SubscriptionKeyNotFound" };
  }
  // A key that is sent must be valid, even where none is required.
  for (const subscription of rules.subscriptions.find(key)) {
    if (!usable(subscription, now)) continue;
    const context: SubscriptionContext = { ...subscription, key };
    const scope = subscription.scope;
    if (scope.kind === "allApis") return { allowed: true, product: undefined, subscription: context };
    if (scope.kind === "api") {
      if (scope.api === api.name) return { allowed: true, product: undefined, subscription: context };
      continue;
    }
    const linked = rules.products.get(scope.product);
    if (linked?.apis.has(api.name)) return { allowed: true, product: linked.product, subscription: context };
  }
  return { allowed: false, reason: "SubscriptionKeyInvalid" };
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
