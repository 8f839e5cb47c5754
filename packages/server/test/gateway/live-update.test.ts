import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { call } from "../helpers/gateway.js";

/** Version N of the API's policy marks both the forwarded request and the response with N. */
const policy = (version: number) => `<policies>
  <inbound><base /><set-header name="X-Policy-Version" exists-action="override"><value>${version}</value></set-header></inbound>
  <backend><base /></backend>
  <outbound><base /><set-header name="X-Policy-Version" exists-action="override"><value>${version}</value></set-header></outbound>
  <on-error><base /></on-error>
</policies>`;

describe("configuration changes while requests are in flight", () => {
  let gh: TestGatehouse;
  let backend: Server;

  before(async () => {
    // A slow backend that reports which policy version the request it received was prepared by.
    backend = createServer((req, res) => {
      setTimeout(() => res.end(String(req.headers["x-policy-version"] ?? "none")), 150);
    });
    await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
    const port = (backend.address() as AddressInfo).port;
    gh = await startTestGatehouse({
      config: `gateway:
  apis:
    - name: live
      displayName: Live
      path: live
      serviceUrl: http://127.0.0.1:${port}
      subscriptionRequired: false
      operations:
        - { name: get, displayName: Get, method: GET, urlTemplate: "/" }
`,
    });
    await gh.gateway.policies.put({ kind: "api", api: "live" }, policy(1));
    await gh.reloadGateway();
  });
  after(async () => {
    await gh.stop();
    await new Promise((resolve) => backend.close(resolve));
  });

  it("applies a policy set through the admin API within a second; every request sees one version and completes", async () => {
    const results: { started: number; finished: number; status: number; inbound: string; outbound: string }[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        const started = Date.now();
        const reply = await call(gh, `${gh.gatewayUrl}/live`);
        results.push({
          started,
          finished: Date.now(),
          status: reply.status,
          inbound: reply.text,
          outbound: String(reply.headers["x-policy-version"]),
        });
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await sleep(400);

    const token = await gh.adminToken();
    const put = await call(gh, `${gh.adminUrl}/gateway/apis/live/policies/policy`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ properties: { format: "rawxml", value: policy(2) } }),
    });
    assert.ok(put.status === 200 || put.status === 201, put.text);
    const changedAt = Date.now();
    await sleep(1500);
    running = false;
    await Promise.all(workers);

    assert.ok(results.length > 40, `enough traffic (${results.length})`);
    for (const r of results) {
      assert.equal(r.status, 200, "every request completes");
      // Old or new, never a mix: the request was forwarded and answered by the same pipeline version.
      assert.equal(r.inbound, r.outbound);
    }
    assert.ok(
      results.some((r) => r.outbound === "1" && r.finished > changedAt),
      "requests in flight finish on v1",
    );
    const late = results.filter((r) => r.started >= changedAt + 1000);
    assert.ok(late.length > 0);
    assert.ok(
      late.every((r) => r.outbound === "2"),
      "a second after the change every request runs the new policy",
    );
  });
});
