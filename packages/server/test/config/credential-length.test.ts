/**
 * Finding 7 of the hardening issue: configured secrets and keys get a minimum length (generated ones are 256-bit).
 * Client secrets already needed 16 characters; subscription keys given in YAML or through ARM now need as many,
 * refused with the counterpart's error naming the field.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startAdminHarness, type AdminHarness } from "../admin/helpers.js";
import { assertArmError, put, SHORT } from "../admin-gateway/helpers.js";
import { startTestGatehouse } from "../helpers/gatehouse.js";

const SIXTEEN = "0123456789abcdef";
const FIFTEEN = "0123456789abcde";

describe("the minimum length of configured subscription keys", () => {
  let h: AdminHarness;

  before(async () => {
    h = await startAdminHarness();
    await put(h, `${SHORT}/apis/echo`, { properties: { displayName: "echo", path: "echo" } });
  });
  after(() => h.close());

  it("refuses a shorter key through ARM with a ValidationError naming it, on PUT and PATCH", async () => {
    for (const field of ["primaryKey", "secondaryKey"]) {
      const refused = await h.call("PUT", `${SHORT}/subscriptions/short`, {
        body: { properties: { displayName: "Short", scope: "/apis", [field]: FIFTEEN } },
      });
      const error = assertArmError(refused, 400, "ValidationError");
      assert.match(JSON.stringify(error), new RegExp(field), refused.text);
      assert.doesNotMatch(refused.text, new RegExp(FIFTEEN), "the key is not echoed");
    }
    await put(h, `${SHORT}/subscriptions/long-enough`, {
      properties: { displayName: "Long enough", scope: "/apis", primaryKey: SIXTEEN },
    });
    const patched = await h.call("PATCH", `${SHORT}/subscriptions/long-enough`, {
      body: { properties: { secondaryKey: FIFTEEN } },
    });
    assertArmError(patched, 400, "ValidationError");
    const keys = await h.call<{ primaryKey: string }>("POST", `${SHORT}/subscriptions/long-enough/listSecrets`);
    assert.equal(keys.json.primaryKey, SIXTEEN);
  });

  it("refuses a shorter key in the YAML configuration at start, naming the field", async () => {
    const config = (key: string) => `gateway:
  apis:
    - { name: echo, displayName: Echo, path: echo, serviceUrl: "http://127.0.0.1:9" }
  subscriptions:
    - { name: s1, displayName: S1, scope: /apis, primaryKey: "${key}" }
`;
    const dataDir = await mkdtemp(join(tmpdir(), "gatehouse-key-length-"));
    try {
      await assert.rejects(startTestGatehouse({ config: config(FIFTEEN), dataDir }), (error: Error) => {
        assert.match(error.message, /primaryKey/);
        assert.match(error.message, /must be 16 to 256 printable ASCII characters/);
        assert.doesNotMatch(error.message, new RegExp(FIFTEEN), "the key is not echoed");
        return true;
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    const gh = await startTestGatehouse({ config: config(SIXTEEN) });
    await gh.stop();
  });
});
