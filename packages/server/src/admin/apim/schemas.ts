/**
 * What the request and response bodies of the ARM routes share, with API Management's property names (reference
 * apim.md §6.2); each entity's are in its folder (gateway/model/apis/arm-schemas.ts …).
 * Requests are strict about the types of the properties they know and ignore the others, as ARM does: clients send
 * back read-only properties (`isCurrent`, `apiRevision`, `createdDate` …) they got from a GET.
 */
import { z } from "zod";
import { namedSchemas } from "../schemas.js";

/** Published under `components.schemas` with API Management's contract names. */
export const contract = <S extends z.ZodType>(name: string, schema: S): S => {
  namedSchemas.add(schema as z.ZodType, { name });
  return schema;
};

/** `{ id, type, name }` sent back by clients are ignored: the URL names the resource. */
export const envelope = <P extends z.ZodType>(properties: P) =>
  z.object({ id: z.string().optional(), type: z.string().optional(), name: z.string().optional(), properties });

/** PATCH bodies may leave `properties` out (nothing changes). */
export const patchEnvelope = <P extends z.ZodType>(properties: P) => envelope(properties.optional());

export const resource = <P extends z.ZodType>(properties: P) =>
  z.object({ id: z.string(), type: z.string(), name: z.string(), properties });

/** ARM's page: `count` is the number of matching items across all pages. */
export const collection = <S extends z.ZodType>(name: string, item: S) =>
  contract(name, z.object({ value: z.array(item), count: z.number().int(), nextLink: z.string().nullable() }));

export const armErrorResponse = contract(
  "ErrorResponse",
  z.object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ code: z.string(), target: z.string().optional(), message: z.string() })),
    }),
  }),
);
export type ArmErrorResponse = z.output<typeof armErrorResponse>;
