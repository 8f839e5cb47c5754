import type { Kysely, Migration } from "kysely";

/** The identity model: tenants, app registrations with their credentials, service principals, consent, keys. */
export const identityMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("tenants")
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("domains", "text", (c) => c.notNull())
      .addColumn("created_at", "varchar(40)", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("applications")
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("app_id", "varchar(36)", (c) => c.notNull().unique())
      .addColumn("tenant_id", "varchar(36)", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("document", "text", (c) => c.notNull())
      .addColumn("created_at", "varchar(40)", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("password_credentials")
      .addColumn("key_id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("application_id", "varchar(36)", (c) => c.notNull().references("applications.id").onDelete("cascade"))
      .addColumn("display_name", "text")
      .addColumn("hint", "varchar(8)", (c) => c.notNull())
      .addColumn("secret_hash", "varchar(64)", (c) => c.notNull())
      .addColumn("start_date_time", "varchar(40)", (c) => c.notNull())
      .addColumn("end_date_time", "varchar(40)", (c) => c.notNull())
      .addColumn("created_at", "varchar(40)", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("key_credentials")
      .addColumn("key_id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("application_id", "varchar(36)", (c) => c.notNull().references("applications.id").onDelete("cascade"))
      .addColumn("display_name", "text")
      .addColumn("certificate", "text", (c) => c.notNull())
      .addColumn("thumbprint_sha1", "varchar(64)", (c) => c.notNull())
      .addColumn("thumbprint_sha256", "varchar(64)", (c) => c.notNull())
      .addColumn("start_date_time", "varchar(40)", (c) => c.notNull())
      .addColumn("end_date_time", "varchar(40)", (c) => c.notNull())
      .addColumn("created_at", "varchar(40)", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("service_principals")
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("app_id", "varchar(36)", (c) => c.notNull())
      .addColumn("tenant_id", "varchar(36)", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("account_enabled", "integer", (c) => c.notNull())
      .addColumn("app_role_assignment_required", "integer", (c) => c.notNull())
      .addColumn("created_at", "varchar(40)", (c) => c.notNull())
      .addUniqueConstraint("service_principals_tenant_app", ["tenant_id", "app_id"])
      .execute();
    await db.schema
      .createTable("app_role_assignments")
      .addColumn("id", "varchar(64)", (c) => c.primaryKey())
      .addColumn("tenant_id", "varchar(36)", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
      .addColumn("principal_id", "varchar(36)", (c) =>
        c.notNull().references("service_principals.id").onDelete("cascade"),
      )
      .addColumn("resource_id", "varchar(36)", (c) =>
        c.notNull().references("service_principals.id").onDelete("cascade"),
      )
      .addColumn("app_role_id", "varchar(36)", (c) => c.notNull())
      .addColumn("created_at", "varchar(40)", (c) => c.notNull())
      .addUniqueConstraint("app_role_assignments_unique", ["principal_id", "resource_id", "app_role_id"])
      .execute();
    await db.schema
      .createTable("signing_keys")
      .addColumn("kid", "varchar(64)", (c) => c.primaryKey())
      .addColumn("certificate", "text", (c) => c.notNull())
      .addColumn("private_key", "text", (c) => c.notNull())
      .addColumn("created_at", "varchar(40)", (c) => c.notNull())
      .addColumn("activated_at", "varchar(40)")
      .addColumn("retired_at", "varchar(40)")
      .execute();
    await db.schema
      .createTable("settings")
      .addColumn("name", "varchar(100)", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("revision")
      .addColumn("id", "integer", (c) => c.primaryKey())
      .addColumn("revision", "integer", (c) => c.notNull())
      .execute();
    await db
      .insertInto("revision" as never)
      .values({ id: 1, revision: 1 } as never)
      .execute();
    await db.schema.createIndex("applications_tenant").on("applications").column("tenant_id").execute();
    await db.schema
      .createIndex("password_credentials_app")
      .on("password_credentials")
      .column("application_id")
      .execute();
    await db.schema.createIndex("key_credentials_app").on("key_credentials").column("application_id").execute();
    await db.schema.createIndex("assignments_resource").on("app_role_assignments").column("resource_id").execute();
  },
};
