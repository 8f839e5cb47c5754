import type { ApiInput, GatewayRegistry } from "../../../gateway/registry.js";
import type { Operation } from "../../operations.js";
import { armErrors } from "../errors.js";
import { crudOperations } from "../crud.js";
import {
  apiCollection,
  apiContract,
  operationCollection,
  apiPatch,
  apiPut,
  operationContract,
  operationPatch,
  operationPut,
  type ApiBody,
} from "../schemas.js";
import { apiProperties, operationProperties } from "../views.js";

/** `type` is the resource's name for what import calls `apiType`; either may be given, not two different ones. */
function apiChanges({ type, apiType, ...rest }: Partial<ApiBody>): Partial<ApiInput> {
  if (type !== undefined && apiType !== undefined && type !== apiType) {
    throw armErrors.validation(`type '${type}' and apiType '${apiType}' disagree.`, "type");
  }
  const kind = type ?? apiType;
  return { ...rest, ...(kind !== undefined ? { apiType: kind } : {}) };
}

/** What `$filter` may name on APIs. */
export const API_FILTERABLE = ["name", "displayName", "description", "path", "serviceUrl"] as const;

/** APIM's APIs and their operations (apis/{apiId}, apis/{apiId}/operations/{operationId}). */
export function apiOperations(gateway: GatewayRegistry): Operation[] {
  return [
    ...crudOperations({
      tag: "apim: apis",
      noun: "API",
      collection: "/apis",
      param: "apiId",
      type: "apis",
      kind: "Api",
      schemas: { put: apiPut, patch: apiPatch, resource: apiContract, list: apiCollection },
      filterable: API_FILTERABLE,
      list: () => gateway.listApis(),
      get: (_context, name) => gateway.getApi(name),
      put: async (_context, name, properties) => {
        const { displayName, path, ...rest } = properties;
        const { api, created } = await gateway.putApi(name, { ...apiChanges(rest), displayName, path });
        return { item: api, created };
      },
      patch: (_context, name, properties) => gateway.patchApi(name, apiChanges(properties)),
      remove: (_context, name) => gateway.deleteApi(name),
      nameOf: (api) => api.name,
      view: apiProperties,
    }),
    ...crudOperations({
      tag: "apim: apis",
      noun: "API operation",
      collection: "/apis/{apiId}/operations",
      param: "operationId",
      type: "apis/operations",
      kind: "Operation",
      schemas: {
        put: operationPut,
        patch: operationPatch,
        resource: operationContract,
        list: operationCollection,
      },
      filterable: ["name", "displayName", "method", "urlTemplate", "description"],
      list: (context) => gateway.listOperations(context.param("apiId")),
      get: (context, name) => gateway.getOperation(context.param("apiId"), name),
      put: async (context, name, properties) => {
        const { operation, created } = await gateway.putOperation(context.param("apiId"), name, properties);
        return { item: operation, created };
      },
      patch: (context, name, properties) => gateway.patchOperation(context.param("apiId"), name, properties),
      remove: (context, name) => gateway.deleteOperation(context.param("apiId"), name),
      nameOf: (operation) => operation.name,
      view: operationProperties,
    }),
  ];
}
