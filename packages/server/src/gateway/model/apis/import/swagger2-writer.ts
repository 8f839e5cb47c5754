/**
 * An API as a Swagger 2.0 document: the service (or given server) URL as `schemes`, `host` and `basePath`, request
 * representations as `consumes` with one `body` parameter (or `formData` ones), responses' representations as
 * `produces` with one example per media type, the API's schemas as `definitions`.
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
import type { OperationExamples, ParameterContract } from "../../operations/types.js";
import type { JsonObject } from "./json-value.js";

export function swagger2Document(
  api: ExportableApi,
  operations: readonly ExportableOperation[],
  options: ExportOptions,
): JsonObject {
  const { schemas, keys, server, info } = documentBasics(api, options, "swagger");
  const url = server === undefined ? undefined : new URL(server);
  return {
    swagger: "2.0",
    info,
    ...(url ? { host: url.host, basePath: url.pathname, schemes: [url.protocol.slice(0, -1)] } : {}),
    ...(keys ? { securityDefinitions: keys.schemes, security: keys.security } : {}),
    ...pathSections(operations, (placed) => operationObject(placed, schemas)),
    ...(Object.keys(schemas).length > 0 ? { definitions: schemas } : {}),
  };
}

function operationObject({ operation, parameters }: PlacedOperation, schemas: SchemaMap): JsonObject {
  const request = operation.request?.representations ?? [];
  const consumes = request.map((r) => r.contentType);
  const produces = [
    ...new Set(operation.responses.flatMap((r) => (r.representations ?? []).map((x) => x.contentType))),
  ];
  const form = request.find((r) => r.formParameters !== undefined)?.formParameters;
  const body = schemaReference("swagger", schemas, request.find((r) => r.typeName !== undefined)?.typeName);
  return {
    ...operationNames(operation),
    ...(consumes.length > 0 ? { consumes } : {}),
    ...(produces.length > 0 ? { produces } : {}),
    parameters: [
      ...locatedParameters(parameters, parameterObject),
      ...(form ?? []).map((p) => parameterObject(p, "formData")),
      ...(form === undefined && request.length > 0
        ? [
            {
              name: "body",
              in: "body",
              required: true,
              ...(operation.request?.description ? { description: operation.request.description } : {}),
              ...(body ? { schema: body } : {}),
            },
          ]
        : []),
    ],
    responses: record(
      operation.responses.map((response) => {
        const representations = response.representations ?? [];
        const schema = schemaReference("swagger", schemas, representations.find((r) => r.typeName)?.typeName);
        const examples = representations.flatMap((r) => {
          const value = firstValue(r.examples);
          return value === undefined ? [] : [[r.contentType, value] as const];
        });
        return [
          String(response.statusCode),
          {
            description: response.description ?? "",
            ...(schema ? { schema } : {}),
            ...(examples.length > 0 ? { examples: record(examples) } : {}),
            ...(response.headers?.length
              ? {
                  headers: record(
                    response.headers.map((h) => [
                      h.name,
                      { ...(h.description ? { description: h.description } : {}), ...typeFields(h) },
                    ]),
                  ),
                }
              : {}),
          },
        ];
      }),
    ),
  };
}

function parameterObject(parameter: ParameterContract, location: string): JsonObject {
  return {
    name: parameter.name,
    in: location,
    required: parameter.required,
    ...(parameter.description ? { description: parameter.description } : {}),
    ...typeFields(parameter),
  };
}

/** Swagger holds one example per media type: the first with a value. */
function firstValue(examples: OperationExamples | undefined): unknown {
  return Object.values(examples ?? {}).find((e) => e.value !== undefined)?.value;
}
