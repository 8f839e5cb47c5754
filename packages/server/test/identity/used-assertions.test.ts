import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { UsedAssertions } from "../../src/identity/token/used-assertions.js";
import { Store } from "../../src/store/store.js";
import { databaseTargets } from "../helpers/databases.js";

for (const target of await databaseTargets()) {
  describe(`UsedAssertions on ${target.name}`, { skip: target.skip }, () => {
    it("accepts a jti once until it expires, per client; purge deletes only expired records", async () => {
      const dataDir = await mkdtemp(join(tmpdir(), "gatehouse-used-assertions-"));
      const store = await Store.open(target.url(), dataDir);
      try {
        const used = new UsedAssertions(store.db);
        const t = Date.parse("2026-01-01T00:00:00Z");
        assert.equal(await used.claim("client-a", "jti-1", t + 600_000, t), true);
        assert.equal(await used.claim("client-a", "jti-1", t + 600_000, t + 1000), false, "a replay");
        assert.equal(await used.claim("client-b", "jti-1", t + 600_000, t + 1000), true, "another client's jti");
        assert.equal(await used.claim("client-a", "jti-1", t + 1_300_000, t + 600_000), true, "expired: usable again");
        assert.equal(await used.claim("client-a", "jti-1", t + 1_300_000, t + 600_001), false);

        await used.purge(t + 700_000);
        const rows = await store.db.selectFrom("used_client_assertions").select(["client_id"]).execute();
        assert.deepEqual(
          rows.map((r) => r.client_id),
          ["client-a"],
        );
      } finally {
        await store.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}
