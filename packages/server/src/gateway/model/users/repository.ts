import type { Kysely, Selectable } from "kysely";
import type { Database, GatewayUserTable } from "../../../store/schema.js";
import type { UserFields, UserState } from "./types.js";
import { basicIdentity } from "./validation.js";

/** A user as stored, with the hash of their password (null until one is set). */
export interface StoredUser extends UserFields {
  passwordHash: string | null;
}

const toUser = (row: Selectable<GatewayUserTable>): StoredUser => ({
  name: row.name,
  email: row.email,
  firstName: row.first_name,
  lastName: row.last_name,
  state: row.state as UserState,
  note: row.note,
  registrationDate: row.registration_date,
  identities: basicIdentity(row.email),
  passwordHash: row.password_hash,
});

export class GatewayUserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<StoredUser[]> {
    return (await this.db.selectFrom("gateway_users").selectAll().orderBy("name").execute()).map(toUser);
  }

  async get(name: string): Promise<StoredUser | undefined> {
    const row = await this.db.selectFrom("gateway_users").selectAll().where("name", "=", name).executeTakeFirst();
    return row && toUser(row);
  }

  /** The user with this email, compared without regard to case. */
  async findByEmail(email: string): Promise<StoredUser | undefined> {
    const row = await this.db
      .selectFrom("gateway_users")
      .selectAll()
      .where("email_key", "=", email.toLowerCase())
      .executeTakeFirst();
    return row && toUser(row);
  }

  async upsert(user: StoredUser): Promise<void> {
    const values = {
      email: user.email,
      email_key: user.email.toLowerCase(),
      first_name: user.firstName,
      last_name: user.lastName,
      state: user.state,
      note: user.note,
      password_hash: user.passwordHash,
    };
    await this.db
      .insertInto("gateway_users")
      .values({ name: user.name, registration_date: user.registrationDate, ...values })
      .onConflict((oc) => oc.column("name").doUpdateSet(values))
      .execute();
  }

  /** Deletes the user with their memberships and subscriptions (foreign keys). */
  async delete(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom("gateway_users").where("name", "=", name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /**
   * Ends the user's developer sessions and voids their invitation and reset links, in the transaction that blocks,
   * deletes or re-keys the user: a user unblocked later, or a new user given the same id, does not inherit them.
   */
  async revokeDeveloperAccess(name: string): Promise<void> {
    await this.db.deleteFrom("developer_sessions").where("user_id", "=", name).execute();
    await this.db.deleteFrom("one_time_tickets").where("user_id", "=", name).execute();
  }
}
