import type { Api } from "../../../gateway/model.js";
import type { GatewayRegistry } from "../../../gateway/registry.js";
import { noContent, ok, operation, type Operation, type RequestContext } from "../../operations.js";
import { API_VERSION, armPage, armResource, etagOf, LIST_PARAMETERS } from "../arm.js";
import { crudOperations } from "../crud.js";
import { armErrors } from "../errors.js";
import {
  apiContract,
  productApiCollection,
  productCollection,
  productContract,
  productPatch,
  productPut,
} from "../schemas.js";
import { apiProperties, productProperties } from "../views.js";
import { API_FILTERABLE } from "./apis.js";

const TAG = "apim: products";

/** APIM's products and their API links (products/{productId}, products/{productId}/apis/{apiId}). */
export function productOperations(gateway: GatewayRegistry): Operation[] {
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
      list: () => gateway.listProducts(),
      get: (_context, name) => gateway.getProduct(name),
      put: async (_context, name, properties) => {
        const { product, created } = await gateway.putProduct(name, properties);
        return { item: product, created };
      },
      patch: (_context, name, properties) => gateway.patchProduct(name, properties),
      remove: (_context, name) => gateway.deleteProduct(name),
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
        const product = await gateway.getProduct(context.param("productId"));
        if (!product) throw armErrors.notFound("Product");
        const names = new Set(product.apis);
        const apis = (await gateway.listApis()).filter((api) => names.has(api.name));
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
        const { created } = await gateway.addProductApi(context.param("productId"), context.param("apiId"));
        const api = await gateway.getApi(context.param("apiId"));
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
        (await gateway.removeProductApi(context.param("productId"), context.param("apiId")))
          ? { status: 200 }
          : noContent(),
    }),
  ];
}
