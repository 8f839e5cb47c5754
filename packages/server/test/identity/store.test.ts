import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXAMPLE, EXAMPLE_CONFIG, exampleTokenForm, startTestGatehouse } from "../helpers/gatehouse.js";
import { databaseTargets } from "../helpers/databases.js";
import { runCli } from "../helpers/cli.js";
import { Store } from "../../src/store/store.js";

const targets = await databaseTargets();
const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

for (const target of targets) {
  describe(`store on ${target.name}`, { skip: target.skip }, () => {
    it("keeps every registration, secret and key across a restart", async () => {
      const dataDir = await mkdtemp(join(tmpdir(), `gatehouse-store-${target.name}-`));
      dirs.push(dataDir);
      const database = target.url();
      const overrides = database ? { database } : {};
      const first = await startTestGatehouse({ config: EXAMPLE_CONFIG, dataDir, overrides });
      const extra = await first.registry.createApplication(EXAMPLE.tenantId, {
        displayName: "Added at runtime",
        identifierUris: ["api://runtime"],
      });
      const { secretText } = await first.registry.addPassword(extra.id, { displayName: "rt" });
      await first.registry.createServicePrincipal(EXAMPLE.tenantId, extra.appId);
      const before = await first.postForm(
        first.tokenUrl(),
        exampleTokenForm({ client_id: extra.appId, client_secret: secretText }),
      );
      assert.equal(before.status, 200);
      const jwksBefore = (await first.get(`${first.identityUrl}/common/discovery/keys`)).body;
      const firstIssuer = `${first.identityUrl}/${EXAMPLE.tenantId}/v2.0`;
      await first.stop();

      const second = await startTestGatehouse({ dataDir, overrides });
      try {
        const after = await second.postForm(
          second.tokenUrl(),
          exampleTokenForm({ client_id: extra.appId, client_secret: secretText }),
        );
        assert.equal(after.status, 200, JSON.stringify(after.body));
        const example = await second.postForm(second.tokenUrl(), exampleTokenForm());
        assert.equal(example.status, 200);
        assert.deepEqual((await second.get(`${second.identityUrl}/common/discovery/keys`)).body, jwksBefore);
        // The old token still verifies: the same key survived the restart (the port, and so the issuer, did not).
        await second.verify((before.body as { access_token: string }).access_token, {
          issuer: firstIssuer,
          audience: EXAMPLE.resourceAppId,
        });
        // Nothing secret is stored in plaintext.
        const rows = await second.store.db.selectFrom("password_credentials").selectAll().execute();
        assert.ok(rows.length >= 2);
        for (const row of rows)
          assert.ok(!JSON.stringify(row).includes(secretText) && !JSON.stringify(row).includes(EXAMPLE.secret));
        const keys = await second.store.db.selectFrom("signing_keys").selectAll().execute();
        for (const key of keys) assert.ok(!key.private_key.includes("PRIVATE KEY"));
      } finally {
        await second.stop();
      }
    });

    it("two processes initialising the same fresh database at once create it once", async () => {
      const dataDir = await mkdtemp(join(tmpdir(), `gatehouse-race-${target.name}-`));
      dirs.push(dataDir);
      const database = target.url();
      const args = ["init", "--data", dataDir, ...(database ? ["--database", database] : [])];
      // The master key file is shared state too; both processes must end up using the same one.
      const results = await Promise.all([runCli(args), runCli(args)]);
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      const store = await Store.open(database, dataDir);
      try {
        const [tenants, keys] = await store.read((repos) =>
          Promise.all([repos.tenants.list(), repos.signingKeys.list()]),
        );
        assert.equal(tenants.length, 1, "one management tenant");
        assert.equal(keys.length, 1, "one signing key");
      } finally {
        await store.close();
      }
    });

    it("applying the same configuration twice leaves the same state", async () => {
      const dataDir = await mkdtemp(join(tmpdir(), `gatehouse-idem-${target.name}-`));
      dirs.push(dataDir);
      const database = target.url();
      const overrides = database ? { database } : {};
      const snapshot = async (gh: Awaited<ReturnType<typeof startTestGatehouse>>) =>
        gh.registry.read(async (repos) => ({
          tenants: await repos.tenants.list(),
          apps: await repos.applications.list(),
          sps: await repos.servicePrincipals.list(),
          assignments: await repos.assignments.list(),
        }));
      const first = await startTestGatehouse({ config: EXAMPLE_CONFIG, dataDir, overrides });
      const one = await snapshot(first);
      await first.stop();
      const second = await startTestGatehouse({ config: EXAMPLE_CONFIG, dataDir, overrides });
      try {
        assert.deepEqual(second.applied?.changes, []);
        assert.deepEqual(await snapshot(second), one);
      } finally {
        await second.stop();
      }
    });
  });
}
