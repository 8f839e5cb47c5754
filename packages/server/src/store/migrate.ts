import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from "kysely";
import type { Database } from "./schema.js";
import { identityMigration } from "./migrations/001-identity.js";
import { gatewayMigration } from "./migrations/002-gateway.js";
import { tracingMigration } from "./migrations/003-tracing.js";
import { assertionReplayMigration } from "./migrations/004-assertion-replay.js";
import { developerMigration } from "./migrations/005-developer.js";
import { usersGroupsMigration } from "./migrations/006-users-groups.js";
import { clientApplicationsMigration } from "./migrations/007-client-applications.js";
import { apiDocumentsMigration } from "./migrations/008-api-documents.js";
import { managedIdentitiesMigration } from "./migrations/009-managed-identities.js";
import { StoreError } from "./errors.js";

/** Migrations are compiled in (no directory scan), so the built package and tsx behave the same. */
const migrations: Record<string, Migration> = {
  "001-identity": identityMigration,
  "002-gateway": gatewayMigration,
  "003-tracing": tracingMigration,
  "004-assertion-replay": assertionReplayMigration,
  "005-developer": developerMigration,
  "006-users-groups": usersGroupsMigration,
  "007-client-applications": clientApplicationsMigration,
  "008-api-documents": apiDocumentsMigration,
  "009-managed-identities": managedIdentitiesMigration,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<Database>, schema?: string): Promise<void> {
  if (schema) await createSchema(db, schema);
  // With a schema, the migrator's own tables must live there too, or it finds another schema's by introspection.
  const migrator = new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new StoreError(
      `database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * `create schema if not exists` is not atomic in PostgreSQL: two nodes starting together on a fresh database can both
 * try, and the loser fails on the catalog's unique index. The schema then exists, which is all that was wanted.
 */
async function createSchema(db: Kysely<Database>, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== "23505" && code !== "42P06") throw error;
  }
}
