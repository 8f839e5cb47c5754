import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  EXAMPLE,
  EXAMPLE_CONFIG,
  exampleTokenForm,
  startTestGatehouse,
  type TestGatehouse,
} from "../helpers/gatehouse.js";
import { rawTarget } from "../helpers/raw-http.js";

/**
 * The gateway's dot-segment finding, tried on the identity and admin listeners: their router matches paths as sent
 * (it resolves no dot segments), so a dotted spelling of an endpoint is not that endpoint. It must be answered in the
 * service's own error format, never served.
 */
describe("dot segments on the identity and admin listeners", () => {
  let gh: TestGatehouse;
  let identityPort: number;
  let adminPort: number;
  let adminToken: string;

  before(async () => {
    gh = await startTestGatehouse({ config: EXAMPLE_CONFIG, overrides: { tls: { mode: "insecure" } } });
    identityPort = Number(new URL(gh.identityUrl).port);
    adminPort = Number(new URL(gh.adminUrl).port);
    adminToken = await gh.adminToken();
  });
  after(() => gh.stop());

  const token = (target: string) =>
    rawTarget(identityPort, "POST", target, {
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(exampleTokenForm()).toString(),
    });

  it("issues no token at a dotted spelling of the token endpoint: AADSTS errors instead", async () => {
    const tenant = EXAMPLE.tenantId;
    assert.equal((await token(`/${tenant}/oauth2/v2.0/token`)).status, 200);
    for (const target of [
      `/other/../${tenant}/oauth2/v2.0/token`,
      `/${tenant}/x/../oauth2/v2.0/token`,
      `/${tenant}/oauth2/v2.0/%2e%2e/v2.0/token`,
      `/${tenant}//oauth2/v2.0/token`,
    ]) {
      const reply = await token(target);
      assert.equal(reply.status, 404, target);
      assert.match(JSON.parse(reply.body).error_description as string, /^AADSTS90100: /, target);
    }
    for (const target of [
      "/../oauth2/v2.0/token",
      "/%2e%2e/oauth2/v2.0/token",
      `/${tenant}%2F..%2Fx/oauth2/v2.0/token`,
    ]) {
      const reply = await token(target);
      assert.equal(reply.status, 400, target);
      const body = JSON.parse(reply.body) as { error: string; error_description: string };
      assert.equal(body.error, "invalid_request", target);
      assert.match(body.error_description, /^AADSTS900023: /, target);
    }
  });

  it("serves no admin resource at a dotted spelling of its path: Graph's 404 instead", async () => {
    const get = (target: string) =>
      rawTarget(adminPort, "GET", target, { headers: { Authorization: `Bearer ${adminToken}` } });
    assert.equal((await get("/v1.0/applications")).status, 200);
    for (const target of [
      "/x/../v1.0/applications",
      "/v1.0/x/../applications",
      "/v1.0/%2e%2e/v1.0/applications",
      `/x/../${EXAMPLE.tenantId}/v1.0/applications`,
    ]) {
      const reply = await get(target);
      assert.equal(reply.status, 404, target);
      assert.equal((JSON.parse(reply.body) as { error: { code: string } }).error.code, "Request_ResourceNotFound");
    }
  });
});
