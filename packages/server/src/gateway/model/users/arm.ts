import { noContent, ok, operation, type Operation, type RequestContext } from "../../../admin/operations.js";
import { API_VERSION, armResource, type ArmProperties } from "../../../admin/apim/arm.js";
import { crudOperations } from "../../../admin/apim/crud.js";
import { armErrors } from "../../../admin/apim/errors.js";
import { namedSchemas } from "../../../admin/schemas.js";
import type { ArmServices } from "../../../admin/apim/services.js";
import type { TicketLink } from "../../../developer/password-setup.js";
import type { GatewayRegistry } from "../registry.js";
import { z } from "zod";
import {
  userCollection,
  userContract,
  userIdentityCollection,
  userPatch,
  userPut,
  userTokenParameters,
  userTokenResult,
  type UserBody,
  type UserResource,
} from "./arm-schemas.js";
import { groupProperties } from "../groups/arm.js";
import type { Group } from "../groups/types.js";
import type { User, UserInput } from "./types.js";

const TAG = "apim: users";

/** The response header that carries the invitation link of a user created with `confirmation: invite`. */
export const INVITATION_LINK_HEADER = "gatehouse-invitation-link";

const ticketLink = z.object({ value: z.string(), expiresAt: z.string() });
namedSchemas.add(ticketLink, { name: "GatehouseTicketLink" });

export const USER_FILTERABLE = ["name", "email", "firstName", "lastName", "state", "note"] as const;

/** A user with the groups they are in, as the resource shows them. */
export interface UserView extends User {
  groupDetails: readonly Group[];
}

/** The users with their groups' properties (the groups read once). */
async function viewsOf(gateway: GatewayRegistry, users: readonly User[]): Promise<UserView[]> {
  const groups = new Map((await gateway.groups.list()).map((group) => [group.name, group]));
  return users.map((user) => ({ ...user, groupDetails: user.groups.flatMap((name) => groups.get(name) ?? []) }));
}

/** Users as resources of the service's collection, wherever they are listed (a group's members). */
export async function userResources(gateway: GatewayRegistry, context: RequestContext, users: readonly User[]) {
  return (await viewsOf(gateway, users)).map((user) =>
    armResource(context, "users", `/users/${user.name}`, userProperties(user)),
  );
}

/** The user's ARM `properties`, never the password. */
export function userProperties(user: UserView): ArmProperties<UserResource> {
  return {
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    state: user.state,
    note: user.note,
    registrationDate: user.registrationDate,
    identities: user.identities.map((identity) => ({ ...identity })),
    groups: user.groupDetails.map(groupProperties),
  };
}

/** A boolean query option (`notify`, `deleteSubscriptions`): `true`, `false` or absent. */
function flagOption(context: RequestContext, name: string): boolean | undefined {
  const value = context.query[name];
  if (value === undefined) return undefined;
  if (value !== "true" && value !== "false") {
    throw armErrors.validation(`Query option '${name}' must be true or false.`, name);
  }
  return value === "true";
}

/** Gatehouse sends no account notices of its own (only invitation and reset links), so `notify=true` is refused. */
function refuseNotify(context: RequestContext): void {
  if (flagOption(context, "notify")) {
    throw armErrors.validation(
      "notify=true is not supported: Gatehouse delivers only invitations (confirmation: invite) and password-reset links.",
      "notify",
    );
  }
}

/** The password, hashed before the write (the KDF never holds a transaction open). */
async function changesOf(
  gateway: GatewayRegistry,
  { password, confirmation: _c, appType: _a, ...rest }: Partial<UserBody>,
): Promise<Partial<UserInput>> {
  return password === undefined ? rest : { ...rest, passwordHash: await gateway.passwords.hash(password) };
}

/**
 * API Management's users. `confirmation: invite` creates the user pending and issues an invitation: its link goes to
 * the notifier and back to the caller in the `Gatehouse-Invitation-Link` header; `generateInvitationUrl` and
 * `generatePasswordResetUrl` issue new links later (each replaces the user's earlier link of its kind).
 */
export function armOperations(gateway: GatewayRegistry, services: ArmServices): Operation[] {
  const { passwordSetup, sessions } = services;
  const linkAction = (action: string, summary: string, issue: (userId: string) => Promise<TicketLink>) =>
    operation({
      method: "POST",
      path: `/users/{userId}/${action}`,
      summary,
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "The link, valid once", schema: ticketLink },
      handle: async (context) => {
        const { link, expiresAt } = await issue(context.param("userId"));
        return ok({ value: link, expiresAt: expiresAt.toISOString() }, { "cache-control": "no-store" });
      },
    });

  return [
    ...crudOperations({
      tag: TAG,
      noun: "user",
      collection: "/users",
      param: "userId",
      type: "users",
      kind: "User",
      schemas: { put: userPut, patch: userPatch, resource: userContract, list: userCollection },
      filterable: USER_FILTERABLE,
      list: async () => viewsOf(gateway, await gateway.users.list()),
      get: async (_context, name) => {
        const user = await gateway.users.get(name);
        return user && (await viewsOf(gateway, [user]))[0];
      },
      put: async (context, name, body) => {
        const invite = body.confirmation === "invite";
        if (!invite) refuseNotify(context);
        if (invite && body.state !== undefined && body.state !== "pending") {
          throw armErrors.validation("An invited user is pending until the invitation is accepted.", "state");
        }
        const changes = await changesOf(gateway, body);
        const { user, created } = await gateway.users.put(name, {
          ...changes,
          email: body.email,
          firstName: body.firstName,
          lastName: body.lastName,
          ...(invite ? { state: "pending" } : {}),
        });
        const [item] = await viewsOf(gateway, [user]);
        if (!item) throw armErrors.notFound("User");
        if (!invite) return { item, created };
        const { link } = await passwordSetup.invite(name);
        return { item, created, headers: { [INVITATION_LINK_HEADER]: link, "cache-control": "no-store" } };
      },
      patch: async (_context, name, body) => {
        const [item] = await viewsOf(gateway, [await gateway.users.patch(name, await changesOf(gateway, body))]);
        if (!item) throw armErrors.notFound("User");
        return item;
      },
      remove: (context, name) => {
        refuseNotify(context);
        return gateway.users.delete(name, { deleteSubscriptions: flagOption(context, "deleteSubscriptions") });
      },
      nameOf: (user) => user.name,
      view: userProperties,
    }),
    linkAction("generateInvitationUrl", "A new invitation link for the user", (id) => passwordSetup.invite(id)),
    operation({
      method: "POST",
      path: "/users/{userId}/confirmations/password/send",
      summary: "Send the user a password-reset link (through the notifier only)",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 204, description: "Sent" },
      handle: async (context) => {
        await passwordSetup.resetByAdministrator(context.param("userId"));
        return noContent();
      },
    }),
    operation({
      method: "POST",
      path: "/users/{userId}/token",
      summary: "A developer API token (SharedAccessSignature) for the user, valid until the expiry (at most 8 hours)",
      tag: TAG,
      parameters: [API_VERSION],
      body: userTokenParameters,
      response: { status: 200, description: "The token", schema: userTokenResult },
      handle: async (context) => {
        const { expiry } = context.body.properties;
        const token = await sessions.issue(context.param("userId"), new Date(expiry));
        return ok({ value: token.value }, { "cache-control": "no-store" });
      },
    }),
    operation({
      method: "GET",
      path: "/users/{userId}/identities",
      summary: "How the user signs in (Basic: email and password)",
      tag: TAG,
      parameters: [API_VERSION],
      response: { status: 200, description: "The user's identities", schema: userIdentityCollection },
      handle: async (context) => {
        const user = await gateway.users.get(context.param("userId"));
        if (!user) throw armErrors.notFound("User");
        return ok({ value: user.identities, count: user.identities.length, nextLink: null });
      },
    }),
    linkAction("generatePasswordResetUrl", "A password-reset link for the user", (id) =>
      passwordSetup.resetByAdministrator(id),
    ),
  ];
}
