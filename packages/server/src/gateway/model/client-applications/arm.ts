import { ok, operation, type Operation } from "../../../admin/operations.js";
import { API_VERSION, serviceId, type ArmProperties } from "../../../admin/apim/arm.js";
import { crudOperations } from "../../../admin/apim/crud.js";
import { armErrors } from "../../../admin/apim/errors.js";
import type { GatewayRegistry } from "../registry.js";
import {
  clientApplicationCollection,
  clientApplicationContract,
  clientApplicationPut,
  clientApplicationSecrets,
  productLinkCollection,
  productLinkContract,
  productLinkPut,
  type ClientApplicationResource,
} from "./arm-schemas.js";
import {
  addClientSecret,
  deleteClientApplication,
  linkProduct,
  saveClientApplication,
  unlinkProduct,
} from "./registration.js";
import { clientApplicationState, type ClientApplication } from "./types.js";
import { formatOwnerId, parseOwnerId } from "../users/owner-id.js";
import { productIdFrom } from "./validation.js";

const TAG = "apim: clientApplications";

/** The application's ARM `properties`: its registration's ids, never a secret. */
export function clientApplicationProperties(app: ClientApplication): ArmProperties<ClientApplicationResource> {
  return {
    displayName: app.displayName,
    description: app.description,
    ownerId: formatOwnerId(app.ownerId),
    state: clientApplicationState(app),
    entraApplicationId: app.entra?.appId ?? null,
    entraTenantId: app.entra?.tenantId ?? null,
  };
}

/**
 * API Management's client applications (preview, apim.md §5.4): create-or-replace, read, list and delete (no PATCH),
 * their product links, and listSecrets, which adds a new one-year secret each call.
 */
export function armOperations(gateway: GatewayRegistry): Operation[] {
  return [
    ...crudOperations({
      tag: TAG,
      noun: "client application",
      collection: "/clientApplications",
      param: "clientApplicationId",
      type: "clientApplications",
      kind: "ClientApplication",
      schemas: {
        put: clientApplicationPut,
        resource: clientApplicationContract,
        list: clientApplicationCollection,
      },
      filterable: ["name", "displayName", "description", "state"],
      list: () => gateway.clientApplications.list(),
      get: (_context, name) => gateway.clientApplications.get(name),
      put: async (_context, name, { ownerId, ...properties }) => {
        const { application, created } = await saveClientApplication(gateway, name, {
          ...properties,
          ownerId: parseOwnerId("ownerId", ownerId),
        });
        return { item: application, created };
      },
      remove: (_context, name) => deleteClientApplication(gateway, name),
      nameOf: (app) => app.name,
      view: clientApplicationProperties,
    }),
    ...crudOperations({
      tag: TAG,
      noun: "product link",
      collection: "/clientApplications/{clientApplicationId}/productLinks",
      param: "clientApplicationProductLinkId",
      type: "clientApplications/productLinks",
      kind: "ClientApplicationProductLink",
      schemas: { put: productLinkPut, resource: productLinkContract, list: productLinkCollection },
      filterable: ["name", "productId"],
      list: async (context) => (await requireApplication(gateway, context.param("clientApplicationId"))).productLinks,
      get: async (context, name) =>
        (await requireApplication(gateway, context.param("clientApplicationId"))).productLinks.find(
          (link) => link.name === name,
        ),
      put: async (context, name, { productId }) => {
        const { link, created } = await linkProduct(
          gateway,
          context.param("clientApplicationId"),
          name,
          productIdFrom(productId),
        );
        return { item: link, created };
      },
      remove: (context, name) => unlinkProduct(gateway, context.param("clientApplicationId"), name),
      nameOf: (link) => link.name,
      view: (link, context) => ({ productId: `${serviceId(context)}/products/${link.product}` }),
    }),
    operation({
      method: "POST",
      path: "/clientApplications/{clientApplicationId}/listSecrets",
      summary: "A new client secret, valid one year, shown only in this answer",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "The new secret", schema: clientApplicationSecrets },
      handle: async (context) => {
        const { secret, expiresAt } = await addClientSecret(gateway, context.param("clientApplicationId"));
        return ok({ entra: { clientSecret: secret, expiresAt } }, { "cache-control": "no-store" });
      },
    }),
  ];
}

async function requireApplication(gateway: GatewayRegistry, name: string): Promise<ClientApplication> {
  const app = await gateway.clientApplications.get(name);
  if (!app) throw armErrors.notFound("ClientApplication");
  return app;
}
