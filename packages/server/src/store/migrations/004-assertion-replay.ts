import type { Kysely, Migration } from "kysely";

/** The client assertions already used (by client and jti hash), kept until they expire, shared by every node. */
export const assertionReplayMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("used_client_assertions")
      .addColumn("client_id", "varchar(36)", (c) => c.notNull())
      .addColumn("jti_hash", "varchar(64)", (c) => c.notNull())
      .addColumn("expires_at", "varchar(40)", (c) => c.notNull())
      .addPrimaryKeyConstraint("used_client_assertions_pk", ["client_id", "jti_hash"])
      .execute();
    await db.schema
      .createIndex("used_client_assertions_expires")
      .on("used_client_assertions")
      .column("expires_at")
      .execute();
  },
};
