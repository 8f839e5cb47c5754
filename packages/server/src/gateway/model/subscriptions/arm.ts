import { noContent, ok, operation, type Operation, type RequestContext } from "../../../admin/operations.js";
import {
  API_VERSION,
  armPage,
  armResource,
  etagOf,
  LIST_PARAMETERS,
  type ArmProperties,
} from "../../../admin/apim/arm.js";
import { armErrors } from "../../../admin/apim/errors.js";
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
import { formatOwnerId, parseOwnerId } from "../users/owner-id.js";
import { formatSubscriptionScope, parseSubscriptionScope } from "./scope.js";
import type { Subscription, SubscriptionInput } from "./types.js";

const TAG = "apim: subscriptions";
export const SUBSCRIPTION_FILTERABLE = ["name", "displayName", "scope", "state", "ownerId"] as const;

/** The subscription's ARM `properties`, never its keys. */
export function subscriptionProperties(subscription: Subscription): ArmProperties<SubscriptionResource> {
  return {
    scope: formatSubscriptionScope(subscription.scope),
    ...(subscription.owner === null ? {} : { ownerId: formatOwnerId(subscription.owner) }),
    displayName: subscription.displayName,
    state: subscription.state,
    allowTracing: subscription.allowTracing,
    createdDate: subscription.createdDate,
    startDate: subscription.startDate,
    expirationDate: subscription.expirationDate,
  };
}

/** The scope and owner given as text (`/products/starter`, `/users/dev`, or full ARM ids) as the registry takes them. */
function subscriptionChanges({ scope, ownerId, ...rest }: Partial<SubscriptionBody>): Partial<SubscriptionInput> {
  return {
    ...rest,
    ...(scope !== undefined ? { scope: parseSubscriptionScope(scope) } : {}),
    ...(ownerId !== undefined ? { owner: parseOwnerId("ownerId", ownerId) } : {}),
  };
}

/** A subscription as a resource under its owner (`users/{userId}/subscriptions/{sid}`). */
const ownedResource = (context: RequestContext, userId: string, subscription: Subscription) =>
  armResource(
    context,
    "users/subscriptions",
    `/users/${userId}/subscriptions/${subscription.name}`,
    subscriptionProperties(subscription),
  );

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
      filterable: SUBSCRIPTION_FILTERABLE,
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
    operation({
      method: "GET",
      path: "/users/{userId}/subscriptions",
      summary: "List the subscriptions a user owns",
      tag: TAG,
      parameters: LIST_PARAMETERS,
      response: { status: 200, description: "The user's subscriptions", schema: subscriptionCollection },
      handle: async (context) => {
        const userId = context.param("userId");
        if (!(await gateway.users.get(userId))) throw armErrors.notFound("User");
        const owned = await gateway.subscriptions.ownedBy(userId);
        return ok(
          armPage(
            context,
            owned.map((s) => ownedResource(context, userId, s)),
            SUBSCRIPTION_FILTERABLE,
          ),
        );
      },
    }),
    operation({
      method: "GET",
      path: "/users/{userId}/subscriptions/{sid}",
      summary: "One of the subscriptions a user owns",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "The subscription", schema: subscriptionContract },
      handle: async (context) => {
        const userId = context.param("userId");
        const subscription = await gateway.subscriptions.get(context.param("sid"));
        if (subscription?.owner !== userId) throw armErrors.notFound("Subscription");
        const body = ownedResource(context, userId, subscription);
        return ok(body, { etag: etagOf(body.properties) });
      },
    }),
  ];
}
