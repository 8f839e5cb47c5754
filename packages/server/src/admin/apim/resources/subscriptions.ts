import type { GatewayRegistry, SubscriptionInput } from "../../../gateway/registry.js";
import { parseSubscriptionScope } from "../../../gateway/subscription-scope.js";
import { noContent, ok, operation, type Operation } from "../../operations.js";
import { API_VERSION } from "../arm.js";
import { crudOperations } from "../crud.js";
import {
  subscriptionCollection,
  subscriptionContract,
  subscriptionKeys,
  subscriptionPatch,
  subscriptionPut,
  type SubscriptionBody,
} from "../schemas.js";
import { subscriptionProperties } from "../views.js";

const TAG = "apim: subscriptions";

/** The scope given as text (`/products/starter`, or a full ARM id ending so) as the registry takes it. */
function subscriptionChanges({ scope, ...rest }: Partial<SubscriptionBody>): Partial<SubscriptionInput> {
  return { ...rest, ...(scope !== undefined ? { scope: parseSubscriptionScope(scope) } : {}) };
}

/** APIM's subscriptions: keys are set or generated on PUT, never shown by GET, read with listSecrets. */
export function subscriptionOperations(gateway: GatewayRegistry): Operation[] {
  const regenerate = (which: "primary" | "secondary"): Operation =>
    operation({
      method: "POST",
      path: `/subscriptions/{sid}/regenerate${which === "primary" ? "Primary" : "Secondary"}Key`,
      summary: `Replace the ${which} key with a new random one`,
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 204, description: "Regenerated (read it with listSecrets)" },
      handle: async (context) => {
        await gateway.regenerateKey(context.param("sid"), which);
        return noContent();
      },
    });

  return [
    ...crudOperations({
      tag: TAG,
      noun: "subscription",
      collection: "/subscriptions",
      param: "sid",
      type: "subscriptions",
      kind: "Subscription",
      schemas: {
        put: subscriptionPut,
        patch: subscriptionPatch,
        resource: subscriptionContract,
        list: subscriptionCollection,
      },
      filterable: ["name", "displayName", "scope", "state"],
      list: () => gateway.listSubscriptions(),
      get: (_context, name) => gateway.getSubscription(name),
      put: async (_context, name, { displayName, scope, ...rest }) => {
        const { subscription, created } = await gateway.putSubscription(name, {
          ...subscriptionChanges(rest),
          displayName,
          scope: parseSubscriptionScope(scope),
        });
        return { item: subscription, created };
      },
      patch: (_context, name, properties) => gateway.patchSubscription(name, subscriptionChanges(properties)),
      remove: (_context, name) => gateway.deleteSubscription(name),
      nameOf: (subscription) => subscription.name,
      view: subscriptionProperties,
    }),
    operation({
      method: "POST",
      path: "/subscriptions/{sid}/listSecrets",
      summary: "The subscription's primary and secondary keys",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "The keys", schema: subscriptionKeys },
      handle: async (context) => {
        const keys = await gateway.listSecrets(context.param("sid"));
        return ok({ primaryKey: keys.primaryKey, secondaryKey: keys.secondaryKey }, { "cache-control": "no-store" });
      },
    }),
    regenerate("primary"),
    regenerate("secondary"),
  ];
}
