import assert from "node:assert/strict";
import cluster from "node:cluster";
import { after, before, describe, it } from "node:test";
import type { TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml, call, startGatewayTest, type GatewayTest } from "../helpers/gateway.js";

describe("gateway worker processes (--gateway-workers)", () => {
  let test: GatewayTest;
  let gh: TestGatehouse;

  before(async () => {
    test = await startGatewayTest(
      (backends) => `gateway:\n  apis:\n${apiYaml("echo", backends.echoUrl, ["subscriptionRequired: false"])}`,
      { overrides: { gatewayWorkers: 2 } },
    );
    gh = test.gh;
  });
  after(() => test.stop());

  it("serves the gateway from two worker processes on one port", async () => {
    assert.equal(Object.keys(cluster.workers ?? {}).length, 2);
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => call(gh, `${gh.gatewayUrl}/echo/${i}`)));
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
  });

  it("tells every worker about a change made through the admin API", async () => {
    const token = await gh.adminToken();
    const put = await call(gh, `${gh.adminUrl}/gateway/apis/echo/policies/policy`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        properties: {
          format: "rawxml",
          value: `<policies><inbound><base /><return-response><set-status code="418" reason="I'm a teapot" /></return-response></inbound></policies>`,
        },
      }),
    });
    assert.ok(put.status === 200 || put.status === 201, put.text);
    await gh.reloadGateway();
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => call(gh, `${gh.gatewayUrl}/echo/${i}`)));
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([418]));
  });

  it("sums the workers' metrics at /metrics", async () => {
    const text = await gh.gatewayMetrics();
    const line = text
      .split("\n")
      .find((l) => l.startsWith('gatehouse_gateway_requests_total{api="echo",operation="any",status="200"}'));
    assert.equal(Number(line?.split(" ").at(-1)), 20);
  });

  it("stops the workers on close", async () => {
    await test.stop();
    assert.equal(Object.keys(cluster.workers ?? {}).length, 0);
  });
});
