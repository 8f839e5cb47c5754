import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../../store/schema.js";
import { chunks } from "../../../store/repositories/chunks.js";
import type { DocumentFormat, ImportedSchema, StoredDocument } from "./import/index.js";

/** Which document an API was imported from, without its text: configuration as code compares these. */
export interface ApiDocumentDigest {
  api: string;
  format: DocumentFormat;
  digest: string;
}

export const documentDigest = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** The document each API was imported from, and the API's schemas its operations' representations refer to. */
export class GatewayApiDocumentRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async document(api: string): Promise<StoredDocument | undefined> {
    const row = await this.db
      .selectFrom("gateway_api_documents")
      .select(["format", "text"])
      .where("api", "=", api)
      .executeTakeFirst();
    return row && { format: row.format as DocumentFormat, text: row.text };
  }

  async digests(): Promise<ApiDocumentDigest[]> {
    const rows = await this.db
      .selectFrom("gateway_api_documents")
      .select(["api", "format", "digest"])
      .orderBy("api")
      .execute();
    return rows.map((row) => ({ api: row.api, format: row.format as DocumentFormat, digest: row.digest }));
  }

  async schemas(api: string): Promise<ImportedSchema[]> {
    const rows = await this.db
      .selectFrom("gateway_api_schemas")
      .select(["name", "content_type", "document"])
      .where("api", "=", api)
      .orderBy("name")
      .execute();
    return rows.map(
      (row) => ({ id: row.name, contentType: row.content_type, document: JSON.parse(row.document) }) as ImportedSchema,
    );
  }

  /** Makes these the API's document and schemas. */
  async replace(api: string, document: StoredDocument, schemas: readonly ImportedSchema[]): Promise<void> {
    const values = { format: document.format, text: document.text, digest: documentDigest(document.text) };
    await this.db
      .insertInto("gateway_api_documents")
      .values({ api, ...values })
      .onConflict((oc) => oc.column("api").doUpdateSet(values))
      .execute();
    await this.db.deleteFrom("gateway_api_schemas").where("api", "=", api).execute();
    for (const group of chunks(schemas)) {
      await this.db
        .insertInto("gateway_api_schemas")
        .values(
          group.map((schema) => ({
            api,
            name: schema.id,
            content_type: schema.contentType,
            document: JSON.stringify(schema.document),
          })),
        )
        .execute();
    }
  }
}
