import type { GatewayRegistry } from "../../../gateway/registry.js";
import type { Operation } from "../../operations.js";
import { crudOperations } from "../crud.js";
import { backendCollection, backendContract, backendPatch, backendPut } from "../schemas.js";
import { backendProperties } from "../views.js";

/** APIM's backends (set-backend-service backend-id). */
export function backendOperations(gateway: GatewayRegistry): Operation[] {
  return crudOperations({
    tag: "apim: backends",
    noun: "backend",
    collection: "/backends",
    param: "backendId",
    type: "backends",
    kind: "Backend",
    schemas: { put: backendPut, patch: backendPatch, resource: backendContract, list: backendCollection },
    filterable: ["name", "title", "url", "description"],
    list: () => gateway.listBackends(),
    get: (_context, name) => gateway.getBackend(name),
    put: async (_context, name, properties) => {
      const { backend, created } = await gateway.putBackend(name, properties);
      return { item: backend, created };
    },
    patch: (_context, name, properties) => gateway.patchBackend(name, properties),
    remove: (_context, name) => gateway.deleteBackend(name),
    nameOf: (backend) => backend.name,
    view: backendProperties,
  });
}
