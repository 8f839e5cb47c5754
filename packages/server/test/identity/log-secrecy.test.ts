import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXAMPLE, EXAMPLE_CONFIG, exampleTokenForm } from "../helpers/gatehouse.js";
import { fetchAdminToken, startCliServer } from "../helpers/cli-server.js";

describe("logs", () => {
  it("never contain a client secret, even at trace level and when a client puts it in the URL", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "gatehouse-logs-"));
    const config = join(dataDir, "config.yaml");
    await writeFile(config, EXAMPLE_CONFIG);
    const server = await startCliServer(dataDir, ["--config", config, "--log-level", "trace"], {
      CLIENT_APP_SECRET: EXAMPLE.secret,
    });
    try {
      const { identityUrl, adminUrl } = server.info;
      const tokenUrl = `${identityUrl}/${EXAMPLE.tenantId}/oauth2/v2.0/token`;
      const form = (secret: string) => new URLSearchParams(exampleTokenForm({ client_secret: secret }));
      const wrong = "Wrong-Secret-Value-0123456789";
      const basic = Buffer.from(`${EXAMPLE.clientAppId}:${encodeURIComponent(EXAMPLE.secret)}`).toString("base64");
      assert.equal((await fetch(tokenUrl, { method: "POST", body: form(EXAMPLE.secret) })).status, 200);
      assert.equal((await fetch(tokenUrl, { method: "POST", body: form(wrong) })).status, 401);
      assert.equal((await fetch(`${tokenUrl}?${form(EXAMPLE.secret).toString()}`, { method: "POST" })).status, 400);
      const viaBasic = await fetch(tokenUrl, {
        method: "POST",
        headers: { authorization: `Basic ${basic}` },
        body: new URLSearchParams({ grant_type: "client_credentials", scope: EXAMPLE.scope }),
      });
      assert.equal(viaBasic.status, 200);

      const admin = await fetchAdminToken(dataDir, identityUrl);
      const headers = { authorization: `Bearer ${admin.token}`, "content-type": "application/json" };
      const apps = (await (
        await fetch(`${adminUrl}/${EXAMPLE.tenantId}/v1.0/applications?$filter=appId eq '${EXAMPLE.clientAppId}'`, {
          headers,
        })
      ).json()) as { value: { id: string }[] };
      const added = (await (
        await fetch(`${adminUrl}/${EXAMPLE.tenantId}/v1.0/applications/${apps.value[0]?.id}/addPassword`, {
          method: "POST",
          headers,
          body: JSON.stringify({ passwordCredential: { displayName: "logged?" } }),
        })
      ).json()) as { secretText: string };
      assert.equal(typeof added.secretText, "string");

      await server.kill("SIGTERM");
      const output = server.output();
      assert.match(output, /"level":10/, "trace logging was on");
      assert.match(output, /client_secret=\*\*\*/, "the misplaced secret's request was logged, redacted");
      for (const secret of [EXAMPLE.secret, wrong, added.secretText, admin.secret, admin.token]) {
        assert.ok(!output.includes(secret), "a secret reached the log");
        assert.ok(!output.includes(encodeURIComponent(secret)), "an encoded secret reached the log");
      }
    } finally {
      await server.kill("SIGKILL");
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
