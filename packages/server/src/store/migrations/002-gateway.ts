import type { Kysely, Migration } from "kysely";

const NAME = "varchar(80)";

/** The gateway model: APIs and operations, products, subscriptions, named values, backends and policies. */
export const gatewayMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("gateway_apis")
      .addColumn("name", NAME, (c) => c.primaryKey())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("description", "text")
      .addColumn("path", "varchar(400)", (c) => c.notNull())
      .addColumn("path_key", "varchar(400)", (c) => c.notNull().unique())
      .addColumn("service_url", "text")
      .addColumn("protocols", "text", (c) => c.notNull())
      .addColumn("api_type", "varchar(10)", (c) => c.notNull())
      .addColumn("subscription_required", "integer", (c) => c.notNull())
      .addColumn("key_header", "text", (c) => c.notNull())
      .addColumn("key_query", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("gateway_operations")
      .addColumn("api", NAME, (c) => c.notNull().references("gateway_apis.name").onDelete("cascade"))
      .addColumn("name", NAME, (c) => c.notNull())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("method", "varchar(20)", (c) => c.notNull())
      .addColumn("url_template", "text", (c) => c.notNull())
      .addColumn("description", "text")
      .addColumn("responses", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("gateway_operations_pk", ["api", "name"])
      .execute();
    await db.schema
      .createTable("gateway_products")
      .addColumn("name", NAME, (c) => c.primaryKey())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("description", "text")
      .addColumn("terms", "text")
      .addColumn("state", "varchar(20)", (c) => c.notNull())
      .addColumn("subscription_required", "integer", (c) => c.notNull())
      .addColumn("approval_required", "integer", (c) => c.notNull())
      .addColumn("subscriptions_limit", "integer")
      .execute();
    await db.schema
      .createTable("gateway_product_apis")
      .addColumn("product", NAME, (c) => c.notNull().references("gateway_products.name").onDelete("cascade"))
      .addColumn("api", NAME, (c) => c.notNull().references("gateway_apis.name").onDelete("cascade"))
      .addPrimaryKeyConstraint("gateway_product_apis_pk", ["product", "api"])
      .execute();
    await db.schema
      .createTable("gateway_subscriptions")
      .addColumn("name", NAME, (c) => c.primaryKey())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("scope_kind", "varchar(10)", (c) => c.notNull())
      .addColumn("scope_name", NAME, (c) => c.notNull())
      .addColumn("state", "varchar(20)", (c) => c.notNull())
      .addColumn("allow_tracing", "integer", (c) => c.notNull())
      .addColumn("primary_key", "text", (c) => c.notNull())
      .addColumn("secondary_key", "text", (c) => c.notNull())
      .addColumn("primary_key_digest", "varchar(64)", (c) => c.notNull())
      .addColumn("secondary_key_digest", "varchar(64)", (c) => c.notNull())
      .addColumn("created_date", "varchar(40)", (c) => c.notNull())
      .addColumn("start_date", "varchar(40)")
      .addColumn("expiration_date", "varchar(40)")
      .execute();
    await db.schema
      .createTable("gateway_named_values")
      .addColumn("name", NAME, (c) => c.primaryKey())
      .addColumn("display_name", "varchar(256)", (c) => c.notNull())
      .addColumn("display_name_key", "varchar(256)", (c) => c.notNull().unique())
      .addColumn("value", "text", (c) => c.notNull())
      .addColumn("secret", "integer", (c) => c.notNull())
      .addColumn("tags", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("gateway_backends")
      .addColumn("name", NAME, (c) => c.primaryKey())
      .addColumn("url", "text", (c) => c.notNull())
      .addColumn("protocol", "varchar(10)", (c) => c.notNull())
      .addColumn("title", "text")
      .addColumn("description", "text")
      .addColumn("credentials", "text")
      .addColumn("validate_certificate_chain", "integer", (c) => c.notNull())
      .addColumn("validate_certificate_name", "integer", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("gateway_policies")
      .addColumn("scope_kind", "varchar(10)", (c) => c.notNull())
      .addColumn("scope_key", "varchar(200)", (c) => c.notNull())
      .addColumn("xml", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("gateway_policies_pk", ["scope_kind", "scope_key"])
      .execute();
    await db.schema.createIndex("gateway_product_apis_api").on("gateway_product_apis").column("api").execute();
    await db.schema
      .createIndex("gateway_subscriptions_scope")
      .on("gateway_subscriptions")
      .columns(["scope_kind", "scope_name"])
      .execute();
    await db.schema
      .createIndex("gateway_subscriptions_primary_digest")
      .on("gateway_subscriptions")
      .column("primary_key_digest")
      .execute();
    await db.schema
      .createIndex("gateway_subscriptions_secondary_digest")
      .on("gateway_subscriptions")
      .column("secondary_key_digest")
      .execute();
  },
};
