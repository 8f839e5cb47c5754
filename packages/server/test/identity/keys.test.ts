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

  /** Polls the JWKS until `condition` holds on it (a running server reloads within its poll interval). */
  const published = async (condition: (kids: string[]) => boolean): Promise<string[]> => {
    const started = Date.now();
    let current = await kids();
    while (!condition(current) && Date.now() - started < 15_000) {
      await new Promise((r) => setTimeout(r, 250));
      current = await kids();
    }
    assert.ok(condition(current), `the JWKS did not change as expected within 15 s: ${current.join(", ")}`);
    return current;
  };
  const signingKid = async () => decodeProtectedHeader(await token()).kid as string;

  it("`gatehouse keys rotate` publishes the next key at once and signs with it only after the lead time (a day)", async () => {
    const oldKid = await signingKid();
    assert.deepEqual(await kids(), [oldKid]);

    const result = await runCli(["keys", "rotate", "--data", gh.dataDir]);
    assert.equal(result.code, 0, result.stderr);
    const nextKid = (await published((k) => k.length === 2)).find((k) => k !== oldKid) as string;
    assert.match(result.stdout, new RegExp(`New signing key ${nextKid}, published .*; it signs from `));
    const activation = Date.parse(/signs from (\S+)\./.exec(result.stdout)?.[1] ?? "");
    assert.ok(activation - Date.now() > 23 * 3600_000, "a day ahead");
    assert.deepEqual(await kids(), [oldKid, nextKid], "the signing key first, then the next one");
    // Validators that refresh on a schedule get the next key long before it signs anything.
    assert.equal(await signingKid(), oldKid);
    await verify(await token());
  });

  it("`keys rotate --now` signs with the new key within seconds; the previous one stays published", async () => {
    const before = await token();
    const oldKids = await kids();
    const result = await runCli(["keys", "rotate", "--now", "--data", gh.dataDir]);
    assert.equal(result.code, 0, result.stderr);
    const newKid = (await published((k) => k.length === oldKids.length + 1)).find((k) => !oldKids.includes(k));
    assert.ok(newKid);
    const after = await token();
    assert.equal(decodeProtectedHeader(after).kid, newKid);
    await verify(after);
    await verify(before); // signed before the rotation, still valid until it expires
  });

  it("a key rotated with a short lead time starts signing when its time comes, with no other change", async () => {
    const oldKid = await signingKid();
    const oldKids = await kids();
    const result = await runCli(["keys", "rotate", "--lead-time", "3", "--data", gh.dataDir]);
    assert.equal(result.code, 0, result.stderr);
    const nextKid = (await published((k) => k.length === oldKids.length + 1)).find((k) => !oldKids.includes(k));
    const activation = Date.parse(/signs from (\S+)\./.exec(result.stdout)?.[1] ?? "");
    if (Date.now() < activation) assert.equal(await signingKid(), oldKid, "not before its activation");
    await new Promise((r) => setTimeout(r, Math.max(0, activation - Date.now() + 50)));
    const after = await token();
    assert.equal(decodeProtectedHeader(after).kid, nextKid);
    await verify(after);
  });

  it("refuses --lead-time with --now, and a lead time that is not a whole number of seconds", async () => {
    for (const args of [
      ["--now", "--lead-time", "60"],
      ["--lead-time", "-1"],
      ["--lead-time", "1.5"],
    ]) {
      const result = await runCli(["keys", "rotate", ...args, "--data", gh.dataDir]);
      assert.notEqual(result.code, 0, args.join(" "));
      assert.match(result.stderr, /error: /);
    }
  });

  it("repeated rotations keep every key whose tokens may still be alive", async () => {
    const before = (await kids()).length;
    for (let i = 0; i < 3; i++) assert.equal((await runCli(["keys", "rotate", "--now", "--data", gh.dataDir])).code, 0);
    await gh.runtime.reload();
    // Every retired key is within the retention window here, so all stay published …
    assert.equal((await kids()).length, before + 3);
    // … and a token signed by any of them keeps verifying.
    await verify(await token());
  });
});
