import type { Operation } from "../../../admin/operations.js";
import type { ArmProperties } from "../../../admin/apim/arm.js";
import { crudOperations } from "../../../admin/apim/crud.js";
import { armErrors } from "../../../admin/apim/errors.js";
import type { GatewayRegistry } from "../registry.js";
import { certificateCollection, certificateContract, certificatePut, type CertificateResource } from "./arm-schemas.js";
import type { Certificate } from "./types.js";

/** What API Management shows of a certificate: never its data or password. */
export function certificateProperties(certificate: Certificate): ArmProperties<CertificateResource> {
  return {
    subject: certificate.subject,
    thumbprint: certificate.thumbprint,
    expirationDate: certificate.expirationDate,
  };
}

/** APIM's certificates (authentication-certificate, backends' certificateIds, validate-jwt's key certificate-id). */
export function armOperations(gateway: GatewayRegistry): Operation[] {
  return crudOperations({
    tag: "apim: certificates",
    noun: "certificate",
    collection: "/certificates",
    param: "certificateId",
    type: "certificates",
    kind: "Certificate",
    // API Management has no PATCH for certificates: a new file replaces the old.
    schemas: { put: certificatePut, resource: certificateContract, list: certificateCollection },
    filterable: ["name", "subject", "thumbprint"],
    list: () => gateway.certificates.list(),
    get: (_context, name) => gateway.certificates.get(name),
    put: async (_context, name, { data, password, keyVault }) => {
      if (keyVault?.secretIdentifier) {
        throw armErrors.validation(
          "Property 'keyVault' is not supported: Gatehouse has no Key Vault; upload the certificate as 'data' (base64 PFX) with its 'password'.",
          "keyVault",
        );
      }
      if (data === undefined) throw armErrors.validation("data is required.", "data");
      const { certificate, created } = await gateway.certificates.put(name, {
        data,
        ...(password !== undefined ? { password } : {}),
      });
      return { item: certificate, created };
    },
    remove: (_context, name) => gateway.certificates.delete(name),
    nameOf: (certificate) => certificate.name,
    view: certificateProperties,
  });
}
