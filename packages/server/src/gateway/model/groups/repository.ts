import type { Kysely, Selectable } from "kysely";
import type { Database, GatewayGroupTable } from "../../../store/schema.js";
import type { Group, GroupType } from "./types.js";

const toGroup = (row: Selectable<GatewayGroupTable>): Group => ({
  name: row.name,
  displayName: row.display_name,
  description: row.description,
  type: row.type as GroupType,
  externalId: row.external_id,
});

/** Groups and their explicit members (gateway_group_users); the built-in groups' members are implicit. */
export class GatewayGroupRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<Group[]> {
    return (await this.db.selectFrom("gateway_groups").selectAll().orderBy("name").execute()).map(toGroup);
  }

  async get(name: string): Promise<Group | undefined> {
    const row = await this.db.selectFrom("gateway_groups").selectAll().where("name", "=", name).executeTakeFirst();
    return row && toGroup(row);
  }

  async upsert(group: Group): Promise<void> {
    const values = {
      display_name: group.displayName,
      description: group.description,
      type: group.type,
      external_id: group.externalId,
    };
    await this.db
      .insertInto("gateway_groups")
      .values({ name: group.name, ...values })
      .onConflict((oc) => oc.column("name").doUpdateSet(values))
      .execute();
  }

  /** Deletes the group with its memberships and product links (foreign keys). */
  async delete(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom("gateway_groups").where("name", "=", name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Every explicit membership, as [group, user] pairs. */
  async memberships(): Promise<{ group: string; user: string }[]> {
    const rows = await this.db
      .selectFrom("gateway_group_users")
      .selectAll()
      .orderBy("group_name")
      .orderBy("user_name")
      .execute();
    return rows.map((r) => ({ group: r.group_name, user: r.user_name }));
  }

  async membersOf(group: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("gateway_group_users")
      .select("user_name")
      .where("group_name", "=", group)
      .orderBy("user_name")
      .execute();
    return rows.map((r) => r.user_name);
  }

  async groupsOf(user: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("gateway_group_users")
      .select("group_name")
      .where("user_name", "=", user)
      .orderBy("group_name")
      .execute();
    return rows.map((r) => r.group_name);
  }

  async addUser(group: string, user: string): Promise<boolean> {
    const result = await this.db
      .insertInto("gateway_group_users")
      .values({ group_name: group, user_name: user })
      .onConflict((oc) => oc.columns(["group_name", "user_name"]).doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async removeUser(group: string, user: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("gateway_group_users")
      .where("group_name", "=", group)
      .where("user_name", "=", user)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
