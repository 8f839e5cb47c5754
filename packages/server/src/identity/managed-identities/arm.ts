/**
 * Managed identities in Azure Resource Manager's shapes: `Microsoft.ManagedIdentity/userAssignedIdentities` (PUT, GET,
 * DELETE, list by resource group and by subscription) and Gatehouse's hosts with ARM's `identity` block
 * (`/identity/hosts/{name}`). A resource's tenant is `properties.tenantId` on create, else the default tenant.
 */
import { z } from "zod";
import { API_VERSION, LIST_PARAMETERS, armPage } from "../../admin/apim/arm.js";
import { armErrors } from "../../admin/apim/errors.js";
import { contract } from "../../admin/apim/schemas.js";
import type { Management } from "../../admin/management.js";
import { noContent, ok, operation, type Operation, type RequestContext } from "../../admin/operations.js";
import { resolveTenant } from "../../admin/tenant-scope.js";
import type { Registry } from "../registry.js";
import { userAssignedResourceId, type IdentityHost, type ManagedIdentity } from "./model.js";

const TAG = "managedIdentities";
const USER_ASSIGNED_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities";
const HOST_TYPE = "Gatehouse.Identity/hosts";
const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID");

const userAssignedPut = contract(
  "UserAssignedIdentityCreate",
  z.object({
    location: z.string().min(1).max(80).optional(),
    tags: z.record(z.string(), z.string()).optional(),
    properties: z.object({ tenantId: guid.optional() }).optional(),
  }),
);
const userAssignedResource = contract(
  "UserAssignedIdentity",
  z.object({
    id: z.string(),
    name: z.string(),
    type: z.literal(USER_ASSIGNED_TYPE),
    location: z.string(),
    tags: z.record(z.string(), z.string()),
    properties: z.object({ tenantId: guid, principalId: guid, clientId: guid }),
  }),
);
const identityType = z.enum(["None", "SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned"]);
const hostPut = contract(
  "IdentityHostCreate",
  z.object({
    properties: z
      .object({ tenantId: guid.optional(), resourceId: z.string().min(1).optional(), imds: z.boolean().optional() })
      .optional(),
    identity: z
      .object({
        type: identityType,
        userAssignedIdentities: z.record(z.string(), z.object({}).passthrough()).optional(),
      })
      .optional(),
  }),
);
/** ARM's `identity` block, as a host or an API Management service shows it. */
export const identityBlockSchema = z.object({
  type: identityType,
  principalId: guid.optional(),
  tenantId: guid.optional(),
  userAssignedIdentities: z.record(z.string(), z.object({ principalId: guid, clientId: guid })).optional(),
});
const hostResource = contract(
  "IdentityHost",
  z.object({
    id: z.string(),
    name: z.string(),
    type: z.literal(HOST_TYPE),
    properties: z.object({
      tenantId: guid,
      resourceId: z.string(),
      imds: z.boolean(),
      /** Only in the answer that created the host: the first value of its X-IDENTITY-HEADER. */
      identityHeader: z.string().optional(),
    }),
    identity: identityBlockSchema,
  }),
);
const headerAnswer = contract("IdentityHeader", z.object({ identityHeader: z.string() }));
const list = (name: string, item: z.ZodType) =>
  contract(name, z.object({ value: z.array(item), count: z.number().int(), nextLink: z.string().nullable() }));

export function userAssignedView(identity: ManagedIdentity) {
  return {
    id: identity.resourceId,
    name: identity.name,
    type: USER_ASSIGNED_TYPE,
    location: identity.location,
    tags: { ...identity.tags },
    properties: { tenantId: identity.tenantId, principalId: identity.principalId, clientId: identity.clientId },
  } as const;
}

/** ARM's `identity` block of a resource that holds managed identities. */
export function identityBlock(host: IdentityHost, identities: readonly ManagedIdentity[]) {
  const byId = new Map(identities.map((i) => [i.principalId, i]));
  const attached = host.userAssigned.flatMap((id) => byId.get(id) ?? []);
  const system = host.systemAssigned === null ? undefined : byId.get(host.systemAssigned);
  const kinds = [...(system ? ["SystemAssigned"] : []), ...(attached.length > 0 ? ["UserAssigned"] : [])];
  return {
    type: (kinds.join(", ") || "None") as z.output<typeof identityType>,
    ...(system ? { principalId: system.principalId, tenantId: system.tenantId } : {}),
    ...(attached.length > 0
      ? {
          userAssignedIdentities: Object.fromEntries(
            attached.map((i) => [i.resourceId, { principalId: i.principalId, clientId: i.clientId }]),
          ),
        }
      : {}),
  };
}

export function managedIdentityOperations(registry: Registry, management: Management): Operation[] {
  const identities = registry.managedIdentities;
  const tenantOf = async (tenantId: string | undefined) => (await resolveTenant(registry, management, tenantId)).id;
  const resourceIdOf = (context: RequestContext) =>
    userAssignedResourceId(
      context.param("subscriptionId"),
      context.param("resourceGroupName"),
      context.param("resourceName"),
    );
  const findUserAssigned = async (context: RequestContext) => {
    const identity = await identities.find(resourceIdOf(context));
    return identity?.kind === "UserAssigned" ? identity : undefined;
  };
  const hostView = async (host: IdentityHost, header?: string) => ({
    id: host.resourceId,
    name: host.name,
    type: HOST_TYPE,
    properties: {
      tenantId: host.tenantId,
      resourceId: host.resourceId,
      imds: host.imds,
      ...(header !== undefined ? { identityHeader: header } : {}),
    },
    identity: identityBlock(host, await identities.list({ tenantId: host.tenantId })),
  });
  const userAssignedItem =
    "/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities";
  const userAssignedList = (scope: "subscription" | "resourceGroup") => async (context: RequestContext) => {
    const prefix =
      scope === "subscription"
        ? `/subscriptions/${context.param("subscriptionId")}/`
        : `/subscriptions/${context.param("subscriptionId")}/resourceGroups/${context.param("resourceGroupName")}/`;
    const all = await identities.list({ kind: "UserAssigned" });
    const items = all.filter((i) => i.resourceId.toLowerCase().startsWith(prefix.toLowerCase())).map(userAssignedView);
    return ok(armPage(context, items as never, ["name"]));
  };

  return [
    operation({
      method: "GET",
      path: "/subscriptions/{subscriptionId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities",
      summary: "List the user-assigned identities of a subscription",
      tag: TAG,
      parameters: LIST_PARAMETERS,
      response: {
        status: 200,
        description: "The identities",
        schema: list("UserAssignedIdentityList", userAssignedResource),
      },
      handle: userAssignedList("subscription"),
    }),
    operation({
      method: "GET",
      path: `/subscriptions/{subscriptionId}${userAssignedItem}`,
      summary: "List the user-assigned identities of a resource group",
      tag: TAG,
      parameters: LIST_PARAMETERS,
      response: {
        status: 200,
        description: "The identities",
        schema: list("UserAssignedIdentityList", userAssignedResource),
      },
      handle: userAssignedList("resourceGroup"),
    }),
    operation({
      method: "GET",
      path: `/subscriptions/{subscriptionId}${userAssignedItem}/{resourceName}`,
      summary: "Read a user-assigned identity",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "The identity", schema: userAssignedResource },
      handle: async (context) => {
        const identity = await findUserAssigned(context);
        if (!identity) throw armErrors.notFound("User-assigned identity");
        return ok(userAssignedView(identity));
      },
    }),
    operation({
      method: "PUT",
      path: `/subscriptions/{subscriptionId}${userAssignedItem}/{resourceName}`,
      summary: "Create or replace a user-assigned identity (properties.tenantId chooses its tenant on create)",
      tag: TAG,
      parameters: [API_VERSION],
      body: userAssignedPut,
      response: { status: 200, description: "Replaced (201 when created)", schema: userAssignedResource },
      handle: async (context) => {
        const existing = await findUserAssigned(context);
        const tenantId = existing?.tenantId ?? (await tenantOf(context.body.properties?.tenantId));
        if (
          existing &&
          context.body.properties?.tenantId &&
          context.body.properties.tenantId.toLowerCase() !== tenantId
        ) {
          throw armErrors.validation("The tenant of an identity cannot change.", "tenantId");
        }
        const { identity, created } = await identities.putUserAssigned({
          tenantId,
          resourceId: resourceIdOf(context),
          ...(context.body.location !== undefined ? { location: context.body.location } : {}),
          tags: context.body.tags ?? {},
        });
        return { status: created ? 201 : 200, body: userAssignedView(identity) };
      },
    }),
    operation({
      method: "DELETE",
      path: `/subscriptions/{subscriptionId}${userAssignedItem}/{resourceName}`,
      summary: "Delete a user-assigned identity, its role assignments and attachments",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "Deleted (204 when it did not exist)" },
      handle: async (context) => {
        const identity = await findUserAssigned(context);
        if (!identity) return noContent();
        await identities.deleteUserAssigned(identity.resourceId);
        return { status: 200 };
      },
    }),
    operation({
      method: "GET",
      path: "/identity/hosts",
      summary: "List the hosts (compute resources that get managed-identity tokens)",
      tag: TAG,
      parameters: LIST_PARAMETERS,
      response: { status: 200, description: "The hosts", schema: list("IdentityHostList", hostResource) },
      handle: async (context) => {
        const hosts = await Promise.all((await identities.listHosts()).map((host) => hostView(host)));
        return ok(armPage(context, hosts as never, ["name"]));
      },
    }),
    operation({
      method: "GET",
      path: "/identity/hosts/{hostName}",
      summary: "Read a host and its identity block",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "The host", schema: hostResource },
      handle: async (context) => {
        const host = await identities.getHost(context.param("hostName"));
        if (!host) throw armErrors.notFound("Host");
        return ok(await hostView(host));
      },
    }),
    operation({
      method: "PUT",
      path: "/identity/hosts/{hostName}",
      summary: "Create or replace a host; the answer that creates it carries its first identity-header value, once",
      tag: TAG,
      parameters: [API_VERSION],
      body: hostPut,
      response: { status: 200, description: "Replaced (201 when created)", schema: hostResource },
      handle: async (context) => {
        const name = context.param("hostName");
        const { properties = {}, identity = { type: "None" as const } } = context.body;
        const systemAssigned = identity.type.startsWith("SystemAssigned");
        const userAssigned = Object.keys(identity.userAssignedIdentities ?? {});
        if (userAssigned.length > 0 !== identity.type.endsWith("UserAssigned")) {
          throw armErrors.validation(
            "identity.userAssignedIdentities must be given exactly when identity.type includes UserAssigned.",
            "identity.userAssignedIdentities",
          );
        }
        const existing = await identities.getHost(name);
        if (existing) {
          if (properties.tenantId && properties.tenantId.toLowerCase() !== existing.tenantId) {
            throw armErrors.validation("The tenant of a host cannot change.", "tenantId");
          }
          const host = await identities.updateHost(existing.name, {
            ...(properties.resourceId !== undefined ? { resourceId: properties.resourceId } : {}),
            imds: properties.imds ?? false,
            systemAssigned,
            userAssigned,
          });
          return ok(await hostView(host));
        }
        const { host, header } = await identities.createHost({
          name,
          tenantId: await tenantOf(properties.tenantId),
          ...(properties.resourceId !== undefined ? { resourceId: properties.resourceId } : {}),
          imds: properties.imds ?? false,
          systemAssigned,
          userAssigned,
        });
        return { status: 201, body: await hostView(host, header) };
      },
    }),
    operation({
      method: "DELETE",
      path: "/identity/hosts/{hostName}",
      summary: "Delete a host, its system-assigned identity and its identity-header values",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "Deleted (204 when it did not exist)" },
      handle: async (context) =>
        (await identities.deleteHost(context.param("hostName"))) ? { status: 200 } : noContent(),
    }),
    operation({
      method: "POST",
      path: "/identity/hosts/{hostName}/addHeader",
      summary: "A further identity-header value (shown once); the earlier ones keep working",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "The new value", schema: headerAnswer },
      handle: async (context) => ok({ identityHeader: await identities.addHeader(context.param("hostName")) }),
    }),
    operation({
      method: "POST",
      path: "/identity/hosts/{hostName}/rotateHeader",
      summary: "Revoke every identity-header value of the host and return its new one (shown once)",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "The new value", schema: headerAnswer },
      handle: async (context) => ok({ identityHeader: await identities.rotateHeaders(context.param("hostName")) }),
    }),
  ];
}
