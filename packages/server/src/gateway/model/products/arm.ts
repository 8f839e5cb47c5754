import { noContent, ok, operation, type Operation, type RequestContext } from "../../../admin/operations.js";
import {
  API_VERSION,
  armPage,
  armResource,
  etagOf,
  LIST_PARAMETERS,
  type ArmProperties,
} from "../../../admin/apim/arm.js";
import { crudOperations } from "../../../admin/apim/crud.js";
import { armErrors } from "../../../admin/apim/errors.js";
import { API_FILTERABLE, apiProperties } from "../apis/arm.js";
import { apiContract } from "../apis/arm-schemas.js";
import type { Api } from "../apis/types.js";
import type { GatewayRegistry } from "../registry.js";
import { deleteProduct, saveProduct } from "./application.js";
import {
  productApiCollection,
  productCollection,
  productContract,
  productPatch,
  productPut,
  type ProductResource,
} from "./arm-schemas.js";
import { productEntraSettings, type Product } from "./types.js";
import { patchedProductFields, productFrom } from "./validation.js";

const TAG = "apim: products";

/** The product's ARM `properties`, property by property. */
export function productProperties(product: Product): ArmProperties<ProductResource> {
  const entra = productEntraSettings(product);
  return {
    displayName: product.displayName,
    description: product.description,
    terms: product.terms,
    subscriptionRequired: product.subscriptionRequired,
    approvalRequired: product.approvalRequired,
    subscriptionsLimit: product.subscriptionsLimit,
    state: product.state,
    authenticationType: product.authenticationType,
    ...(entra ? { application: { entra } } : {}),
  };
}

/** APIM's products and their API links (products/{productId}, products/{productId}/apis/{apiId}). */
export function armOperations(gateway: GatewayRegistry): Operation[] {
  const linked = (context: RequestContext, api: Api) =>
    armResource(
      context,
      "products/apis",
      `/products/${context.param("productId")}/apis/${api.name}`,
      apiProperties(api),
    );

  return [
    ...crudOperations({
      tag: TAG,
      noun: "product",
      collection: "/products",
      param: "productId",
      type: "products",
      kind: "Product",
      schemas: { put: productPut, patch: productPatch, resource: productContract, list: productCollection },
      filterable: ["name", "displayName", "description", "terms", "state"],
      list: () => gateway.products.list(),
      get: (_context, name) => gateway.products.get(name),
      put: async (_context, name, properties) => {
        const existing = await gateway.products.get(name);
        const item = await saveProduct(gateway, productFrom(name, properties), existing, async (tx) => {
          return (await tx.products.put(name, properties)).product;
        });
        return { item, created: existing === undefined };
      },
      patch: async (_context, name, properties) => {
        const existing = await gateway.products.get(name);
        if (!existing) throw armErrors.notFound("Product");
        const fields = patchedProductFields(existing, properties);
        return saveProduct(gateway, fields, existing, (tx) => tx.products.patch(name, properties));
      },
      remove: (_context, name) => deleteProduct(gateway, name),
      nameOf: (product) => product.name,
      view: productProperties,
    }),
    operation({
      method: "GET",
      path: "/products/{productId}/apis",
      summary: "List the APIs of a product",
      tag: TAG,
      parameters: LIST_PARAMETERS,
      response: {
        status: 200,
        description: "The product's APIs",
        schema: productApiCollection,
      },
      handle: async (context) => {
        const product = await gateway.products.get(context.param("productId"));
        if (!product) throw armErrors.notFound("Product");
        const names = new Set(product.apis);
        const apis = (await gateway.apis.list()).filter((api) => names.has(api.name));
        return ok(
          armPage(
            context,
            apis.map((api) => linked(context, api)),
            API_FILTERABLE,
          ),
        );
      },
    }),
    operation({
      method: "PUT",
      path: "/products/{productId}/apis/{apiId}",
      summary: "Add an API to a product",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "The API, linked (201 when the link is new)", schema: apiContract },
      handle: async (context) => {
        const { created } = await gateway.products.addApi(context.param("productId"), context.param("apiId"));
        const api = await gateway.apis.get(context.param("apiId"));
        if (!api) throw armErrors.notFound("Api");
        const body = linked(context, api);
        return { status: created ? 201 : 200, body, headers: { etag: etagOf(body.properties) } };
      },
    }),
    operation({
      method: "DELETE",
      path: "/products/{productId}/apis/{apiId}",
      summary: "Remove an API from a product",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "Removed (204 when it was not in the product)" },
      handle: async (context) =>
        (await gateway.products.removeApi(context.param("productId"), context.param("apiId")))
          ? { status: 200 }
          : noContent(),
    }),
  ];
}
