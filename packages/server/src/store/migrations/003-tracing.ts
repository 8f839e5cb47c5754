import type { Kysely, Migration } from "kysely";

/** Request traces, readable from any node and the admin API, and the APIs the admin turned tracing on for. */
export const tracingMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("gateway_traces")
      .addColumn("id", "varchar(64)", (c) => c.primaryKey())
      .addColumn("api", "varchar(80)", (c) => c.notNull())
      .addColumn("created_at", "varchar(40)", (c) => c.notNull())
      .addColumn("document", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("gateway_traces_created").on("gateway_traces").column("created_at").execute();
    await db.schema
      .createTable("gateway_api_tracing")
      .addColumn("api", "varchar(80)", (c) => c.primaryKey().references("gateway_apis.name").onDelete("cascade"))
      .addColumn("expires_at", "varchar(40)", (c) => c.notNull())
      .execute();
  },
};
