import type { Kysely, Migration } from "kysely";

/**
 * The gateway's certificate entities (API Management's `certificates`): what the ARM resource shows, and the
 * certificate chain with its private key sealed under the master key. (009 and 010 belong to the identity service's
 * managed identities and federated credentials, developed alongside.)
 */
export const certificatesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("gateway_certificates")
      .addColumn("name", "varchar(80)", (c) => c.primaryKey())
      .addColumn("subject", "text", (c) => c.notNull())
      .addColumn("thumbprint", "varchar(40)", (c) => c.notNull())
      .addColumn("expiration_date", "varchar(40)", (c) => c.notNull())
      .addColumn("material", "text", (c) => c.notNull())
      .execute();
  },
};
