/** Request and response bodies of the named value resources (NamedValueContract …). */
import { z } from "zod";
import { collection, contract, envelope, patchEnvelope, resource } from "../../../admin/apim/schemas.js";

const namedValueProperties = z.object({
  displayName: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[A-Za-z0-9-._]+$/, "letters, digits, '-', '.' and '_' only"),
  value: z.string().max(4096),
  secret: z.boolean(),
  tags: z.array(z.string().min(1)),
  /** Accepted only to be refused with a clear message (arm.ts): Gatehouse has no Key Vault. */
  keyVault: z.object({ secretIdentifier: z.string(), identityClientId: z.string().nullable() }).partial().nullable(),
});
export const namedValuePut = contract("NamedValueCreateContract", envelope(namedValueProperties.partial()));
export const namedValuePatch = contract("NamedValueUpdateParameters", patchEnvelope(namedValueProperties.partial()));

export const namedValueContract = contract(
  "NamedValueContract",
  resource(
    z.object({
      displayName: z.string(),
      /** Absent for secret values: use listValue. */
      value: z.string().optional(),
      secret: z.boolean(),
      tags: z.array(z.string()),
    }),
  ),
);
export type NamedValueResource = z.output<typeof namedValueContract>;
export const namedValueCollection = collection("NamedValueCollection", namedValueContract);

export const namedValueSecret = contract("NamedValueSecretContract", z.object({ value: z.string() }));
