/**
 * An API as an OpenAPI 3.0.1 document, as API Management exports one: operation names as `operationId`, display
 * names as `summary`, template and request parameters, request bodies and responses with their examples and schema
 * references, the API's schemas as `components.schemas`, and the subscription key as security schemes.
 */
import type { ExportableApi, ExportableOperation, ExportOptions } from "./exportable-api.js";
import {
  documentBasics,
  locatedParameters,
  operationNames,
  pathSections,
  record,
  schemaReference,
  typeFields,
  type PlacedOperation,
} from "./export-parts.js";
import type { SchemaMap } from "./imported-api.js";
import type { OperationRepresentation, ParameterContract } from "../../operations/types.js";
import type { JsonObject } from "./json-value.js";
import { isFormContentType } from "./parameter-contract.js";

export function openApi3Document(
  api: ExportableApi,
  operations: readonly ExportableOperation[],
  options: ExportOptions,
): JsonObject {
  const { schemas, keys, server, info } = documentBasics(api, options, "openapi");
  const components = {
    ...(Object.keys(schemas).length > 0 ? { schemas } : {}),
    ...(keys ? { securitySchemes: keys.schemes } : {}),
  };
  return {
    openapi: "3.0.1",
    info,
    ...(server ? { servers: [{ url: server }] } : {}),
    ...pathSections(operations, (placed) => operationObject(placed, schemas)),
    ...(Object.keys(components).length > 0 ? { components } : {}),
    ...(keys ? { security: keys.security } : {}),
  };
}

function operationObject({ operation, parameters }: PlacedOperation, schemas: SchemaMap): JsonObject {
  const representations = operation.request?.representations ?? [];
  return {
    ...operationNames(operation),
    parameters: locatedParameters(parameters, parameterObject),
    ...(representations.length > 0
      ? {
          requestBody: {
            ...(operation.request?.description ? { description: operation.request.description } : {}),
            content: content(representations, schemas),
          },
        }
      : {}),
    responses: record(
      operation.responses.map((response) => [
        String(response.statusCode),
        {
          description: response.description ?? "",
          ...(response.headers?.length
            ? { headers: record(response.headers.map((h) => [h.name, headerObject(h)])) }
            : {}),
          ...(response.representations?.length ? { content: content(response.representations, schemas) } : {}),
        },
      ]),
    ),
  };
}

function parameterObject(parameter: ParameterContract, location: string): JsonObject {
  return {
    name: parameter.name,
    in: location,
    required: parameter.required,
    ...(parameter.description ? { description: parameter.description } : {}),
    schema: typeFields(parameter),
  };
}

function headerObject(header: ParameterContract): JsonObject {
  return {
    ...(header.description ? { description: header.description } : {}),
    ...(header.required ? { required: true } : {}),
    schema: typeFields(header),
  };
}

function content(representations: readonly OperationRepresentation[], schemas: SchemaMap): JsonObject {
  return record(
    representations.map((representation) => {
      const schema =
        schemaReference("openapi", schemas, representation.typeName) ??
        (representation.formParameters && isFormContentType(representation.contentType)
          ? formSchema(representation.formParameters)
          : undefined);
      const examples = representation.examples;
      return [
        representation.contentType,
        {
          ...(schema ? { schema } : {}),
          ...(examples && Object.keys(examples).length > 0 ? { examples } : {}),
        },
      ];
    }),
  );
}

/** A form's fields as the object schema OpenAPI 3 describes form bodies with. */
function formSchema(fields: readonly ParameterContract[]): JsonObject {
  const required = fields.filter((f) => f.required).map((f) => f.name);
  return {
    type: "object",
    properties: record(
      fields.map((f) => [f.name, { ...typeFields(f), ...(f.description ? { description: f.description } : {}) }]),
    ),
    ...(required.length > 0 ? { required } : {}),
  };
}
