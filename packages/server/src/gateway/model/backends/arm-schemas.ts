/** Request and response bodies of the backend resources (BackendContract …). */
import { z } from "zod";
import { collection, contract, envelope, patchEnvelope, resource } from "../../../admin/apim/schemas.js";

const credentialValues = z.record(z.string(), z.array(z.string()));
const backendProperties = z.object({
  url: z.string().min(1).max(2000),
  protocol: z.enum(["http", "soap"]),
  title: z.string().max(300).nullable(),
  description: z.string().max(2000).nullable(),
  credentials: z
    .object({
      header: credentialValues,
      query: credentialValues,
      authorization: z.object({ scheme: z.string().min(1), parameter: z.string().min(1) }),
      certificateIds: z.array(z.string()).max(32),
      certificate: z.array(z.string()).max(32),
    })
    .partial()
    .nullable(),
  tls: z.object({ validateCertificateChain: z.boolean(), validateCertificateName: z.boolean() }).partial(),
});
export const backendPut = contract(
  "BackendCreateOrUpdateParameters",
  envelope(backendProperties.partial().required({ url: true })),
);
export const backendPatch = contract("BackendUpdateParameters", patchEnvelope(backendProperties.partial()));

export const backendContract = contract(
  "BackendContract",
  resource(
    z.object({
      url: z.string(),
      protocol: z.enum(["http", "soap"]),
      title: z.string().nullable(),
      description: z.string().nullable(),
      credentials: z
        .object({
          header: credentialValues.optional(),
          query: credentialValues.optional(),
          authorization: z.object({ scheme: z.string(), parameter: z.string() }).optional(),
          certificateIds: z.array(z.string()).optional(),
          certificate: z.array(z.string()).optional(),
        })
        .optional(),
      tls: z.object({ validateCertificateChain: z.boolean(), validateCertificateName: z.boolean() }),
    }),
  ),
);
export type BackendResource = z.output<typeof backendContract>;
export const backendCollection = collection("BackendCollection", backendContract);
