import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeProtectedHeader } from "jose";
import {
  EXAMPLE,
  EXAMPLE_CONFIG,
  exampleTokenForm,
  startTestGatehouse,
  type TestGatehouse,
} from "../helpers/gatehouse.js";
import { runCli } from "../helpers/cli.js";

const tokenForm = exampleTokenForm();

describe("signing key rotation", () => {
  let gh: TestGatehouse;
  before(async () => {
    gh = await startTestGatehouse({ config: EXAMPLE_CONFIG, overrides: { pollIntervalMs: 1000 } });
  });
  after(() => gh.stop());

  const kids = async () =>
    (
      (await gh.get(`${gh.identityUrl}/${EXAMPLE.tenantId}/discovery/v2.0/keys`)).body as { keys: { kid: string }[] }
    ).keys.map((k) => k.kid);
  const token = async () =>
    ((await gh.postForm(gh.tokenUrl(), tokenForm)).body as { access_token: string }).access_token;
  const verify = (t: string) =>
    gh.verify(t, { issuer: `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0`, audience: EXAMPLE.resourceAppId });

  it("`gatehouse keys rotate` on a running server takes effect within 15 s, with overlap", async () => {
    const before = await token();
    const oldKid = decodeProtectedHeader(before).kid as string;
    assert.deepEqual(await kids(), [oldKid]);

    const started = Date.now();
    const result = await runCli(["keys", "rotate", "--data", gh.dataDir]);
    assert.equal(result.code, 0, result.stderr);
    let newKid: string | undefined;
    while (Date.now() - started < 15_000) {
      const published = await kids();
      newKid = published.find((k) => k !== oldKid);
      if (newKid) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(newKid, "the rotated key was not published within 15 s");
    assert.deepEqual((await kids()).sort(), [oldKid, newKid].sort(), "JWKS publishes the current and the previous key");
    const after = await token();
    assert.equal(decodeProtectedHeader(after).kid, newKid);
    await verify(after);
    await verify(before); // signed before the rotation, still valid until it expires
  });

  it("repeated rotations keep every key whose tokens may still be alive", async () => {
    for (let i = 0; i < 3; i++) assert.equal((await runCli(["keys", "rotate", "--data", gh.dataDir])).code, 0);
    await gh.runtime.reload();
    // Every retired key is within the retention window here, so all stay published …
    assert.equal((await kids()).length, 5);
    // … and a token signed by any of them keeps verifying.
    await verify(await token());
  });
});
