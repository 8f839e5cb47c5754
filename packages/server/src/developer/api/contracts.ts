/**
 * What the developer API shows, flat as API Management's data API shows it to the developer portal (its contracts:
 * `id` a path such as `/products/starter`, no ARM envelope). A developer sees neither an API's backend URL nor the
 * administrator's note about them, and keys only through listSecrets.
 */
import { z } from "zod";
import { namedSchemas } from "../../admin/schemas.js";
import type { Api } from "../../gateway/model/apis/types.js";
import type { Group } from "../../gateway/model/groups/types.js";
import { isBuiltInGroup } from "../../gateway/model/groups/types.js";
import type { Operation } from "../../gateway/model/operations/types.js";
import { shownProductShape } from "../../gateway/model/products/arm-schemas.js";
import { productEntraSettings, shownProductFields, type Product } from "../../gateway/model/products/types.js";
import { formatSubscriptionScope } from "../../gateway/model/subscriptions/scope.js";
import type { Subscription } from "../../gateway/model/subscriptions/types.js";
import { formatOwnerId } from "../../gateway/model/users/owner-id.js";
import type { User } from "../../gateway/model/users/types.js";

/** Published under `components.schemas` of /openapi.json with this name. */
export const named = <S extends z.ZodType>(name: string, schema: S): S => {
  namedSchemas.add(schema, { name });
  return schema;
};

export const page = <S extends z.ZodType>(name: string, item: S) =>
  named(name, z.object({ value: z.array(item), count: z.number().int(), nextLink: z.string().nullable() }));

export const identityContract = named("DeveloperIdentity", z.object({ id: z.string(), provider: z.string() }));

const groupContract = z.object({
  id: z.string(),
  name: z.string(),
  displayName: z.string(),
  builtIn: z.boolean(),
  type: z.string(),
});

export const userContract = named(
  "DeveloperUser",
  z.object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    state: z.string(),
    registrationDate: z.string(),
    identities: z.array(z.object({ id: z.string(), provider: z.string() })),
    groups: z.array(groupContract),
  }),
);

export function userView(user: User, groups: ReadonlyMap<string, Group>): z.output<typeof userContract> {
  return {
    id: formatOwnerId(user.name),
    name: user.name,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    state: user.state,
    registrationDate: user.registrationDate,
    identities: user.identities.map((identity) => ({ ...identity })),
    groups: user.groups.flatMap((name) => {
      const group = groups.get(name);
      return group
        ? [
            {
              id: `/groups/${group.name}`,
              name: group.name,
              displayName: group.displayName,
              builtIn: isBuiltInGroup(group.name),
              type: group.type,
            },
          ]
        : [];
    }),
  };
}

export const productContract = named(
  "DeveloperProduct",
  z.object({
    id: z.string(),
    name: z.string(),
    ...shownProductShape,
    state: z.string(),
    /** `subscription-key` and/or `application-token` (the portal's "credential types"). */
    authenticationType: z.array(z.string()),
    /** The product application, the audience of tokens for the product, while application-token is on. */
    applicationSettings: z.object({ entra: z.object({ applicationId: z.string(), audience: z.string() }) }).nullable(),
  }),
);

/** The product's `applicationSettings` as the developer portal reads it (apim.md §5.3). */
export function applicationSettings(product: Product): { entra: { applicationId: string; audience: string } } | null {
  const entra = productEntraSettings(product);
  return entra && { entra };
}

export const productView = (product: Product): z.output<typeof productContract> => ({
  id: `/products/${product.name}`,
  name: product.name,
  ...shownProductFields(product),
  applicationSettings: applicationSettings(product),
});

export const apiContract = named(
  "DeveloperApi",
  z.object({
    id: z.string(),
    name: z.string(),
    displayName: z.string(),
    description: z.string().nullable(),
    path: z.string(),
    protocols: z.array(z.string()),
    type: z.string(),
    subscriptionRequired: z.boolean(),
    subscriptionKeyParameterNames: z.object({ header: z.string(), query: z.string() }),
  }),
);

export const apiView = (api: Api): z.output<typeof apiContract> => ({
  id: `/apis/${api.name}`,
  name: api.name,
  displayName: api.displayName,
  description: api.description,
  path: api.path,
  protocols: [...api.protocols],
  type: api.apiType,
  subscriptionRequired: api.subscriptionRequired,
  subscriptionKeyParameterNames: { ...api.subscriptionKeyParameterNames },
});

export const operationContract = named(
  "DeveloperOperation",
  z.object({
    id: z.string(),
    name: z.string(),
    displayName: z.string(),
    method: z.string(),
    urlTemplate: z.string(),
    description: z.string().nullable(),
    responses: z.array(z.looseObject({ statusCode: z.number() })),
  }),
);

export const operationView = (operation: Operation): z.output<typeof operationContract> => ({
  id: `/apis/${operation.api}/operations/${operation.name}`,
  name: operation.name,
  displayName: operation.displayName,
  method: operation.method,
  urlTemplate: operation.urlTemplate,
  description: operation.description,
  responses: operation.responses.map((response) => ({ ...response })),
});

/** The portal's SubscriptionContract: `name` is the subscription's display name, `id` its path under the user. */
export const subscriptionContract = named(
  "DeveloperSubscription",
  z.object({
    id: z.string(),
    name: z.string(),
    scope: z.string(),
    state: z.string(),
    ownerId: z.string(),
    createdDate: z.string(),
    startDate: z.string().nullable(),
    expirationDate: z.string().nullable(),
  }),
);

export const subscriptionView = (subscription: Subscription, owner: string): z.output<typeof subscriptionContract> => ({
  id: `${formatOwnerId(owner)}/subscriptions/${subscription.name}`,
  name: subscription.displayName,
  scope: formatSubscriptionScope(subscription.scope),
  state: subscription.state,
  ownerId: formatOwnerId(owner),
  createdDate: subscription.createdDate,
  startDate: subscription.startDate,
  expirationDate: subscription.expirationDate,
});

export const subscriptionKeys = named(
  "DeveloperSubscriptionKeys",
  z.object({ primaryKey: z.string(), secondaryKey: z.string() }),
);
