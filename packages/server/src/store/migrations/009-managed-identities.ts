import type { Kysely, Migration } from "kysely";

const NAME = "varchar(80)";

/**
 * Managed identities: service principals get Graph's `servicePrincipalType` (existing ones are applications'); a
 * managed identity's own row names its kind, resource id and host; hosts hold a system-assigned identity, attached
 * user-assigned ones and the hashes of their identity-header values.
 */
export const managedIdentitiesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("service_principals")
      .addColumn("service_principal_type", "varchar(40)", (c) => c.notNull().defaultTo("Application"))
      .execute();
    await db.schema
      .createTable("identity_hosts")
      .addColumn("name", NAME, (c) => c.primaryKey())
      .addColumn("name_key", NAME, (c) => c.notNull().unique())
      .addColumn("tenant_id", "varchar(36)", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
      .addColumn("resource_id", "text", (c) => c.notNull())
      .addColumn("resource_key", "varchar(400)", (c) => c.notNull().unique())
      .addColumn("imds", "integer", (c) => c.notNull())
      .addColumn("created_at", "varchar(40)", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("managed_identities")
      .addColumn("principal_id", "varchar(36)", (c) =>
        c.primaryKey().references("service_principals.id").onDelete("cascade"),
      )
      .addColumn("tenant_id", "varchar(36)", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
      .addColumn("kind", "varchar(20)", (c) => c.notNull())
      .addColumn("name", NAME, (c) => c.notNull())
      .addColumn("resource_id", "text", (c) => c.notNull())
      // Unique per kind: a system-assigned identity shares its host's resource id with nothing else.
      .addColumn("resource_key", "varchar(400)", (c) => c.notNull().unique())
      .addColumn("location", NAME, (c) => c.notNull())
      .addColumn("tags", "text", (c) => c.notNull())
      .addColumn("host", NAME, (c) => c.unique().references("identity_hosts.name").onDelete("cascade"))
      .addColumn("created_at", "varchar(40)", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("identity_host_attachments")
      .addColumn("host", NAME, (c) => c.notNull().references("identity_hosts.name").onDelete("cascade"))
      .addColumn("principal_id", "varchar(36)", (c) =>
        c.notNull().references("managed_identities.principal_id").onDelete("cascade"),
      )
      .addPrimaryKeyConstraint("identity_host_attachments_pk", ["host", "principal_id"])
      .execute();
    await db.schema
      .createTable("identity_host_headers")
      .addColumn("key_id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("host", NAME, (c) => c.notNull().references("identity_hosts.name").onDelete("cascade"))
      .addColumn("hash", "varchar(64)", (c) => c.notNull().unique())
      .addColumn("hint", "varchar(8)", (c) => c.notNull())
      .addColumn("created_at", "varchar(40)", (c) => c.notNull())
      .execute();
  },
};
