import { noContent, ok, operation, type Operation, type RequestContext } from "../../../admin/operations.js";
import {
  API_VERSION,
  armPage,
  armResource,
  etagOf,
  LIST_PARAMETERS,
  type ArmProperties,
  type ArmResource,
} from "../../../admin/apim/arm.js";
import { crudOperations } from "../../../admin/apim/crud.js";
import { armErrors } from "../../../admin/apim/errors.js";
import type { GatewayRegistry } from "../registry.js";
import { userCollection, userContract } from "../users/arm-schemas.js";
import { USER_FILTERABLE, userResources } from "../users/arm.js";
import type { User } from "../users/types.js";
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

/** A link answers the linked resource: 201 when the link is new, 200 when it was there. */
function linked(body: { properties: unknown }, created: boolean) {
  return { status: created ? 201 : 200, body, headers: { etag: etagOf(body.properties) } } as const;
}

/**
 * API Management's groups: the built-in `administrators`, `developers` and `guests` (type system) are read-only and
 * their members are the system's; custom and external groups have members added and removed here. A product is
 * visible in the developer API to the groups of its access control (`products/{p}/groups/{g}`).
 */
export function armOperations(gateway: GatewayRegistry): Operation[] {
  const userPage = async (context: RequestContext, users: readonly User[]) =>
    ok(armPage(context, await userResources(gateway, context, users), USER_FILTERABLE));
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
    operation({
      method: "GET",
      path: "/groups/{groupId}/users",
      summary: "List the members of a group (the built-in groups' implicit members too)",
      tag: TAG,
      parameters: LIST_PARAMETERS,
      response: { status: 200, description: "The group's users", schema: userCollection },
      handle: async (context) => userPage(context, await gateway.groups.members(context.param("groupId"))),
    }),
    operation({
      method: "PUT",
      path: "/groups/{groupId}/users/{userId}",
      summary: "Add a user to a custom or external group",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "The user (201 when newly added)", schema: userContract },
      handle: async (context) => {
        const { user, created } = await gateway.groups.addUser(context.param("groupId"), context.param("userId"));
        const [body] = await userResources(gateway, context, [user]);
        return linked(body as ArmResource<unknown>, created);
      },
    }),
    operation({
      method: "HEAD",
      path: "/groups/{groupId}/users/{userId}",
      summary: "Whether the user is in the group: 204, else 404",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 204, description: "The user is a member" },
      handle: async (context) => {
        const members = await gateway.groups.members(context.param("groupId"));
        const userId = context.param("userId");
        if (!members.some((user) => user.name === userId)) throw armErrors.notFound("User");
        return noContent();
      },
    }),
    operation({
      method: "DELETE",
      path: "/groups/{groupId}/users/{userId}",
      summary: "Remove a user from a custom or external group",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "Removed (204 when the user was not a member)" },
      handle: async (context) =>
        (await gateway.groups.removeUser(context.param("groupId"), context.param("userId")))
          ? { status: 200 }
          : noContent(),
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
    operation({
      method: "GET",
      path: "/products/{productId}/groups",
      summary: "List the groups a product is visible to",
      tag: TAG,
      parameters: LIST_PARAMETERS,
      response: { status: 200, description: "The product's groups", schema: groupCollection },
      handle: async (context) => {
        const product = await gateway.products.get(context.param("productId"));
        if (!product) throw armErrors.notFound("Product");
        const visible = new Set(product.groups);
        return groupPage(
          context,
          (await gateway.groups.list()).filter((group) => visible.has(group.name)),
        );
      },
    }),
    operation({
      method: "PUT",
      path: "/products/{productId}/groups/{groupId}",
      summary: "Make a product visible to a group",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "The group (201 when the link is new)", schema: groupContract },
      handle: async (context) => {
        const groupId = context.param("groupId");
        const { created } = await gateway.products.addGroup(context.param("productId"), groupId);
        const group = await gateway.groups.get(groupId);
        if (!group) throw armErrors.notFound("Group");
        return linked(groupResource(context, group), created);
      },
    }),
    operation({
      method: "HEAD",
      path: "/products/{productId}/groups/{groupId}",
      summary: "Whether the product is visible to the group: 204, else 404",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 204, description: "The product is visible to the group" },
      handle: async (context) => {
        const product = await gateway.products.get(context.param("productId"));
        if (!product?.groups.includes(context.param("groupId"))) throw armErrors.notFound("Group");
        return noContent();
      },
    }),
    operation({
      method: "DELETE",
      path: "/products/{productId}/groups/{groupId}",
      summary: "Hide a product from a group",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "Removed (204 when the product was not visible to the group)" },
      handle: async (context) =>
        (await gateway.products.removeGroup(context.param("productId"), context.param("groupId")))
          ? { status: 200 }
          : noContent(),
    }),
  ];
}
