import type { Kysely, Migration } from "kysely";

/** User ids are API Management resource names (at most 80 characters), as the gateway's other names. */
const USER_ID = "varchar(80)";

/** Developer sessions and one-time tickets (src/developer/tables.ts), looked up by digest or id, purged by expiry. */
export const developerMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("developer_sessions")
      .addColumn("token_digest", "varchar(64)", (c) => c.primaryKey())
      .addColumn("session_id", "varchar(36)", (c) => c.notNull())
      .addColumn("user_id", USER_ID, (c) => c.notNull())
      .addColumn("signed_in_at", "varchar(40)", (c) => c.notNull())
      .addColumn("expires_at", "varchar(40)", (c) => c.notNull())
      .addColumn("renewed", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex("developer_sessions_session").on("developer_sessions").column("session_id").execute();
    await db.schema.createIndex("developer_sessions_user").on("developer_sessions").column("user_id").execute();
    await db.schema.createIndex("developer_sessions_expires").on("developer_sessions").column("expires_at").execute();

    await db.schema
      .createTable("one_time_tickets")
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("purpose", "varchar(20)", (c) => c.notNull())
      .addColumn("user_id", USER_ID, (c) => c.notNull())
      .addColumn("digest", "varchar(64)", (c) => c.notNull())
      .addColumn("created_at", "varchar(40)", (c) => c.notNull())
      .addColumn("expires_at", "varchar(40)", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("one_time_tickets_user")
      .on("one_time_tickets")
      .columns(["user_id", "purpose"])
      .execute();
    await db.schema.createIndex("one_time_tickets_expires").on("one_time_tickets").column("expires_at").execute();
  },
};
