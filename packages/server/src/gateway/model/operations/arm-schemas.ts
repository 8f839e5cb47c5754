/** Request and response bodies of the API operation resources (OperationContract …). */
import { z } from "zod";
import { collection, contract, envelope, patchEnvelope, resource } from "../../../admin/apim/schemas.js";
import { contractSchemas } from "./contract-schemas.js";

const { templateParameters, request, response } = contractSchemas("ignore-unknown");

const operationProperties = z.object({
  displayName: z.string().min(1).max(300),
  method: z.string().regex(/^(?:\*|[A-Za-z]+)$/, "an HTTP method or *"),
  urlTemplate: z.string().min(1).max(1000),
  description: z.string().nullable(),
  templateParameters,
  request: request.nullable(),
  responses: z.array(response),
});
export const operationPut = contract(
  "OperationCreateOrUpdateParameters",
  envelope(operationProperties.partial().required({ displayName: true, method: true, urlTemplate: true })),
);
export const operationPatch = contract("OperationUpdateContract", patchEnvelope(operationProperties.partial()));

const example = z.object({ value: z.unknown().optional(), description: z.string().optional() });
const parameter = z.object({
  name: z.string(),
  type: z.string(),
  required: z.boolean(),
  description: z.string().optional(),
  defaultValue: z.string().optional(),
  values: z.array(z.string()),
});
const representation = z.object({
  contentType: z.string(),
  examples: z.record(z.string(), example).optional(),
  schemaId: z.string().optional(),
  typeName: z.string().optional(),
  formParameters: z.array(parameter).optional(),
});

export const operationContract = contract(
  "OperationContract",
  resource(
    z.object({
      displayName: z.string(),
      method: z.string(),
      urlTemplate: z.string(),
      /** One per `{name}` of the template. */
      templateParameters: z.array(parameter),
      description: z.string().nullable(),
      request: z.object({
        description: z.string().optional(),
        queryParameters: z.array(parameter),
        headers: z.array(parameter),
        representations: z.array(representation),
      }),
      responses: z.array(
        z.object({
          statusCode: z.number(),
          description: z.string().optional(),
          representations: z.array(representation),
          headers: z.array(parameter),
        }),
      ),
    }),
  ),
);
export type OperationResource = z.output<typeof operationContract>;
export const operationCollection = collection("OperationCollection", operationContract);
