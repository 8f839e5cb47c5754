/** Request and response bodies of the API operation resources (OperationContract …). */
import { z } from "zod";
import { collection, contract, envelope, patchEnvelope, resource } from "../../../admin/apim/schemas.js";

/** `{ "default": { "value": … } }`: mock-response answers with the first one. */
const examples = z.record(z.string(), z.object({ value: z.unknown().optional(), description: z.string().optional() }));
const representation = z.object({ contentType: z.string().min(1), examples });
const operationResponse = z.object({
  statusCode: z.number().int().min(100).max(599),
  description: z.string(),
  representations: z.array(representation.partial().required({ contentType: true })),
});
const operationProperties = z.object({
  displayName: z.string().min(1).max(300),
  method: z.string().regex(/^(?:\*|[A-Za-z]+)$/, "an HTTP method or *"),
  urlTemplate: z.string().min(1).max(1000),
  description: z.string().nullable(),
  responses: z.array(operationResponse.partial().required({ statusCode: true })),
});
export const operationPut = contract(
  "OperationCreateOrUpdateParameters",
  envelope(operationProperties.partial().required({ displayName: true, method: true, urlTemplate: true })),
);
export const operationPatch = contract("OperationUpdateContract", patchEnvelope(operationProperties.partial()));

export const operationContract = contract(
  "OperationContract",
  resource(
    z.object({
      displayName: z.string(),
      method: z.string(),
      urlTemplate: z.string(),
      /** Derived from the `{name}` parameters of the template. */
      templateParameters: z.array(
        z.object({
          name: z.string(),
          type: z.literal("string"),
          required: z.literal(true),
          values: z.array(z.string()),
        }),
      ),
      description: z.string().nullable(),
      responses: z.array(
        z.object({
          statusCode: z.number(),
          description: z.string().optional(),
          representations: z.array(z.object({ contentType: z.string(), examples: examples.optional() })),
        }),
      ),
    }),
  ),
);
export type OperationResource = z.output<typeof operationContract>;
export const operationCollection = collection("OperationCollection", operationContract);
