import type { Kysely, Migration } from "kysely";

const NAME = "varchar(80)";
const GUID = "varchar(36)";

/**
 * Application-based access (reference apim.md §5): products gain their authentication types and the ids of their
 * Entra registration; client applications and their product links. No secret is stored: client secrets live only
 * in the identity service, and the gateway shows each once.
 */
export const clientApplicationsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("gateway_products")
      .addColumn("authentication_types", "text", (c) => c.notNull().defaultTo('["subscription-key"]'))
      .execute();
    await db.schema.alterTable("gateway_products").addColumn("entra_application", "text").execute();
    await db.schema
      .alterTable("gateway_products")
      .addColumn("entra_application_enabled", "integer", (c) => c.notNull().defaultTo(0))
      .execute();

    await db.schema
      .createTable("gateway_client_applications")
      .addColumn("name", NAME, (c) => c.primaryKey())
      .addColumn("name_key", NAME, (c) => c.notNull().unique())
      .addColumn("display_name", "text", (c) => c.notNull())
      .addColumn("description", "text")
      .addColumn("owner_id", NAME, (c) => c.notNull())
      .addColumn("entra_application_id", GUID, (c) => c.unique())
      .addColumn("entra_object_id", GUID)
      .addColumn("entra_service_principal_id", GUID)
      .addColumn("entra_tenant_id", GUID)
      .execute();
    await db.schema
      .createIndex("gateway_client_applications_owner")
      .on("gateway_client_applications")
      .column("owner_id")
      .execute();
    await db.schema
      .createTable("gateway_client_application_links")
      .addColumn("application", NAME, (c) =>
        c.notNull().references("gateway_client_applications.name").onDelete("cascade"),
      )
      .addColumn("name", NAME, (c) => c.notNull())
      .addColumn("product", NAME, (c) => c.notNull().references("gateway_products.name").onDelete("cascade"))
      .addColumn("granted", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("gateway_client_application_links_pk", ["application", "name"])
      .addUniqueConstraint("gateway_client_application_links_product", ["application", "product"])
      .execute();
    await db.schema
      .createIndex("gateway_client_application_links_by_product")
      .on("gateway_client_application_links")
      .column("product")
      .execute();
  },
};
