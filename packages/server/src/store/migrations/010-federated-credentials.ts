import { sql, type Kysely, type Migration } from "kysely";

/**
 * Federated identity credentials (workload identity federation): the external issuer and subject an application or a
 * user-assigned managed identity trusts in place of a secret or certificate. Each row has exactly one owner and goes
 * with it; names are unique per owner regardless of case, as Graph's alternate key.
 */
export const federatedCredentialsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("federated_identity_credentials")
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("application_id", "varchar(36)", (c) => c.references("applications.id").onDelete("cascade"))
      .addColumn("identity_id", "varchar(36)", (c) =>
        c.references("managed_identities.principal_id").onDelete("cascade"),
      )
      .addColumn("name", "varchar(120)", (c) => c.notNull())
      .addColumn("name_key", "varchar(120)", (c) => c.notNull())
      .addColumn("issuer", "text", (c) => c.notNull())
      .addColumn("subject", "text", (c) => c.notNull())
      .addColumn("audiences", "text", (c) => c.notNull())
      .addColumn("description", "text")
      .addColumn("created_at", "varchar(40)", (c) => c.notNull())
      .addUniqueConstraint("federated_identity_credentials_app_name", ["application_id", "name_key"])
      .addUniqueConstraint("federated_identity_credentials_identity_name", ["identity_id", "name_key"])
      .addCheckConstraint(
        "federated_identity_credentials_one_owner",
        sql`(application_id is null) <> (identity_id is null)`,
      )
      .execute();
  },
};
