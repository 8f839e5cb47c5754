import type { Operation, RequestContext } from "../../../admin/operations.js";
import { armResource, type ArmProperties } from "../../../admin/apim/arm.js";
import { crudOperations } from "../../../admin/apim/crud.js";
import { linkOperations } from "../../../admin/apim/links.js";
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
import { productEntraSettings, shownProductFields, type Product } from "./types.js";
import { patchedProductFields, productFrom } from "./validation.js";

const TAG = "apim: products";

/** The product's ARM `properties`, property by property. */
export function productProperties(product: Product): ArmProperties<ProductResource> {
  const entra = productEntraSettings(product);
  return {
    ...shownProductFields(product),
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
    ...linkOperations({
      tag: TAG,
      collection: "/products/{productId}/apis",
      param: "apiId",
      schemas: { resource: apiContract, list: productApiCollection },
      filterable: API_FILTERABLE,
      docs: {
        list: { summary: "List the APIs of a product", description: "The product's APIs" },
        put: { summary: "Add an API to a product", description: "The API, linked (201 when the link is new)" },
        delete: {
          summary: "Remove an API from a product",
          description: "Removed (204 when it was not in the product)",
        },
      },
      list: async (context) => {
        const product = await gateway.products.get(context.param("productId"));
        if (!product) throw armErrors.notFound("Product");
        const names = new Set(product.apis);
        return (await gateway.apis.list()).filter((api) => names.has(api.name)).map((api) => linked(context, api));
      },
      add: async (context, apiId) => {
        const { created } = await gateway.products.addApi(context.param("productId"), apiId);
        const api = await gateway.apis.get(apiId);
        if (!api) throw armErrors.notFound("Api");
        return { body: linked(context, api), created };
      },
      remove: (context, apiId) => gateway.products.removeApi(context.param("productId"), apiId),
    }),
  ];
}
