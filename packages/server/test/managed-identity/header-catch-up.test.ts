import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fetchJson } from "../../src/util/https-fetch.js";
import { identityCli } from "../helpers/cli.js";
import { EXAMPLE_CONFIG, startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { RESOURCE } from "./helpers.js";

describe("an identity header the CLI has just added", () => {
  let gh: TestGatehouse;
  let data: string;
  const cli = identityCli(() => data);
  before(async () => {
    data = await mkdtemp(join(tmpdir(), "gatehouse-mi-catch-up-"));
    // A poll far longer than the test: only the endpoint's own catch-up can make the new value known in time.
    gh = await startTestGatehouse({ config: EXAMPLE_CONFIG, dataDir: data, overrides: { pollIntervalMs: 600_000 } });
  });
  after(async () => {
    await gh.stop();
    await rm(data, { recursive: true, force: true });
  });

  it("is accepted at once, though another process wrote it after the server's last reload", async () => {
    await cli("create-host", "billing", "--system-assigned");
    const lines = await cli("env", "billing", "--format", "dotenv", "--identity-url", gh.identityUrl);
    const header = /^IDENTITY_HEADER=(.+)$/m.exec(lines)?.[1]?.replace(/^"|"$/g, "");
    assert.ok(header, lines);
    const url = `${gh.identityUrl}/msi/token?api-version=2019-08-01&resource=${encodeURIComponent(RESOURCE)}`;
    const get = (value: string) => fetchJson(url, { headers: { "x-identity-header": value } }, gh.caPath);
    const accepted = await get(header);
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal(typeof (accepted.body as { access_token?: unknown }).access_token, "string");

    const refused = await get(`${header}x`);
    assert.equal(refused.status, 401);
    assert.match((refused.body as { message: string }).message, /X-IDENTITY-HEADER header is not valid/);
  });
});
