import type { Kysely, Migration } from "kysely";

const NAME = "varchar(80)";
const EMPTY_REQUEST = JSON.stringify({ queryParameters: [], headers: [], representations: [] });

/** The rows this migration rewrites, as they were before it. */
interface Before {
  gateway_operations: {
    api: string;
    name: string;
    url_template: string;
    responses: string;
    template_parameters: string;
  };
}

/**
 * API import: an operation's template parameters and request (API Management's contracts, as JSON), the document an
 * API was imported from, and the API's schemas its representations refer to. Existing operations get the template
 * parameters their template names (required strings, as they were shown) and responses with empty lists where they
 * had none, the shape every operation now has.
 */
export const apiDocumentsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable("gateway_operations")
      .addColumn("template_parameters", "text", (c) => c.notNull().defaultTo("[]"))
      .execute();
    await db.schema
      .alterTable("gateway_operations")
      .addColumn("request", "text", (c) => c.notNull().defaultTo(EMPTY_REQUEST))
      .execute();
    const before = db as unknown as Kysely<Before>;
    const rows = await before
      .selectFrom("gateway_operations")
      .select(["api", "name", "url_template", "responses"])
      .execute();
    for (const row of rows) {
      const names = [...new Set([...row.url_template.matchAll(/\{([^}*]+)\}/g)].map(([, name]) => name ?? ""))];
      const responses = (JSON.parse(row.responses) as Record<string, unknown>[]).map((response) => ({
        ...response,
        representations: response.representations ?? [],
        headers: response.headers ?? [],
      }));
      await before
        .updateTable("gateway_operations")
        .set({
          template_parameters: JSON.stringify(
            names.map((name) => ({ name, type: "string", required: true, values: [] })),
          ),
          responses: JSON.stringify(responses),
        })
        .where("api", "=", row.api)
        .where("name", "=", row.name)
        .execute();
    }
    await db.schema
      .createTable("gateway_api_documents")
      .addColumn("api", NAME, (c) => c.primaryKey().references("gateway_apis.name").onDelete("cascade"))
      .addColumn("format", "varchar(20)", (c) => c.notNull())
      .addColumn("text", "text", (c) => c.notNull())
      .addColumn("digest", "varchar(64)", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("gateway_api_schemas")
      .addColumn("api", NAME, (c) => c.notNull().references("gateway_apis.name").onDelete("cascade"))
      .addColumn("name", NAME, (c) => c.notNull())
      .addColumn("content_type", "text", (c) => c.notNull())
      .addColumn("document", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("gateway_api_schemas_pk", ["api", "name"])
      .execute();
  },
};
