import { sql, type Kysely, type Migration } from "kysely";

const NAME = "varchar(80)";

/**
 * API Management's users and groups (reference apim.md §4.11): users with their password hashes, groups, membership,
 * product visibility by group, and the owner of a subscription. The built-in groups and the built-in administrator
 * (user `1`) exist from the start, as in a new API Management instance.
 */
export const usersGroupsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("gateway_users")
      .addColumn("name", NAME, (c) => c.primaryKey())
      .addColumn("email", "varchar(254)", (c) => c.notNull())
      .addColumn("email_key", "varchar(254)", (c) => c.notNull().unique())
      .addColumn("first_name", "varchar(100)", (c) => c.notNull())
      .addColumn("last_name", "varchar(100)", (c) => c.notNull())
      .addColumn("state", "varchar(10)", (c) => c.notNull())
      .addColumn("note", "text")
      .addColumn("registration_date", "varchar(40)", (c) => c.notNull())
      .addColumn("password_hash", "text")
      .execute();
    await db.schema
      .createTable("gateway_groups")
      .addColumn("name", NAME, (c) => c.primaryKey())
      .addColumn("display_name", "varchar(300)", (c) => c.notNull())
      .addColumn("description", "text")
      .addColumn("type", "varchar(10)", (c) => c.notNull())
      .addColumn("external_id", "text")
      .execute();
    await db.schema
      .createTable("gateway_group_users")
      .addColumn("group_name", NAME, (c) => c.notNull().references("gateway_groups.name").onDelete("cascade"))
      .addColumn("user_name", NAME, (c) => c.notNull().references("gateway_users.name").onDelete("cascade"))
      .addPrimaryKeyConstraint("gateway_group_users_pk", ["group_name", "user_name"])
      .execute();
    await db.schema.createIndex("gateway_group_users_user").on("gateway_group_users").column("user_name").execute();
    await db.schema
      .createTable("gateway_product_groups")
      .addColumn("product", NAME, (c) => c.notNull().references("gateway_products.name").onDelete("cascade"))
      .addColumn("group_name", NAME, (c) => c.notNull().references("gateway_groups.name").onDelete("cascade"))
      .addPrimaryKeyConstraint("gateway_product_groups_pk", ["product", "group_name"])
      .execute();
    await db.schema
      .createIndex("gateway_product_groups_group")
      .on("gateway_product_groups")
      .column("group_name")
      .execute();
    // Null: a standalone subscription (APIM: ownerId omitted).
    await db.schema
      .alterTable("gateway_subscriptions")
      .addColumn("owner", NAME, (c) => c.references("gateway_users.name").onDelete("cascade"))
      .execute();
    await db.schema.createIndex("gateway_subscriptions_owner").on("gateway_subscriptions").column("owner").execute();

    const now = new Date().toISOString();
    await sql`insert into gateway_users (name, email, email_key, first_name, last_name, state, note, registration_date)
      values ('1', 'admin@gatehouse.local', 'admin@gatehouse.local', 'Administrator', 'Gatehouse', 'active', null, ${now})`.execute(
      db,
    );
    await sql`insert into gateway_groups (name, display_name, description, type, external_id) values
      ('administrators', 'Administrators', 'Administrators is a built-in group containing the admin email account provided at the time of service creation. Its membership is managed by the system.', 'system', null),
      ('developers', 'Developers', 'Developers is a built-in group. Its membership is managed by the system. Signed-in users fall into this group.', 'system', null),
      ('guests', 'Guests', 'Guests is a built-in group. Its membership is managed by the system. Unauthenticated users visiting the developer portal fall into this group.', 'system', null)`.execute(
      db,
    );
    // Existing products stay visible to whom a new product is: the administrators.
    await sql`insert into gateway_product_groups (product, group_name) select name, 'administrators' from gateway_products`.execute(
      db,
    );
  },
};
