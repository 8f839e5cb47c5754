import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readRuntimeInfo } from "../../src/util/runtime-file.js";
import { readAdminClient } from "../../src/admin/management.js";
import { loadMasterKey } from "../../src/crypto/master-key.js";
import { EXAMPLE, EXAMPLE_CONFIG } from "../helpers/gatehouse.js";

const cli = fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url));

describe("logs", () => {
  it("never contain a client secret, even at trace level and when a client puts it in the URL", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "gatehouse-logs-"));
    const config = join(dataDir, "config.yaml");
    await writeFile(config, EXAMPLE_CONFIG);
    const server = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        cli,
        "start",
        "--data",
        dataDir,
        "--config",
        config,
        "--insecure-http",
        "--log-level",
        "trace",
        "--identity-port",
        "0",
        "--admin-port",
        "0",
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CLIENT_APP_SECRET: EXAMPLE.secret } },
    );
    let output = "";
    server.stdout.on("data", (d: Buffer) => (output += d.toString()));
    server.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise((r) => server.once("exit", r));
    try {
      let info = await readRuntimeInfo(dataDir);
      for (let i = 0; !info && i < 300; i++) {
        await new Promise((r) => setTimeout(r, 100));
        info = await readRuntimeInfo(dataDir);
      }
      assert.ok(info, `server did not start: ${output}`);
      const tokenUrl = `${info.identityUrl}/${EXAMPLE.tenantId}/oauth2/v2.0/token`;
      const form = (secret: string) =>
        new URLSearchParams({
          grant_type: "client_credentials",
          client_id: EXAMPLE.clientAppId,
          client_secret: secret,
          scope: EXAMPLE.scope,
        });
      const wrong = "Wrong-Secret-Value-0123456789";
      const basic = Buffer.from(`${EXAMPLE.clientAppId}:${encodeURIComponent(EXAMPLE.secret)}`).toString("base64");
      assert.equal((await fetch(tokenUrl, { method: "POST", body: form(EXAMPLE.secret) })).status, 200);
      assert.equal((await fetch(tokenUrl, { method: "POST", body: form(wrong) })).status, 401);
      assert.equal((await fetch(`${tokenUrl}?${form(EXAMPLE.secret).toString()}`, { method: "POST" })).status, 400);
      assert.equal(
        (
          await fetch(tokenUrl, {
            method: "POST",
            headers: { authorization: `Basic ${basic}` },
            body: new URLSearchParams({ grant_type: "client_credentials", scope: EXAMPLE.scope }),
          })
        ).status,
        200,
      );

      const admin = await readAdminClient(dataDir, await loadMasterKey(dataDir));
      const adminToken = (await (
        await fetch(`${info.identityUrl}/${admin.tenantId}/oauth2/v2.0/token`, {
          method: "POST",
          body: new URLSearchParams({
            grant_type: "client_credentials",
            client_id: admin.clientId,
            client_secret: admin.clientSecret,
            scope: admin.scope,
          }),
        })
      ).json()) as { access_token: string };
      const apps = (await (
        await fetch(
          `${info.adminUrl}/${EXAMPLE.tenantId}/v1.0/applications?$filter=appId eq '${EXAMPLE.clientAppId}'`,
          {
            headers: { authorization: `Bearer ${adminToken.access_token}` },
          },
        )
      ).json()) as { value: { id: string }[] };
      const added = (await (
        await fetch(`${info.adminUrl}/${EXAMPLE.tenantId}/v1.0/applications/${apps.value[0]?.id}/addPassword`, {
          method: "POST",
          headers: { authorization: `Bearer ${adminToken.access_token}`, "content-type": "application/json" },
          body: JSON.stringify({ passwordCredential: { displayName: "logged?" } }),
        })
      ).json()) as { secretText: string };
      assert.equal(typeof added.secretText, "string");

      server.kill("SIGTERM");
      await exited;
      assert.match(output, /"level":10/, "trace logging was on");
      assert.match(output, /client_secret=\*\*\*/, "the misplaced secret's request was logged, redacted");
      for (const secret of [EXAMPLE.secret, wrong, added.secretText, admin.clientSecret, adminToken.access_token]) {
        assert.ok(!output.includes(secret), `a secret reached the log`);
        assert.ok(!output.includes(encodeURIComponent(secret)), `an encoded secret reached the log`);
      }
    } finally {
      server.kill("SIGKILL");
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
