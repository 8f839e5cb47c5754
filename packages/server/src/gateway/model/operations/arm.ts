import type { Operation as ArmOperation } from "../../../admin/operations.js";
import type { ArmProperties } from "../../../admin/apim/arm.js";
import { optionalMember } from "../../../config/export-members.js";
import { crudOperations } from "../../../admin/apim/crud.js";
import type { GatewayRegistry } from "../registry.js";
import {
  operationCollection,
  operationContract,
  operationPatch,
  operationPut,
  type OperationResource,
} from "./arm-schemas.js";
import type { Operation, OperationRepresentation, ParameterContract } from "./types.js";

const parameterView = (parameter: ParameterContract): ParameterContract => ({
  name: parameter.name,
  type: parameter.type,
  required: parameter.required,
  ...optionalMember("description", parameter.description),
  ...optionalMember("defaultValue", parameter.defaultValue),
  values: [...parameter.values],
});

const representationView = (representation: OperationRepresentation): OperationRepresentation => ({
  contentType: representation.contentType,
  ...optionalMember("examples", representation.examples),
  ...optionalMember("schemaId", representation.schemaId),
  ...optionalMember("typeName", representation.typeName),
  ...optionalMember("formParameters", representation.formParameters?.map(parameterView)),
});

/** The operation's ARM `properties`, property by property. */
export function operationProperties(operation: Operation): ArmProperties<OperationResource> {
  const { request } = operation;
  return {
    displayName: operation.displayName,
    method: operation.method,
    urlTemplate: operation.urlTemplate,
    templateParameters: operation.templateParameters.map(parameterView),
    description: operation.description,
    request: {
      ...optionalMember("description", request.description),
      queryParameters: request.queryParameters.map(parameterView),
      headers: request.headers.map(parameterView),
      representations: request.representations.map(representationView),
    },
    responses: operation.responses.map((response) => ({
      statusCode: response.statusCode,
      ...optionalMember("description", response.description),
      representations: response.representations.map(representationView),
      headers: response.headers.map(parameterView),
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
