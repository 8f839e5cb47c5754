import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EchoReply } from "../../src/demo/backends/index.js";
import { GatewayConflictError, GatewayValidationError } from "../../src/gateway/model/errors.js";
import type { TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml, call, startGatewayTest, type GatewayTest } from "../helpers/gateway.js";

/** set-backend-service backend-id: the backend entity's URL and credentials go on the forwarded request. */
describe("a backend entity with credentials", () => {
  let test: GatewayTest;
  let gh: TestGatehouse;

  before(async () => {
    const policy = `<policies><inbound><base /><set-backend-service backend-id="echo-backend" /></inbound></policies>`;
    test = await startGatewayTest(
      (backends) => `gateway:
  namedValues:
    - { name: backend-key, value: "k-123", secret: true }
  backends:
    - name: echo-backend
      url: ${backends.echoUrl}/base
      credentials:
        header: { x-api-key: ["{{backend-key}}"] }
        query: { code: ["c1", "c2"] }
        authorization: { scheme: Basic, parameter: "dXNlcjpwYXNz" }
  apis:
${apiYaml("via-entity", "http://127.0.0.1:9", ["subscriptionRequired: false", `policy: '${policy}'`])}`,
    );
    gh = test.gh;
  });
  after(() => test.stop());

  it("sends to the entity's URL with its headers, query parameters and authorization", async () => {
    const reply = await call(gh, `${gh.gatewayUrl}/via-entity/items?x=1`);
    assert.equal(reply.status, 200, reply.text);
    const echoed = reply.json<EchoReply>();
    assert.equal(echoed.path, "/base/items");
    assert.deepEqual(echoed.query, { x: ["1"], code: ["c1", "c2"] });
    assert.equal(echoed.headers["x-api-key"], "k-123");
    assert.equal(echoed.headers.authorization, "Basic dXNlcjpwYXNz");
  });

  it("keeps the named value a used backend refers to, and refuses a backend reference to an unknown one", async () => {
    await assert.rejects(gh.gateway.namedValues.delete("backend-key"), GatewayConflictError);
    await gh.gateway.backends.put("dangling", {
      url: "http://127.0.0.1:9",
      credentials: { header: { k: ["{{nope}}"] } },
    });
    await assert.rejects(
      gh.gateway.policies.put(
        { kind: "api", api: "via-entity" },
        `<policies><inbound><set-backend-service backend-id="dangling" /></inbound></policies>`,
      ),
      (error: Error) =>
        error instanceof GatewayValidationError && /Named value '\{\{nope\}\}' does not exist/.test(error.message),
    );
  });

  it("leaves the client's own query alone on the next request", async () => {
    const echoed = (await call(gh, `${gh.gatewayUrl}/via-entity/items?y=2`)).json<EchoReply>();
    assert.deepEqual(echoed.query, { y: ["2"], code: ["c1", "c2"] });
  });
});
