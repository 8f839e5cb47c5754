import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/** Small named values the server needs across restarts (management tenant id, default tenant …). */
export class SettingRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(name: string): Promise<string | undefined> {
    const row = await this.db.selectFrom("settings").select("value").where("name", "=", name).executeTakeFirst();
    return row?.value;
  }

  async set(name: string, value: string): Promise<void> {
    await this.db
      .insertInto("settings")
      .values({ name, value })
      .onConflict((oc) => oc.column("name").doUpdateSet({ value }))
      .execute();
  }

  async delete(name: string): Promise<void> {
    await this.db.deleteFrom("settings").where("name", "=", name).execute();
  }
}
