import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TraceDocument } from "../../src/gateway/tracing/recorder.js";
import type { TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml, call, startGatewayTest, type GatewayTest } from "../helpers/gateway.js";

const POLICY =
  '<policies><inbound><base /><emit-metric name="Requests" namespace="tests"><dimension name="API ID" /><dimension name="Client" value="c1" /></emit-metric></inbound></policies>';

/** emit-metric and tracing where gateway workers serve the requests: /metrics sums them, any node reads a trace. */
describe("emit-metric and tracing with gateway workers", () => {
  let test: GatewayTest;
  let gh: TestGatehouse;

  before(async () => {
    test = await startGatewayTest(
      (backends) =>
        `gateway:\n  apis:\n${apiYaml("metered", backends.echoUrl, ["subscriptionRequired: false", `policy: '${POLICY}'`])}`,
      { overrides: { gatewayWorkers: 2 } },
    );
    gh = test.gh;
  });
  after(() => test.stop());

  it("counts emit-metric on the admin listener's /metrics, summed across the workers", async () => {
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => call(gh, `${gh.gatewayUrl}/metered/${i}`)));
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
    const metrics = await call(gh, `${gh.adminUrl}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /# TYPE gatehouse_custom_requests_total counter/);
    assert.match(
      metrics.text,
      /^gatehouse_custom_requests_total\{namespace="tests",api_id="metered",client="c1"\} 20$/m,
    );
  });

  it("answers a traced request from a worker with a location the admin API serves", async () => {
    const token = await gh.adminToken();
    const on = await call(gh, `${gh.adminUrl}/gateway/apis/metered/tracing`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ enabled: true, expiresAfter: "PT5M" }),
    });
    assert.equal(on.status, 200, on.text);
    await gh.reloadGateway();
    const reply = await call(gh, `${gh.gatewayUrl}/metered/traced`);
    const location = reply.headers["ocp-apim-trace-location"];
    assert.equal(typeof location, "string");
    assert.ok((location as string).startsWith(`${gh.adminUrl}/gateway/traces/`));
    let fetched = await call(gh, location as string);
    for (let i = 0; i < 100 && fetched.status === 404; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      fetched = await call(gh, location as string);
    }
    assert.equal(fetched.status, 200, fetched.text);
    const trace = fetched.json<TraceDocument>();
    assert.deepEqual(
      trace.steps.map((s) => s.policy),
      ["emit-metric", "forward-request"],
    );
  });
});
