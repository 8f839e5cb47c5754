/** Request and response bodies of the certificate resources (CertificateContract …). */
import { z } from "zod";
import { collection, contract, envelope, resource } from "../../../admin/apim/schemas.js";

const keyVault = z.object({ secretIdentifier: z.string(), identityClientId: z.string().nullable() }).partial();

export const certificatePut = contract(
  "CertificateCreateOrUpdateParameters",
  envelope(
    z.object({
      /** Base64 of a PFX file; PEM text is a Gatehouse extension. */
      data: z.string().optional(),
      password: z.string().optional(),
      keyVault: keyVault.nullable().optional(),
    }),
  ),
);

export const certificateContract = contract(
  "CertificateContract",
  resource(z.object({ subject: z.string(), thumbprint: z.string(), expirationDate: z.string() })),
);
export type CertificateResource = z.output<typeof certificateContract>;
export const certificateCollection = collection("CertificateCollection", certificateContract);
