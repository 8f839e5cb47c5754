/**
 * `GET …/service/{serviceName}` (and `GET /gateway`): the API Management service itself, as ARM shows it, for what
 * users need from it — its managed identity's `identity` block (`principalId`, `tenantId`, the attached
 * user-assigned identities), to grant it roles.
 */
import { z } from "zod";
import { GATEWAY_HOST } from "../gateway-identity.js";
import { identityBlock, identityBlockSchema } from "../../identity/managed-identities/arm.js";
import type { Registry } from "../../identity/registry.js";
import { ok, operation, type Operation } from "../operations.js";
import { API_VERSION, serviceId } from "./arm.js";
import { contract } from "./schemas.js";

const SERVICE_TYPE = "Microsoft.ApiManagement/service";

const serviceResource = contract(
  "ApiManagementServiceResource",
  z.object({
    id: z.string(),
    name: z.string(),
    type: z.literal(SERVICE_TYPE),
    properties: z.object({ provisioningState: z.literal("Succeeded") }),
    identity: identityBlockSchema,
  }),
);

export function serviceOperations(registry: Registry): Operation[] {
  return [
    operation({
      method: "GET",
      path: "",
      summary: "The service, with its managed identities (the identity block)",
      tag: "service",
      parameters: [API_VERSION],
      response: { status: 200, description: "The service", schema: serviceResource },
      handle: async (context) => {
        const id = serviceId(context);
        const host = await registry.managedIdentities.getHost(GATEWAY_HOST);
        const identity = host
          ? identityBlock(host, await registry.managedIdentities.list({ tenantId: host.tenantId }))
          : { type: "None" as const };
        return ok({
          id,
          name: id.slice(id.lastIndexOf("/") + 1),
          type: SERVICE_TYPE,
          properties: { provisioningState: "Succeeded" as const },
          identity,
        });
      },
    }),
  ];
}
