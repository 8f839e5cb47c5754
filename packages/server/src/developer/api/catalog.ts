/**
 * What the signed-in developer may see: the published products visible to one of their groups (a product's access
 * control, apim.md §4.10), and the APIs of those products with their operations. Anything else answers 404, as if it
 * did not exist.
 */
import { listPage, LIST_PARAMETERS, type FieldOf } from "../../admin/apim/arm.js";
import { ok, type Operation, type OperationResult, type RequestContext } from "../../admin/operations.js";
import type { Api } from "../../gateway/model/apis/types.js";
import type { Product } from "../../gateway/model/products/types.js";
import type { GatewayRegistry } from "../../gateway/model/registry.js";
import {
  apiContract,
  apiView,
  operationContract,
  operationView,
  page,
  productContract,
  productView,
} from "./contracts.js";
import { dataApiErrors } from "./errors.js";
import type { Secured } from "./operation.js";

/**
 * Answers `GET /developer/apis/{apiId}?export=true&format=…` with the API's document; without one, `export` is
 * refused as an option this server does not serve.
 */
export type ApiExport = (context: RequestContext, api: Api) => Promise<OperationResult>;

/** Flat contracts are filtered on their own string members. */
export const flatField: FieldOf<object> = (item, field) => (item as Record<string, unknown>)[field];

const productPage = page("DeveloperProductCollection", productContract);
const apiPage = page("DeveloperApiCollection", apiContract);
const operationPage = page("DeveloperOperationCollection", operationContract);

/** The products the user may see and the APIs in them, read together. */
async function catalogOf(gateway: GatewayRegistry, userId: string): Promise<{ products: Product[]; apis: Api[] }> {
  return gateway.read(async (tx) => {
    const [user, products, apis] = await Promise.all([tx.users.get(userId), tx.products.list(), tx.apis.list()]);
    const groups = new Set(user?.groups ?? []);
    const visible = products.filter((p) => p.state === "published" && p.groups.some((g) => groups.has(g)));
    const names = new Set(visible.flatMap((p) => p.apis));
    return { products: visible, apis: apis.filter((api) => names.has(api.name)) };
  });
}

/** A product the user may see, for subscribing to it. */
export async function visibleProduct(gateway: GatewayRegistry, userId: string, name: string): Promise<Product> {
  const product = (await catalogOf(gateway, userId)).products.find((p) => p.name === name);
  if (!product) throw dataApiErrors.notFound("Product");
  return product;
}

export function catalogOperations(gateway: GatewayRegistry, secured: Secured, exportApi: ApiExport): Operation[] {
  const visibleApi = async (userId: string, name: string) => {
    const api = (await catalogOf(gateway, userId)).apis.find((a) => a.name === name);
    if (!api) throw dataApiErrors.notFound("Api");
    return api;
  };

  return [
    secured({
      method: "GET",
      path: "/products",
      summary: "The published products visible to the user's groups",
      parameters: LIST_PARAMETERS,
      response: { status: 200, description: "The products", schema: productPage },
      handle: async (context) => {
        const { products } = await catalogOf(gateway, context.caller.userId);
        return ok(listPage(context, products.map(productView), ["name", "displayName", "description"], flatField));
      },
    }),
    secured({
      method: "GET",
      path: "/products/{productId}",
      summary: "A product visible to the user",
      response: { status: 200, description: "The product", schema: productContract },
      handle: async (context) =>
        ok(productView(await visibleProduct(gateway, context.caller.userId, context.param("productId")))),
    }),
    secured({
      method: "GET",
      path: "/products/{productId}/apis",
      summary: "The APIs of a product visible to the user",
      parameters: LIST_PARAMETERS,
      response: { status: 200, description: "The APIs", schema: apiPage },
      handle: async (context) => {
        const product = await visibleProduct(gateway, context.caller.userId, context.param("productId"));
        const apis = (await catalogOf(gateway, context.caller.userId)).apis.filter((api) =>
          product.apis.includes(api.name),
        );
        return ok(listPage(context, apis.map(apiView), ["name", "displayName", "description", "path"], flatField));
      },
    }),
    secured({
      method: "GET",
      path: "/apis",
      summary: "The APIs of the products visible to the user",
      parameters: LIST_PARAMETERS,
      response: { status: 200, description: "The APIs", schema: apiPage },
      handle: async (context) => {
        const { apis } = await catalogOf(gateway, context.caller.userId);
        return ok(listPage(context, apis.map(apiView), ["name", "displayName", "description", "path"], flatField));
      },
    }),
    secured({
      method: "GET",
      path: "/apis/{apiId}",
      summary: "An API visible to the user (with export=true&format=…, its document, where this server exports)",
      response: { status: 200, description: "The API", schema: apiContract },
      handle: async (context) => {
        const api = await visibleApi(context.caller.userId, context.param("apiId"));
        if (context.query.export === undefined) return ok(apiView(api));
        return exportApi(context, api);
      },
    }),
    secured({
      method: "GET",
      path: "/apis/{apiId}/operations",
      summary: "The operations of an API visible to the user",
      parameters: LIST_PARAMETERS,
      response: { status: 200, description: "The operations", schema: operationPage },
      handle: async (context) => {
        const api = await visibleApi(context.caller.userId, context.param("apiId"));
        const operations = await gateway.operations.list(api.name);
        return ok(
          listPage(context, operations.map(operationView), ["name", "displayName", "method", "urlTemplate"], flatField),
        );
      },
    }),
  ];
}
