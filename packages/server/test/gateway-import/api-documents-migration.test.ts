/**
 * Migration 008 on a store that already holds operations: each gets the template parameters its template names and
 * responses with empty lists, so the registry reads it as it reads one written today.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Migrator, sql, type Migration } from "kysely";
import { locateDatabase } from "../../src/store/database.js";
import { identityMigration } from "../../src/store/migrations/001-identity.js";
import { gatewayMigration } from "../../src/store/migrations/002-gateway.js";
import { tracingMigration } from "../../src/store/migrations/003-tracing.js";
import { assertionReplayMigration } from "../../src/store/migrations/004-assertion-replay.js";
import { migrateToLatest } from "../../src/store/migrate.js";
import { GatewayOperationRepository } from "../../src/gateway/model/operations/repository.js";
import { databaseTargets } from "../helpers/databases.js";

const BEFORE: Record<string, Migration> = {
  "001-identity": identityMigration,
  "002-gateway": gatewayMigration,
  "003-tracing": tracingMigration,
  "004-assertion-replay": assertionReplayMigration,
};

const folders: string[] = [];
after(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

for (const target of await databaseTargets()) {
  describe(`migration 008-api-documents (${target.name})`, { skip: target.skip }, () => {
    it("completes the operations stored before it", async () => {
      const dataDir = await mkdtemp(join(tmpdir(), "gatehouse-migration-"));
      folders.push(dataDir);
      const location = locateDatabase(target.url(), dataDir);
      const db = location.open();
      try {
        if (location.schema) await sql`create schema if not exists ${sql.id(location.schema)}`.execute(db);
        const migrator = new Migrator({
          db,
          provider: { getMigrations: async () => BEFORE },
          ...(location.schema ? { migrationTableSchema: location.schema } : {}),
        });
        assert.equal((await migrator.migrateToLatest()).error, undefined);
        await sql`insert into gateway_apis (name, display_name, path, path_key, protocols, api_type, subscription_required, key_header, key_query)
          values ('orders', 'Orders', 'orders', 'orders', '["https"]', 'http', 1, 'k', 'k')`.execute(db);
        const responses = JSON.stringify([{ statusCode: 200, representations: [{ contentType: "text/plain" }] }]);
        await sql`insert into gateway_operations (api, name, display_name, method, url_template, description, responses)
          values ('orders', 'line', 'Line', 'GET', '/orders/{id}/lines/{line}?at={at}', null, ${responses})`.execute(
          db,
        );

        await migrateToLatest(db, location.schema);

        const [operation] = await new GatewayOperationRepository(db).list("orders");
        assert.deepEqual(operation, {
          api: "orders",
          name: "line",
          displayName: "Line",
          method: "GET",
          urlTemplate: "/orders/{id}/lines/{line}?at={at}",
          description: null,
          templateParameters: ["id", "line", "at"].map((name) => ({
            name,
            type: "string",
            required: true,
            values: [],
          })),
          request: { queryParameters: [], headers: [], representations: [] },
          responses: [{ statusCode: 200, representations: [{ contentType: "text/plain" }], headers: [] }],
        });
      } finally {
        await db.destroy();
      }
    });
  });
}
