import type { Kysely, Migration } from "kysely";

/**
 * Federated identity credentials (workload identity federation): the external issuer and subject an application
 * trusts in place of a secret or certificate. Names are unique per application regardless of case, as Graph's
 * alternate key; the row goes with its application.
 */
export const federatedCredentialsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("federated_identity_credentials")
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("application_id", "varchar(36)", (c) => c.notNull().references("applications.id").onDelete("cascade"))
      .addColumn("name", "varchar(120)", (c) => c.notNull())
      .addColumn("name_key", "varchar(120)", (c) => c.notNull())
      .addColumn("issuer", "text", (c) => c.notNull())
      .addColumn("subject", "text", (c) => c.notNull())
      .addColumn("audiences", "text", (c) => c.notNull())
      .addColumn("description", "text")
      .addColumn("created_at", "varchar(40)", (c) => c.notNull())
      .addUniqueConstraint("federated_identity_credentials_name", ["application_id", "name_key"])
      .execute();
  },
};
