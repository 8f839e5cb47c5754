import { noContent, ok, operation, type Operation } from "../../../admin/operations.js";
import { API_VERSION, type ArmProperties } from "../../../admin/apim/arm.js";
import { crudOperations } from "../../../admin/apim/crud.js";
import type { GatewayRegistry } from "../registry.js";
import {
  subscriptionCollection,
  subscriptionContract,
  subscriptionKeys,
  subscriptionPatch,
  subscriptionPut,
  type SubscriptionBody,
  type SubscriptionResource,
} from "./arm-schemas.js";
import { formatSubscriptionScope, parseSubscriptionScope } from "./scope.js";
import type { Subscription, SubscriptionInput } from "./types.js";

const TAG = "apim: subscriptions";

/** The subscription's ARM `properties`, never its keys. */
export function subscriptionProperties(subscription: Subscription): ArmProperties<SubscriptionResource> {
  return {
    scope: formatSubscriptionScope(subscription.scope),
    displayName: subscription.displayName,
    state: subscription.state,
    allowTracing: subscription.allowTracing,
    createdDate: subscription.createdDate,
    startDate: subscription.startDate,
    expirationDate: subscription.expirationDate,
  };
}

/** The scope given as text (`/products/starter`, or a full ARM id ending so) as the registry takes it. */
function subscriptionChanges({ scope, ...rest }: Partial<SubscriptionBody>): Partial<SubscriptionInput> {
  return { ...rest, ...(scope !== undefined ? { scope: parseSubscriptionScope(scope) } : {}) };
}

/** APIM's subscriptions: keys are set or generated on PUT, never shown by GET, read with listSecrets. */
export function armOperations(gateway: GatewayRegistry): Operation[] {
  const regenerate = (which: "primary" | "secondary"): Operation =>
    operation({
      method: "POST",
      path: `/subscriptions/{sid}/regenerate${which === "primary" ? "Primary" : "Secondary"}Key`,
      summary: `Replace the ${which} key with a new random one`,
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 204, description: "Regenerated (read it with listSecrets)" },
      handle: async (context) => {
        await gateway.subscriptions.regenerateKey(context.param("sid"), which);
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
      list: () => gateway.subscriptions.list(),
      get: (_context, name) => gateway.subscriptions.get(name),
      put: async (_context, name, { displayName, scope, ...rest }) => {
        const { subscription, created } = await gateway.subscriptions.put(name, {
          ...subscriptionChanges(rest),
          displayName,
          scope: parseSubscriptionScope(scope),
        });
        return { item: subscription, created };
      },
      patch: (_context, name, properties) => gateway.subscriptions.patch(name, subscriptionChanges(properties)),
      remove: (_context, name) => gateway.subscriptions.delete(name),
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
        const keys = await gateway.subscriptions.listSecrets(context.param("sid"));
        return ok({ primaryKey: keys.primaryKey, secondaryKey: keys.secondaryKey }, { "cache-control": "no-store" });
      },
    }),
    regenerate("primary"),
    regenerate("secondary"),
  ];
}
