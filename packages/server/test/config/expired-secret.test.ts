import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  EXAMPLE,
  EXAMPLE_CONFIG,
  exampleTokenForm,
  startTestGatehouse,
  type TestGatehouse,
} from "../helpers/gatehouse.js";

describe("an expired secret in the configuration", () => {
  let gh: TestGatehouse;
  before(async () => {
    gh = await startTestGatehouse({
      config: EXAMPLE_CONFIG.replace('endDateTime: "2030-01-01T00:00:00Z"', 'endDateTime: "2024-01-01T00:00:00Z"'),
    });
  });
  after(() => gh.stop());

  it("is accepted, and the token endpoint answers AADSTS7000222 for it", async () => {
    const res = await gh.postForm(gh.tokenUrl(), exampleTokenForm());
    assert.equal(res.status, 401);
    assert.deepEqual((res.body as { error_codes: number[] }).error_codes, [7000222]);
    const app = await gh.registry.read((repos) => repos.applications.getByAppId(EXAMPLE.clientAppId));
    const credential = app?.passwordCredentials[0];
    assert.equal(credential?.endDateTime, "2024-01-01T00:00:00.000Z");
    assert.ok(credential && credential.startDateTime < credential.endDateTime);
  });
});
