/**
 * Managed identities in Azure Resource Manager's shapes: `Microsoft.ManagedIdentity/userAssignedIdentities` (PUT,
 * PATCH, GET, DELETE, list by resource group and by subscription) and Gatehouse's hosts with ARM's `identity` block
 * (`/identity/hosts/{name}`). A resource's tenant is `properties.tenantId` on create, else the default tenant.
 * Each family is mounted at its own prefix, so an unknown path below it gets ARM's 404 rather than Graph's.
 */
import { z } from "zod";
import { API_VERSION, LIST_PARAMETERS, armPage } from "../../admin/apim/arm.js";
import { armDialect } from "../../admin/apim/dialect.js";
import { armErrors } from "../../admin/apim/errors.js";
import { contract } from "../../admin/apim/schemas.js";
import type { Management } from "../../admin/management.js";
import type { Mount } from "../../admin/openapi.js";
import { noContent, ok, operation, type Operation, type RequestContext } from "../../admin/operations.js";
import { resolveTenant } from "../../admin/tenant-scope.js";
import type { Registry } from "../registry.js";
import { guid } from "../../config/fields.js";
import { userAssignedResourceId, type IdentityHost, type ManagedIdentity } from "./model.js";

const TAG = "managedIdentities";
const USER_ASSIGNED_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities";
const HOST_TYPE = "Gatehouse.Identity/hosts";
const SUBSCRIPTION_PREFIX = "/subscriptions/{subscriptionId}/providers/Microsoft.ManagedIdentity";
const RESOURCE_GROUP_PREFIX =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity";
const HOSTS_PREFIX = "/identity/hosts";

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
const userAssignedPatch = contract(
  "UserAssignedIdentityUpdate",
  z.object({
    location: z.string().min(1).max(80).optional(),
    tags: z.record(z.string(), z.string()).optional(),
  }),
);
const identityType = z.enum(["None", "SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned"]);
const hostProperties = z
  .object({ tenantId: guid.optional(), resourceId: z.string().min(1).optional(), imds: z.boolean().optional() })
  .optional();
/** A host's body; `attachment` is what an entry of `userAssignedIdentities` may hold. */
const hostBody = (attachment: z.ZodType) =>
  z.object({
    properties: hostProperties,
    identity: z
      .object({ type: identityType, userAssignedIdentities: z.record(z.string(), attachment).optional() })
      .optional(),
  });
const hostPut = contract("IdentityHostCreate", hostBody(z.object({}).passthrough()));
/** ARM's `identity` block, as a host or an API Management service shows it. */
export const identityBlockSchema = z.object({
  type: identityType,
  principalId: guid.optional(),
  tenantId: guid.optional(),
  userAssignedIdentities: z.record(z.string(), z.object({ principalId: guid, clientId: guid })).optional(),
});
/** ARM's update: given properties change; in `userAssignedIdentities`, `null` detaches one and `{}` attaches one. */
const hostPatch = contract("IdentityHostUpdate", hostBody(z.object({}).passthrough().nullable()));
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

/**
 * The admin API's mounts of managed identities — subscription-wide lists, a resource group's identities, hosts — each
 * at its own prefix with ARM's not-found answer. `resourceGroupExtras`
 * are more operations under the resource-group prefix (federated credentials of user-assigned identities).
 */
export function managedIdentityMounts(
  registry: Registry,
  management: Management,
  resourceGroupExtras: Operation[] = [],
): Mount[] {
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
  const userAssignedList = (scope: "subscription" | "resourceGroup") => async (context: RequestContext) => {
    const prefix =
      scope === "subscription"
        ? `/subscriptions/${context.param("subscriptionId")}/`
        : `/subscriptions/${context.param("subscriptionId")}/resourceGroups/${context.param("resourceGroupName")}/`;
    const all = await identities.list({ kind: "UserAssigned" });
    const items = all.filter((i) => i.resourceId.toLowerCase().startsWith(prefix.toLowerCase())).map(userAssignedView);
    return ok(armPage(context, items as never, ["name"]));
  };

  /** ARM's PATCH of an identity block: the attached set changes by the entries given, and goes with UserAssigned. */
  const patchedIdentities = async (
    host: IdentityHost,
    identity: NonNullable<z.output<typeof hostPatch>["identity"]>,
  ): Promise<{ systemAssigned: boolean; userAssigned: string[] }> => {
    const changes = Object.entries(identity.userAssignedIdentities ?? {});
    const keepsUserAssigned = identity.type.endsWith("UserAssigned");
    if (!keepsUserAssigned && changes.some(([, value]) => value !== null)) {
      throw armErrors.validation(
        "identity.userAssignedIdentities can attach identities only when identity.type includes UserAssigned.",
        "identity.userAssignedIdentities",
      );
    }
    const byId = new Map((await identities.list({ tenantId: host.tenantId })).map((i) => [i.principalId, i]));
    const attached = new Map(
      host.userAssigned.flatMap((id) => {
        const found = byId.get(id);
        return found ? [[found.resourceId.toLowerCase(), found.resourceId] as const] : [];
      }),
    );
    for (const [resourceId, value] of changes) {
      if (value === null) attached.delete(resourceId.toLowerCase());
      else attached.set(resourceId.toLowerCase(), resourceId);
    }
    if (keepsUserAssigned && attached.size === 0) {
      throw armErrors.validation(
        "identity.type includes UserAssigned, but the host would have no user-assigned identity.",
        "identity.userAssignedIdentities",
      );
    }
    return {
      systemAssigned: identity.type.startsWith("SystemAssigned"),
      userAssigned: keepsUserAssigned ? [...attached.values()] : [],
    };
  };

  const mount = (prefix: string, operations: Operation[]): Mount => ({
    prefixes: [prefix],
    scoped: false,
    dialect: armDialect,
    operations,
  });

  const subscriptionOperations = [
    operation({
      method: "GET",
      path: "/userAssignedIdentities",
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
  ];
  const resourceGroupOperations = [
    operation({
      method: "GET",
      path: "/userAssignedIdentities",
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
      path: "/userAssignedIdentities/{resourceName}",
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
      path: "/userAssignedIdentities/{resourceName}",
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
      method: "PATCH",
      path: "/userAssignedIdentities/{resourceName}",
      summary: "Update a user-assigned identity's tags (replaced when given) or location",
      tag: TAG,
      parameters: [API_VERSION],
      body: userAssignedPatch,
      response: { status: 200, description: "The identity", schema: userAssignedResource },
      handle: async (context) => {
        const existing = await findUserAssigned(context);
        if (!existing) throw armErrors.notFound("User-assigned identity");
        const { identity } = await identities.putUserAssigned({
          tenantId: existing.tenantId,
          resourceId: existing.resourceId,
          location: context.body.location ?? existing.location,
          tags: context.body.tags ?? existing.tags,
        });
        return ok(userAssignedView(identity));
      },
    }),
    operation({
      method: "DELETE",
      path: "/userAssignedIdentities/{resourceName}",
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
  ];
  const hostOperations = [
    operation({
      method: "GET",
      path: "",
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
      path: "/{hostName}",
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
      path: "/{hostName}",
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
          assertSameTenant(properties.tenantId, existing);
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
      method: "PATCH",
      path: "/{hostName}",
      summary:
        "Update a host: given properties change; with identity, its type says which kinds it keeps and " +
        "userAssignedIdentities attaches ({}) or detaches (null) identities",
      tag: TAG,
      parameters: [API_VERSION],
      body: hostPatch,
      response: { status: 200, description: "The host", schema: hostResource },
      handle: async (context) => {
        const existing = await identities.getHost(context.param("hostName"));
        if (!existing) throw armErrors.notFound("Host");
        const { properties = {}, identity } = context.body;
        assertSameTenant(properties.tenantId, existing);
        const host = await identities.updateHost(existing.name, {
          ...(properties.resourceId !== undefined ? { resourceId: properties.resourceId } : {}),
          ...(properties.imds !== undefined ? { imds: properties.imds } : {}),
          ...(identity ? await patchedIdentities(existing, identity) : {}),
        });
        return ok(await hostView(host));
      },
    }),
    operation({
      method: "DELETE",
      path: "/{hostName}",
      summary: "Delete a host, its system-assigned identity and its identity-header values",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "Deleted (204 when it did not exist)" },
      handle: async (context) =>
        (await identities.deleteHost(context.param("hostName"))) ? { status: 200 } : noContent(),
    }),
    operation({
      method: "POST",
      path: "/{hostName}/addHeader",
      summary: "A further identity-header value (shown once); the earlier ones keep working",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "The new value", schema: headerAnswer },
      handle: async (context) => ok({ identityHeader: await identities.addHeader(context.param("hostName")) }),
    }),
    operation({
      method: "POST",
      path: "/{hostName}/rotateHeader",
      summary: "Revoke every identity-header value of the host and return its new one (shown once)",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "The new value", schema: headerAnswer },
      handle: async (context) => ok({ identityHeader: await identities.rotateHeaders(context.param("hostName")) }),
    }),
  ];
  return [
    mount(SUBSCRIPTION_PREFIX, subscriptionOperations),
    mount(RESOURCE_GROUP_PREFIX, [...resourceGroupOperations, ...resourceGroupExtras]),
    mount(HOSTS_PREFIX, hostOperations),
  ];
}

function assertSameTenant(tenantId: string | undefined, host: IdentityHost): void {
  if (tenantId && tenantId.toLowerCase() !== host.tenantId) {
    throw armErrors.validation("The tenant of a host cannot change.", "tenantId");
  }
}
