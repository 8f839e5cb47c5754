/**
 * The schemas of an operation's contract (reference apim.md §6.2: ParameterContract, RepresentationContract,
 * RequestContract, ResponseContract), once for both readers: ARM bodies ignore members they do not know, as ARM does
 * (clients send back what they read), while a configuration file refuses them, as it does everywhere.
 */
import { z } from "zod";

export function contractSchemas(members: "ignore-unknown" | "refuse-unknown") {
  const object = <T extends z.core.$ZodLooseShape>(shape: T) =>
    members === "refuse-unknown" ? z.strictObject(shape) : z.object(shape);
  const example = object({ value: z.unknown().optional(), description: z.string().optional() });
  const parameter = object({
    name: z.string().min(1),
    type: z.string().min(1),
    required: z.boolean().optional(),
    description: z.string().optional(),
    defaultValue: z.string().optional(),
    values: z.array(z.string()).optional(),
  });
  const parameters = z.array(parameter).optional();
  const representation = object({
    contentType: z.string().min(1),
    /** `{ "default": { "value": … } }`: mock-response answers with the first one that has a value. */
    examples: z.record(z.string(), example).optional(),
    schemaId: z.string().min(1).optional(),
    typeName: z.string().min(1).optional(),
    formParameters: parameters,
  });
  const representations = z.array(representation).optional();
  return {
    templateParameters: parameters,
    request: object({
      description: z.string().optional(),
      queryParameters: parameters,
      headers: parameters,
      representations,
    }),
    response: object({
      statusCode: z.number().int(),
      description: z.string().optional(),
      representations,
      headers: parameters,
    }),
  };
}
