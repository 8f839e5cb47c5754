import type { Operation } from "../../../admin/operations.js";
import type { ArmProperties } from "../../../admin/apim/arm.js";
import { crudOperations } from "../../../admin/apim/crud.js";
import { armErrors } from "../../../admin/apim/errors.js";
import type { GatewayRegistry } from "../registry.js";
import { apiCollection, apiContract, apiPatch, apiPut, type ApiBody, type ApiResource } from "./arm-schemas.js";
import type { Api, ApiInput } from "./types.js";

/** The API's ARM `properties`, property by property (never spread), so nothing the model gains later leaks out. */
export function apiProperties(api: Api): ArmProperties<ApiResource> {
  return {
    displayName: api.displayName,
    apiRevision: "1",
    description: api.description,
    subscriptionRequired: api.subscriptionRequired,
    serviceUrl: api.serviceUrl,
    path: api.path,
    protocols: [...api.protocols],
    subscriptionKeyParameterNames: {
      header: api.subscriptionKeyParameterNames.header,
      query: api.subscriptionKeyParameterNames.query,
    },
    isCurrent: true,
    type: api.apiType,
  };
}

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

/** APIM's APIs (apis/{apiId}). */
export function armOperations(gateway: GatewayRegistry): Operation[] {
  return crudOperations({
    tag: "apim: apis",
    noun: "API",
    collection: "/apis",
    param: "apiId",
    type: "apis",
    kind: "Api",
    schemas: { put: apiPut, patch: apiPatch, resource: apiContract, list: apiCollection },
    filterable: API_FILTERABLE,
    list: () => gateway.apis.list(),
    get: (_context, name) => gateway.apis.get(name),
    put: async (_context, name, properties) => {
      const { displayName, path, ...rest } = properties;
      const { api, created } = await gateway.apis.put(name, { ...apiChanges(rest), displayName, path });
      return { item: api, created };
    },
    patch: (_context, name, properties) => gateway.apis.patch(name, apiChanges(properties)),
    remove: (_context, name) => gateway.apis.delete(name),
    nameOf: (api) => api.name,
    view: apiProperties,
  });
}
