/**
 * The signed-in developer's subscriptions: list and read them, subscribe to a visible product (submitted when the
 * product needs approval, within its per-user limit, its terms accepted), rename or cancel, and read or regenerate the
 * keys. Another user's subscription answers 404.
 */
import { z } from "zod";
import { LIST_PARAMETERS, listPage } from "../../admin/apim/arm.js";
import { noContent, ok, type Operation } from "../../admin/operations.js";
import type { GatewayRegistry } from "../../gateway/model/registry.js";
import { parseSubscriptionScope } from "../../gateway/model/subscriptions/scope.js";
import type { Subscription } from "../../gateway/model/subscriptions/types.js";
import { flatField, visibleProduct } from "./catalog.js";
import { page, subscriptionContract, subscriptionKeys, subscriptionView } from "./contracts.js";
import { DataApiError, dataApiErrors } from "./errors.js";
import type { Secured } from "./operation.js";

const subscribe = z.object({
  /** `/products/{productId}`: the developer subscribes to products. */
  scope: z.string().min(1),
  /** The subscription's display name. */
  name: z.string().min(1).max(100),
  /** Required (true) when the product has terms of use. */
  termsConsented: z.boolean().optional(),
});
const change = z.object({
  name: z.string().min(1).max(100).optional(),
  /** Only `cancelled`: the developer ends a subscription; other states are the administrator's. */
  state: z.string().optional(),
});
const subscriptionPage = page("DeveloperSubscriptionCollection", subscriptionContract);
const FILTERABLE = ["name", "scope", "state"];

export function subscriptionOperations(gateway: GatewayRegistry, secured: Secured): Operation[] {
  const owned = async (userId: string, name: string): Promise<Subscription> => {
    const subscription = await gateway.subscriptions.get(name);
    if (subscription?.owner !== userId) throw dataApiErrors.notFound("Subscription");
    return subscription;
  };
  const item = "/users/{userId}/subscriptions/{subscriptionId}";
  const regenerate = (which: "primary" | "secondary") =>
    secured({
      method: "POST",
      path: `${item}/regenerate${which === "primary" ? "Primary" : "Secondary"}Key`,
      summary: `Replace the subscription's ${which} key`,
      response: { status: 204, description: "Regenerated (read it with listSecrets)" },
      handle: async (context) => {
        const { name } = await owned(context.caller.userId, context.param("subscriptionId"));
        await gateway.subscriptions.regenerateKey(name, which);
        return noContent();
      },
    });

  return [
    secured({
      method: "GET",
      path: "/users/{userId}/subscriptions",
      summary: "The user's subscriptions",
      parameters: LIST_PARAMETERS,
      response: { status: 200, description: "The subscriptions", schema: subscriptionPage },
      handle: async (context) => {
        const { userId } = context.caller;
        const views = (await gateway.subscriptions.ownedBy(userId)).map((s) => subscriptionView(s, userId));
        return ok(listPage(context, views, FILTERABLE, flatField));
      },
    }),
    secured({
      method: "GET",
      path: item,
      summary: "One of the user's subscriptions",
      response: { status: 200, description: "The subscription", schema: subscriptionContract },
      handle: async (context) => {
        const { userId } = context.caller;
        return ok(subscriptionView(await owned(userId, context.param("subscriptionId")), userId));
      },
    }),
    secured({
      method: "PUT",
      path: item,
      summary: "Subscribe to a product (submitted for approval when the product requires it)",
      body: subscribe,
      response: { status: 201, description: "The new subscription", schema: subscriptionContract },
      handle: async (context) => {
        const { userId } = context.caller;
        const name = context.param("subscriptionId");
        const scope = parseSubscriptionScope(context.body.scope);
        if (scope.kind !== "product") {
          throw dataApiErrors.validation(
            "Developers subscribe to products: scope must be /products/{productId}.",
            "scope",
          );
        }
        const product = await visibleProduct(gateway, userId, scope.product);
        if (!product.subscriptionRequired) {
          throw dataApiErrors.validation(`Product '${product.name}' is open: it needs no subscription.`, "scope");
        }
        if (product.terms !== null && context.body.termsConsented !== true) {
          throw dataApiErrors.validation(
            "The product's terms of use must be accepted (termsConsented: true).",
            "termsConsented",
          );
        }
        const subscription = await gateway.write(async (tx) => {
          if (await tx.subscriptions.get(name)) {
            throw new DataApiError(409, "Conflict", `A subscription with id '${name}' already exists.`);
          }
          const state = product.approvalRequired ? "submitted" : "active";
          const input = { displayName: context.body.name, scope, state, owner: userId } as const;
          return (await tx.subscriptions.put(name, input)).subscription;
        });
        return { status: 201, body: subscriptionView(subscription, userId) };
      },
    }),
    secured({
      method: "PATCH",
      path: item,
      summary: "Rename or cancel one of the user's subscriptions",
      body: change,
      response: { status: 200, description: "The subscription", schema: subscriptionContract },
      handle: async (context) => {
        const { userId } = context.caller;
        const { name: id } = await owned(userId, context.param("subscriptionId"));
        const { name, state } = context.body;
        if (state !== undefined && state !== "cancelled") {
          throw dataApiErrors.validation("A developer can only cancel a subscription (state: cancelled).", "state");
        }
        const patched = await gateway.subscriptions.patch(id, {
          ...(name === undefined ? {} : { displayName: name }),
          ...(state === undefined ? {} : { state }),
        });
        return ok(subscriptionView(patched, userId));
      },
    }),
    secured({
      method: "POST",
      path: `${item}/listSecrets`,
      summary: "The subscription's keys",
      response: { status: 200, description: "The keys", schema: subscriptionKeys },
      handle: async (context) => {
        const { name } = await owned(context.caller.userId, context.param("subscriptionId"));
        const { primaryKey, secondaryKey } = await gateway.subscriptions.listSecrets(name);
        return ok({ primaryKey, secondaryKey }, { "cache-control": "no-store" });
      },
    }),
    regenerate("primary"),
    regenerate("secondary"),
  ];
}
