import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { after, before, describe, it } from "node:test";
import { startDemoBackends, type DemoBackends } from "../../src/demo/backends/index.js";
import { startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml, call } from "../helpers/gateway.js";

const KEYS = {
  product: "11111111111111111111111111111111",
  api: "22222222222222222222222222222222",
  all: "33333333333333333333333333333333",
  suspended: "44444444444444444444444444444444",
  otherProduct: "55555555555555555555555555555555",
};
const ACTIVITY = /^\{ "statusCode": 500, "message": "Internal server error", "activityId": "[0-9a-f-]{36}" \}$/;

describe("gateway errors and access rules", () => {
  let gh: TestGatehouse;
  let backends: DemoBackends;
  let slow: Server;
  let closedPort: number;

  before(async () => {
    backends = await startDemoBackends({ host: "127.0.0.1" });
    slow = createServer((_req, res) => void setTimeout(() => res.end("late"), 3000));
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    const slowPolicy = `<policies><inbound><base /></inbound><backend><forward-request timeout="1" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;
    const open = "subscriptionRequired: false";
    const onErrorPolicy = `<policies><on-error><base /><set-header name="X-On-Error" exists-action="override"><value>ran</value></set-header></on-error></policies>`;
    gh = await startTestGatehouse({
      config: `gateway:
  apis:
${apiYaml("keyed", backends.echoUrl)}${apiYaml("other", backends.echoUrl)}${apiYaml("open", backends.echoUrl, [open])}${apiYaml("in-open-product", backends.echoUrl)}${apiYaml("down", `http://127.0.0.1:${closedPort}`, [open])}${apiYaml("slow", slowUrl, [open, `policy: '${slowPolicy}'`])}${apiYaml("http-only", backends.echoUrl, [open, "protocols: [http]"])}${apiYaml("guarded", backends.echoUrl, [`policy: '${onErrorPolicy}'`])}  products:
    - { name: starter, displayName: Starter, apis: [keyed] }
    - { name: unlimited, displayName: Unlimited, apis: [other] }
    - { name: public, displayName: Public, subscriptionRequired: false, apis: [in-open-product] }
  subscriptions:
    - { name: s-product, displayName: P, scope: /products/starter, primaryKey: "${KEYS.product}" }
    - { name: s-api, displayName: A, scope: /apis/keyed, primaryKey: "${KEYS.api}" }
    - { name: s-all, displayName: All, scope: /apis, primaryKey: "${KEYS.all}" }
    - { name: s-suspended, displayName: S, scope: /products/starter, state: suspended, primaryKey: "${KEYS.suspended}" }
    - { name: s-other, displayName: O, scope: /products/unlimited, primaryKey: "${KEYS.otherProduct}" }
`,
    });
  });
  after(async () => {
    await gh.stop();
    await backends.close();
    await new Promise((resolve) => slow.close(resolve));
  });

  const get = (path: string, key?: string) =>
    call(gh, `${gh.gatewayUrl}${path}`, { headers: key ? { "ocp-apim-subscription-key": key } : {} });

  it("opens an API to product-, API- and all-APIs-scoped keys, and to nothing else", async () => {
    assert.equal((await get("/keyed/x", KEYS.product)).status, 200);
    assert.equal((await get("/keyed/x", KEYS.api)).status, 200);
    assert.equal((await get("/keyed/x", KEYS.all)).status, 200);
    assert.equal((await get("/other/x", KEYS.all)).status, 200);
    for (const [path, key] of [
      ["/keyed/x", KEYS.suspended],
      ["/keyed/x", KEYS.otherProduct],
      ["/other/x", KEYS.api],
      ["/other/x", KEYS.product],
    ] as const) {
      const reply = await get(path, key);
      assert.equal(reply.status, 401, `${path} with ${key}`);
      assert.match(reply.text, /invalid subscription key/);
    }
  });

  it("lets keyless calls through an API that needs no key or an open product, but checks a key that is sent", async () => {
    assert.equal((await get("/open/x")).status, 200);
    assert.equal((await get("/in-open-product/x")).status, 200);
    assert.equal((await get("/open/x", "not-a-key")).status, 401);
    assert.equal((await get("/keyed/x")).status, 401);
  });

  it("runs on-error for a refused key, as APIM does, keeping APIM's answer unless a policy changes it", async () => {
    const reply = await get("/guarded/x");
    assert.equal(reply.status, 401);
    assert.equal(reply.statusText, "Access Denied");
    assert.equal(reply.headers["x-on-error"], "ran");
    assert.match(String(reply.headers["www-authenticate"]), /^AzureApiManagementKey realm=/);
    assert.match(reply.text, /missing subscription key/);
    assert.equal((await get("/guarded/x", KEYS.all)).headers["x-on-error"], undefined);
  });

  it("answers 500 with an activityId when the backend cannot be reached", async () => {
    const reply = await get("/down/x");
    assert.equal(reply.status, 500);
    assert.match(reply.text, ACTIVITY);
    assert.doesNotMatch(reply.text, /ECONNREFUSED|127\.0\.0\.1/);
  });

  it("answers 500 with an activityId when the backend does not answer within forward-request's timeout", async () => {
    const started = Date.now();
    const reply = await get("/slow/x");
    assert.equal(reply.status, 500);
    assert.match(reply.text, ACTIVITY);
    assert.ok(Date.now() - started < 2900, "gave up at the timeout, not when the backend answered");
  });

  it("serves an API only on the protocols it lists", async () => {
    const reply = await get("/http-only/x");
    assert.equal(reply.status, 404);
    assert.equal(reply.text, '{ "statusCode": 404, "message": "Resource not found" }');
  });

  it("answers on both loopback addresses when it listens on localhost", async (t) => {
    const port = new URL(gh.gatewayUrl).port;
    assert.equal((await call(gh, `https://127.0.0.1:${port}/open/x`)).status, 200);
    const ipv6 = Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address === "::1"));
    if (!ipv6) return t.skip("this machine has no ::1");
    assert.equal((await call(gh, `https://[::1]:${port}/open/x`)).status, 200);
  });

  it("exports Prometheus metrics on the admin listener", async () => {
    const reply = await call(gh, `${gh.adminUrl}/metrics`);
    assert.equal(reply.status, 200);
    assert.match(reply.text, /gatehouse_gateway_requests_total\{api="keyed",operation="any",status="200"\} \d+/);
    assert.match(reply.text, /gatehouse_gateway_requests_total\{api="down",operation="any",status="500"\} 1/);
    assert.match(
      reply.text,
      /gatehouse_gateway_request_duration_seconds_bucket\{le="0.005",api="keyed",operation="any"\}/,
    );
    assert.match(reply.text, /gatehouse_gateway_backend_duration_seconds_count\{api="keyed"\} \d+/);
    assert.match(
      reply.text,
      /gatehouse_gateway_policy_rejections_total\{source="authorization",reason="SubscriptionKeyInvalid"\} \d+/,
    );
    assert.match(
      reply.text,
      /gatehouse_gateway_policy_rejections_total\{source="forward-request",reason="Timeout"\} 1/,
    );
    assert.match(
      reply.text,
      /gatehouse_gateway_policy_rejections_total\{source="forward-request",reason="BackendConnectionFailure"\} 1/,
    );
    assert.match(reply.text, /gatehouse_gateway_jwks_refreshes_total/);
  });
});
