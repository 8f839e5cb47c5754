import type { Operation as ArmOperation } from "../../../admin/operations.js";
import type { ArmProperties } from "../../../admin/apim/arm.js";
import { crudOperations } from "../../../admin/apim/crud.js";
import type { GatewayRegistry } from "../registry.js";
import {
  operationCollection,
  operationContract,
  operationPatch,
  operationPut,
  type OperationResource,
} from "./arm-schemas.js";
import type { Operation } from "./types.js";

/** `{id}` in `/users/{id}?x={x}`: APIM lists every template parameter. */
const templateParameters = (urlTemplate: string) =>
  [...new Set([...urlTemplate.matchAll(/\{([^}*]+)\}/g)].map(([, name]) => name ?? ""))].map((name) => ({
    name,
    type: "string" as const,
    required: true as const,
    values: [],
  }));

/** The operation's ARM `properties`, property by property. */
export function operationProperties(operation: Operation): ArmProperties<OperationResource> {
  return {
    displayName: operation.displayName,
    method: operation.method,
    urlTemplate: operation.urlTemplate,
    templateParameters: templateParameters(operation.urlTemplate),
    description: operation.description,
    responses: operation.responses.map((response) => ({
      statusCode: response.statusCode,
      ...(response.description !== undefined ? { description: response.description } : {}),
      representations: (response.representations ?? []).map((r) => ({
        contentType: r.contentType,
        ...(r.examples !== undefined ? { examples: r.examples } : {}),
      })),
    })),
  };
}

/** APIM's API operations (apis/{apiId}/operations/{operationId}). */
export function armOperations(gateway: GatewayRegistry): ArmOperation[] {
  return crudOperations({
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
    list: (context) => gateway.operations.list(context.param("apiId")),
    get: (context, name) => gateway.operations.get(context.param("apiId"), name),
    put: async (context, name, properties) => {
      const { operation, created } = await gateway.operations.put(context.param("apiId"), name, properties);
      return { item: operation, created };
    },
    patch: (context, name, properties) => gateway.operations.patch(context.param("apiId"), name, properties),
    remove: (context, name) => gateway.operations.delete(context.param("apiId"), name),
    nameOf: (operation) => operation.name,
    view: operationProperties,
  });
}
