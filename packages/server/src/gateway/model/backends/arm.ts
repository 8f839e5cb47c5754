import type { Operation } from "../../../admin/operations.js";
import type { ArmProperties } from "../../../admin/apim/arm.js";
import { crudOperations } from "../../../admin/apim/crud.js";
import type { GatewayRegistry } from "../registry.js";
import { backendCollection, backendContract, backendPatch, backendPut, type BackendResource } from "./arm-schemas.js";
import type { Backend } from "./types.js";

/** The backend's ARM `properties`, property by property: its credentials, but never a sealed column. */
export function backendProperties(backend: Backend): ArmProperties<BackendResource> {
  const credentials = backend.credentials;
  return {
    url: backend.url,
    protocol: backend.protocol,
    title: backend.title,
    description: backend.description,
    ...(credentials
      ? {
          credentials: {
            ...(credentials.header ? { header: credentials.header } : {}),
            ...(credentials.query ? { query: credentials.query } : {}),
            ...(credentials.authorization
              ? {
                  authorization: {
                    scheme: credentials.authorization.scheme,
                    parameter: credentials.authorization.parameter,
                  },
                }
              : {}),
            ...(credentials.certificateIds ? { certificateIds: [...credentials.certificateIds] } : {}),
            ...(credentials.certificate ? { certificate: [...credentials.certificate] } : {}),
          },
        }
      : {}),
    tls: {
      validateCertificateChain: backend.tls.validateCertificateChain,
      validateCertificateName: backend.tls.validateCertificateName,
    },
  };
}

/** APIM's backends (set-backend-service backend-id). */
export function armOperations(gateway: GatewayRegistry): Operation[] {
  return crudOperations({
    tag: "apim: backends",
    noun: "backend",
    collection: "/backends",
    param: "backendId",
    type: "backends",
    kind: "Backend",
    schemas: { put: backendPut, patch: backendPatch, resource: backendContract, list: backendCollection },
    filterable: ["name", "title", "url", "description"],
    list: () => gateway.backends.list(),
    get: (_context, name) => gateway.backends.get(name),
    put: async (_context, name, properties) => {
      const { backend, created } = await gateway.backends.put(name, properties);
      return { item: backend, created };
    },
    patch: (_context, name, properties) => gateway.backends.patch(name, properties),
    remove: (_context, name) => gateway.backends.delete(name),
    nameOf: (backend) => backend.name,
    view: backendProperties,
  });
}
