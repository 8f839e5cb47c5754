import { defined } from "../checks.js";
import { EntityObject } from "../entity-object.js";
import { GatewayBuiltInError, GatewayNotFoundError } from "../errors.js";
import type { GatewayTransaction } from "../transaction.js";
import { ADMINISTRATOR_USER, type User, type UserFields } from "../users/types.js";
import { GatewayGroupRepository } from "./repository.js";
import { isBuiltInGroup, type Group, type GroupInput } from "./types.js";
import { groupFrom, groupInputOf } from "./validation.js";

/**
 * The built-in groups' members are the system's, as in API Management: the administrators are the built-in
 * administrator, the developers every active user (APIM: every signed-in user), the guests nobody (anonymous visitors).
 */
function implicitGroupsOf(user: Pick<UserFields, "name" | "state">): string[] {
  return [
    ...(user.name === ADMINISTRATOR_USER ? ["administrators"] : []),
    ...(user.state === "active" ? ["developers"] : []),
  ];
}

/** The groups of one transaction and their members. */
export class Groups extends EntityObject<GatewayGroupRepository> {
  static readonly reads = ["list", "get", "members", "ofUser"] as const;
  static readonly writes = ["put", "patch", "delete", "addUser", "removeUser"] as const;

  constructor(tx: GatewayTransaction) {
    super(tx, GatewayGroupRepository);
  }

  list(): Promise<Group[]> {
    return this.repository.list();
  }

  get(name: string): Promise<Group | undefined> {
    return this.repository.get(name);
  }

  async require(name: string): Promise<Group> {
    const group = await this.repository.get(name);
    if (!group) throw new GatewayNotFoundError("Group", name);
    return group;
  }

  async put(name: string, input: GroupInput): Promise<{ group: Group; created: boolean }> {
    this.assertChangeable(name);
    const group = groupFrom(name, input);
    const existing = await this.repository.get(name);
    await this.repository.upsert(group);
    return { group, created: existing === undefined };
  }

  async patch(name: string, patch: Partial<GroupInput>): Promise<Group> {
    const existing = await this.require(name);
    this.assertChangeable(name);
    const group = groupFrom(name, { ...groupInputOf(existing), ...defined(patch) });
    await this.repository.upsert(group);
    return group;
  }

  /** Deletes the group with its memberships and product visibility. */
  async delete(name: string): Promise<boolean> {
    this.assertChangeable(name);
    return this.repository.delete(name);
  }

  /** The group's members, the built-in groups' implicit ones included. */
  async members(name: string): Promise<User[]> {
    await this.require(name);
    const users = await this.tx.users.list();
    return users.filter((user) => user.groups.includes(name));
  }

  /** The groups the user is in. */
  async ofUser(user: string): Promise<Group[]> {
    const names = new Set((await this.tx.users.require(user)).groups);
    return (await this.repository.list()).filter((group) => names.has(group.name));
  }

  /** Each user's group names, explicit and implicit, in one read: what users are shown and compiled with. */
  async namesByUser(users: readonly Pick<UserFields, "name" | "state">[]): Promise<Map<string, string[]>> {
    const explicit = new Map<string, string[]>();
    for (const { group, user } of await this.repository.memberships()) {
      const list = explicit.get(user);
      if (list) list.push(group);
      else explicit.set(user, [group]);
    }
    return new Map(
      users.map((user) => [user.name, [...implicitGroupsOf(user), ...(explicit.get(user.name) ?? [])].sort()]),
    );
  }

  async addUser(group: string, user: string): Promise<{ user: User; created: boolean }> {
    await this.requireMembershipChangeable(group);
    await this.tx.users.require(user);
    const created = await this.repository.addUser(group, user);
    return { user: await this.tx.users.require(user), created };
  }

  async removeUser(group: string, user: string): Promise<boolean> {
    await this.requireMembershipChangeable(group);
    return this.repository.removeUser(group, user);
  }

  private assertChangeable(name: string): void {
    if (isBuiltInGroup(name)) {
      throw new GatewayBuiltInError(`Group '${name}' is a built-in group and cannot be changed or deleted.`);
    }
  }

  private async requireMembershipChangeable(name: string): Promise<void> {
    await this.require(name);
    if (isBuiltInGroup(name)) {
      throw new GatewayBuiltInError(`The members of the built-in group '${name}' are managed by the system.`);
    }
  }
}
