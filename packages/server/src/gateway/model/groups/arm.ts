import { ok, operation, type Operation, type RequestContext } from "../../../admin/operations.js";
import {
  armPage,
  armResource,
  LIST_PARAMETERS,
  type ArmProperties,
  type ArmResource,
} from "../../../admin/apim/arm.js";
import { crudOperations } from "../../../admin/apim/crud.js";
import { linkOperations } from "../../../admin/apim/links.js";
import { armErrors } from "../../../admin/apim/errors.js";
import type { GatewayRegistry } from "../registry.js";
import { userCollection, userContract } from "../users/arm-schemas.js";
import { USER_FILTERABLE, userResources } from "../users/arm.js";
import { groupCollection, groupContract, groupPatch, groupPut, type GroupResource } from "./arm-schemas.js";
import { isBuiltInGroup, type Group } from "./types.js";

const TAG = "apim: groups";
export const GROUP_FILTERABLE = ["name", "displayName", "description", "type", "externalId"] as const;

/** The group's ARM `properties`. */
export function groupProperties(group: Group): ArmProperties<GroupResource> {
  return {
    displayName: group.displayName,
    description: group.description,
    builtIn: isBuiltInGroup(group.name),
    type: group.type,
    externalId: group.externalId,
  };
}

/** A group as a resource of the service's collection, wherever it is listed (a user's groups, a product's). */
export const groupResource = (context: RequestContext, group: Group) =>
  armResource(context, "groups", `/groups/${group.name}`, groupProperties(group));

/**
 * API Management's groups: the built-in `administrators`, `developers` and `guests` (type system) are read-only and
 * their members are the system's; custom and external groups have members added and removed here. A product is
 * visible in the developer API to the groups of its access control (`products/{p}/groups/{g}`).
 */
export function armOperations(gateway: GatewayRegistry): Operation[] {
  const groupPage = (context: RequestContext, groups: readonly Group[]) =>
    ok(
      armPage(
        context,
        groups.map((group) => groupResource(context, group)),
        GROUP_FILTERABLE,
      ),
    );

  return [
    ...crudOperations({
      tag: TAG,
      noun: "group",
      collection: "/groups",
      param: "groupId",
      type: "groups",
      kind: "Group",
      schemas: { put: groupPut, patch: groupPatch, resource: groupContract, list: groupCollection },
      filterable: GROUP_FILTERABLE,
      list: () => gateway.groups.list(),
      get: (_context, name) => gateway.groups.get(name),
      put: async (_context, name, properties) => {
        const { group, created } = await gateway.groups.put(name, properties);
        return { item: group, created };
      },
      patch: (_context, name, properties) => gateway.groups.patch(name, properties),
      remove: (_context, name) => gateway.groups.delete(name),
      nameOf: (group) => group.name,
      view: groupProperties,
    }),
    ...linkOperations({
      tag: TAG,
      collection: "/groups/{groupId}/users",
      param: "userId",
      schemas: { resource: userContract, list: userCollection },
      filterable: USER_FILTERABLE,
      docs: {
        list: {
          summary: "List the members of a group (the built-in groups' implicit members too)",
          description: "The group's users",
        },
        put: { summary: "Add a user to a custom or external group", description: "The user (201 when newly added)" },
        delete: {
          summary: "Remove a user from a custom or external group",
          description: "Removed (204 when the user was not a member)",
        },
      },
      list: async (context) => userResources(gateway, context, await gateway.groups.members(context.param("groupId"))),
      add: async (context, userId) => {
        const { user, created } = await gateway.groups.addUser(context.param("groupId"), userId);
        const [body] = await userResources(gateway, context, [user]);
        return { body: body as ArmResource<unknown>, created };
      },
      head: {
        doc: { summary: "Whether the user is in the group: 204, else 404", description: "The user is a member" },
        kind: "User",
        has: async (context, userId) =>
          (await gateway.groups.members(context.param("groupId"))).some((user) => user.name === userId),
      },
      remove: (context, userId) => gateway.groups.removeUser(context.param("groupId"), userId),
    }),
    operation({
      method: "GET",
      path: "/users/{userId}/groups",
      summary: "List the groups a user is in",
      tag: TAG,
      parameters: LIST_PARAMETERS,
      response: { status: 200, description: "The user's groups", schema: groupCollection },
      handle: async (context) => groupPage(context, await gateway.groups.ofUser(context.param("userId"))),
    }),
    ...linkOperations({
      tag: TAG,
      collection: "/products/{productId}/groups",
      param: "groupId",
      schemas: { resource: groupContract, list: groupCollection },
      filterable: GROUP_FILTERABLE,
      docs: {
        list: { summary: "List the groups a product is visible to", description: "The product's groups" },
        put: { summary: "Make a product visible to a group", description: "The group (201 when the link is new)" },
        delete: {
          summary: "Hide a product from a group",
          description: "Removed (204 when the product was not visible to the group)",
        },
      },
      list: async (context) => {
        const product = await gateway.products.get(context.param("productId"));
        if (!product) throw armErrors.notFound("Product");
        const visible = new Set(product.groups);
        return (await gateway.groups.list())
          .filter((group) => visible.has(group.name))
          .map((group) => groupResource(context, group));
      },
      add: async (context, groupId) => {
        const { created } = await gateway.products.addGroup(context.param("productId"), groupId);
        const group = await gateway.groups.get(groupId);
        if (!group) throw armErrors.notFound("Group");
        return { body: groupResource(context, group), created };
      },
      head: {
        doc: {
          summary: "Whether the product is visible to the group: 204, else 404",
          description: "The product is visible to the group",
        },
        kind: "Group",
        has: async (context, groupId) =>
          (await gateway.products.get(context.param("productId")))?.groups.includes(groupId) ?? false,
      },
      remove: (context, groupId) => gateway.products.removeGroup(context.param("productId"), groupId),
    }),
  ];
}
