import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, stat, writeFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { EXAMPLE, EXAMPLE_CONFIG, startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { runCli } from "../helpers/cli.js";
import { writeRuntimeInfo } from "../../src/util/runtime-file.js";
import { fetchJson } from "../../src/util/https-fetch.js";

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe("gatehouse CLI", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "gatehouse-cli-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("init creates the data folder with private files 0600 and no plaintext private key", async () => {
    const data = join(dir, "init");
    const result = await runCli(["init", "--data", data]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Initialised/);
    for (const file of ["master.key", "admin-client.json", "tls/ca-key.pem", "tls/server-key.pem"]) {
      assert.equal(await mode(join(data, file)), 0o600, file);
    }
    for (const file of ["tls/ca-key.pem", "tls/server-key.pem"]) {
      assert.doesNotMatch(await readFile(join(data, file), "utf8"), /BEGIN PRIVATE KEY|BEGIN RSA PRIVATE KEY/);
    }
    assert.doesNotMatch(await readFile(join(data, "admin-client.json"), "utf8"), /"clientSecret"|"secret"/);
  });

  it("apply is idempotent, prints generated secrets once, and export round-trips without secrets", async () => {
    const data = join(dir, "apply");
    const file = join(dir, "config.yaml");
    await writeFile(
      file,
      `${EXAMPLE_CONFIG}        - displayName: Generated
          passwordCredentials: [{ displayName: gen }]
`,
    );
    const env = { CLIENT_APP_SECRET: EXAMPLE.secret };
    const first = await runCli(["apply", "-f", file, "--data", data], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /created tenant Contoso/);
    assert.match(first.stdout, /New secret for Generated \('gen', appId [0-9a-f-]{36}\), shown only now:\n {2}\S{43}/);
    assert.ok(!first.stdout.includes(EXAMPLE.secret), "literal secrets from the file are not echoed");

    const second = await runCli(["apply", "-f", file, "--data", data], env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.trim(), "No changes.");

    const exported = await runCli(["export", "--data", data]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.ok(!exported.stdout.includes(EXAMPLE.secret));
    assert.doesNotMatch(exported.stdout, /secretText|sealed|hash/i);
    const doc = parse(exported.stdout) as {
      identity: { tenants: { id: string; applications: { displayName: string }[] }[] };
    };
    assert.deepEqual(
      doc.identity.tenants.map((t) => t.id),
      [EXAMPLE.tenantId],
      "the management tenant is not exported",
    );
    assert.deepEqual(
      doc.identity.tenants[0]?.applications.map((a) => a.displayName),
      ["ResourceApp", "ClientApp", "Generated"],
    );
    const exportFile = join(dir, "exported.yaml");
    await writeFile(exportFile, exported.stdout);
    const reapplied = await runCli(["apply", "-f", exportFile, "--data", data]);
    assert.equal(reapplied.code, 0, reapplied.stderr);
    assert.equal(reapplied.stdout.trim(), "No changes.");
  });

  it("errors are one clear line with a non-zero exit", async () => {
    const cases = [
      ["apply", "-f", join(dir, "missing.yaml"), "--data", join(dir, "err")],
      ["decode", "not-a-token"],
      ["start", "--identity-port", "99999"],
      ["token", "--tenant", "t", "--client-id", "c", "--data", join(dir, "nothing-running")],
    ];
    for (const args of cases) {
      const result = await runCli(args);
      assert.notEqual(result.code, 0, args.join(" "));
      const lines = result.stderr.trim().split("\n");
      assert.equal(lines.length, 1, `${args.join(" ")}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    }
  });

  describe("against a running server", () => {
    let gh: TestGatehouse;
    before(async () => {
      gh = await startTestGatehouse({ config: EXAMPLE_CONFIG });
      await writeRuntimeInfo(gh.dataDir, {
        pid: process.pid,
        identityUrl: gh.identityUrl,
        adminUrl: gh.adminUrl,
        gatewayUrl: gh.gatewayUrl,
        ...(gh.caPath ? { caPath: gh.caPath } : {}),
      });
    });
    after(() => gh.stop());

    const token = (tenant: string, secret: string) =>
      runCli(
        [
          "token",
          "--tenant",
          tenant,
          "--client-id",
          EXAMPLE.clientAppId,
          "--scope",
          EXAMPLE.scope,
          "--data",
          gh.dataDir,
        ],
        { GATEHOUSE_CLIENT_SECRET: secret },
      );

    it("token gets an access token with a client secret, and decode explains it", async () => {
      const result = await token(EXAMPLE.domain, EXAMPLE.secret);
      assert.equal(result.code, 0, result.stderr);
      const accessToken = result.stdout.trim();
      await gh.verify(accessToken, {
        issuer: `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0`,
        audience: EXAMPLE.resourceAppId,
      });
      const decoded = await runCli(["decode", accessToken]);
      assert.equal(decoded.code, 0, decoded.stderr);
      assert.match(decoded.stdout, /azpacr\s+1\s+.*client secret/);
      assert.match(decoded.stdout, /roles\s+APIAccess/);
    });

    it("token reports Entra's error in one line for a wrong secret", async () => {
      const result = await token(EXAMPLE.tenantId, "wrong-wrong-wrong-wrong");
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^gatehouse: AADSTS7000215: Invalid client secret provided/);
    });

    it("admin-token prints a token the admin API accepts", async () => {
      const result = await runCli(["admin-token", "--data", gh.dataDir]);
      assert.equal(result.code, 0, result.stderr);
      const listed = await fetchJson(
        `${gh.adminUrl}/v1.0/applications`,
        { headers: { authorization: `Bearer ${result.stdout.trim()}` } },
        gh.caPath,
      );
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      const names = (listed.body as { value: { displayName: string }[] }).value.map((a) => a.displayName);
      assert.ok(names.includes("ClientApp"));
    });
  });
});
