import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SignJWT } from "jose";
import type { TraceDocument } from "../../src/gateway/tracing/recorder.js";
import type { TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml, call, startGatewayTest, type GatewayReply, type GatewayTest } from "../helpers/gateway.js";

const SECRET = Buffer.from("gatehouse-tracing-test-secret-of-32+bytes");
const KEYS = { tracing: "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", plain: "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2" };

const POLICY = `<policies>
  <inbound>
    <base />
    <validate-jwt header-name="Authorization" require-scheme="Bearer">
      <issuer-signing-keys><key>${SECRET.toString("base64")}</key></issuer-signing-keys>
      <audiences><audience>api://orders</audience></audiences>
    </validate-jwt>
    <set-header name="X-Tenant-Seen" exists-action="override">
      <value>@(context.Request.Headers.GetValueOrDefault("X-Tenant", "none"))</value>
    </set-header>
    <trace source="Orders API" severity="information">
      <message>token accepted</message>
      <metadata name="stage" value="inbound" />
    </trace>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
</policies>`;

const sign = (expiresIn: string | number) =>
  new SignJWT({ sub: "client-1" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setAudience("api://orders")
    .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
    .setExpirationTime(expiresIn)
    .sign(SECRET);

describe("request tracing", () => {
  let test: GatewayTest;
  let gh: TestGatehouse;
  let adminToken: string;

  before(async () => {
    const policyLines = ["policy: |", ...POLICY.split("\n").map((line) => `  ${line}`)];
    test = await startGatewayTest(
      (backends) => `gateway:
  apis:
${apiYaml("orders", backends.echoUrl, policyLines)}${apiYaml("open", backends.echoUrl, ["subscriptionRequired: false"])}  subscriptions:
    - { name: s-tracing, displayName: Tracing, scope: /apis, allowTracing: true, primaryKey: "${KEYS.tracing}" }
    - { name: s-plain, displayName: Plain, scope: /apis, primaryKey: "${KEYS.plain}" }
`,
    );
    gh = test.gh;
    adminToken = await gh.adminToken();
  });
  after(() => test.stop());

  const get = (path: string, headers: Record<string, string>) => call(gh, `${gh.gatewayUrl}${path}`, { headers });
  const admin = (method: string, path: string, body?: unknown) =>
    call(gh, `${gh.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  /** The trace at the location, fetched without credentials; saving it follows the response, so it may take a moment. */
  async function traceAt(reply: GatewayReply): Promise<TraceDocument> {
    const location = reply.headers["ocp-apim-trace-location"];
    assert.equal(typeof location, "string", "Ocp-Apim-Trace-Location");
    for (let attempt = 0; ; attempt++) {
      const fetched = await call(gh, location as string);
      if (fetched.status === 200) return fetched.json<TraceDocument>();
      assert.equal(fetched.status, 404, fetched.text);
      assert.ok(attempt < 100, "the trace was saved");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("traces a request with Ocp-Apim-Trace and a key that allows tracing, with validate-jwt's hidden reason", async () => {
    const reply = await get("/orders/items", {
      "ocp-apim-subscription-key": KEYS.tracing,
      "ocp-apim-trace": "true",
      authorization: `Bearer ${await sign(Math.floor(Date.now() / 1000) - 60)}`,
    });
    assert.equal(reply.status, 401);
    assert.equal(reply.text, '{ "statusCode": 401, "message": "Invalid JWT." }', "the client is not told why");
    assert.match(
      String(reply.headers["ocp-apim-trace-location"]),
      /^https:\/\/localhost:\d+\/gateway\/traces\/[\w-]+\?expires=\d+&sig=[\w-]+$/,
    );

    const trace = await traceAt(reply);
    assert.equal(trace.api, "orders");
    assert.equal(trace.trigger, "header");
    assert.equal(trace.request.method, "GET");
    assert.deepEqual(trace.request.headers["ocp-apim-subscription-key"], ["***"]);
    assert.deepEqual(trace.request.headers.authorization, ["Bearer ***"]);
    assert.deepEqual(
      trace.steps.map((s) => [s.section, s.policy, s.outcome]),
      [["inbound", "validate-jwt", "failed"]],
    );
    const failure = trace.steps[0]?.error;
    assert.equal(failure?.source, "validate-jwt");
    assert.equal(failure?.reason, "TokenExpired");
    assert.match(failure?.message ?? "", /IDX10223: Lifetime validation failed\. The token is expired\./);
    assert.equal(trace.lastError?.reason, "TokenExpired");
    assert.equal(trace.backend, undefined, "the backend was never called");
    assert.equal(trace.response.status, 401);
    assert.ok(trace.elapsedMs >= (trace.steps[0]?.startMs ?? 0));
  });

  it("records every step in order with its expressions' values, the trace policy's message, the backend exchange and the response", async () => {
    const reply = await get("/orders/items?subscription-key=ignored", {
      "x-tenant": "contoso",
      "ocp-apim-subscription-key": KEYS.tracing,
      "ocp-apim-trace": "true",
      authorization: `Bearer ${await sign("10m")}`,
    });
    assert.equal(reply.status, 200, reply.text);
    const trace = await traceAt(reply);
    assert.deepEqual(
      trace.steps.map((s) => `${s.section}:${s.scope}:${s.policy}:${s.outcome}`),
      [
        "inbound:api:validate-jwt:ok",
        "inbound:api:set-header:ok",
        "inbound:api:trace:ok",
        "backend:global:forward-request:ok",
      ],
    );
    assert.deepEqual(trace.steps[1]?.inputs, [{ name: "set-header value", value: "contoso" }], "expression values");
    assert.equal(trace.steps[0]?.inputs, undefined, "literal values are not inputs");
    for (const [i, step] of trace.steps.entries()) {
      assert.ok(step.elapsedMs >= 0);
      if (i > 0) assert.ok(step.startMs >= (trace.steps[i - 1]?.startMs ?? 0), "in order");
    }
    assert.deepEqual(
      trace.messages.map((m) => [m.source, m.severity, m.message, m.metadata]),
      [["Orders API", "information", "token accepted", { stage: "inbound" }]],
    );
    assert.match(trace.request.url, /subscription-key=\*\*\*/);
    assert.match(trace.backend?.url ?? "", /^http:\/\/127\.0\.0\.1:\d+\/items\?subscription-key=\*\*\*$/);
    assert.equal(trace.backend?.status, 200);
    assert.equal(trace.response.status, 200);
    assert.equal(trace.lastError, undefined);
  });

  it("does not trace without a key that allows tracing, or without the header", async () => {
    const token = `Bearer ${await sign("10m")}`;
    const plain = await get("/orders/x", {
      "ocp-apim-subscription-key": KEYS.plain,
      "ocp-apim-trace": "true",
      authorization: token,
    });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers["ocp-apim-trace-location"], undefined);
    const noHeader = await get("/orders/x", { "ocp-apim-subscription-key": KEYS.tracing, authorization: token });
    assert.equal(noHeader.headers["ocp-apim-trace-location"], undefined);
    const open = await get("/open/x", { "ocp-apim-trace": "true" });
    assert.equal(open.headers["ocp-apim-trace-location"], undefined, "no key, no tracing");
  });

  it("serves a trace to an admin token, through listTrace too, and refuses a forged or missing signature", async () => {
    const reply = await get("/orders/x", { "ocp-apim-subscription-key": KEYS.tracing, "ocp-apim-trace": "true" });
    const trace = await traceAt(reply);
    const url = new URL(String(reply.headers["ocp-apim-trace-location"]));
    const byToken = await admin("GET", url.pathname);
    assert.equal(byToken.status, 200, byToken.text);
    assert.equal(byToken.json<TraceDocument>().id, trace.id);
    const listed = await admin("POST", "/gateway/gateways/managed/listTrace", { traceId: trace.id });
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.json<TraceDocument>().id, trace.id);
    assert.equal((await admin("POST", "/gateway/gateways/managed/listTrace", { traceId: "nope" })).status, 404);

    const anonymous = await call(gh, `${url.origin}${url.pathname}`);
    assert.equal(anonymous.status, 401);
    const sig = url.searchParams.get("sig") ?? "";
    url.searchParams.set("sig", `${sig.slice(0, -2)}${sig.endsWith("AA") ? "BB" : "AA"}`);
    const forged = await call(gh, url.href);
    assert.equal(forged.status, 403);
    assert.equal(forged.json<{ error: { code: string } }>().error.code, "AuthorizationFailed");
    url.searchParams.set("sig", sig);
    url.searchParams.set("expires", String(Number(url.searchParams.get("expires")) + 60));
    assert.equal((await call(gh, url.href)).status, 403, "the expiry is signed");
  });

  it("traces every request of an API the admin turned tracing on for, until turned off", async () => {
    assert.deepEqual((await admin("GET", "/gateway/apis/open/tracing")).json(), { enabled: false, expiresAt: null });
    const on = await admin("POST", "/gateway/apis/open/tracing", { enabled: true, expiresAfter: "PT10M" });
    assert.equal(on.status, 200, on.text);
    const state = on.json<{ enabled: boolean; expiresAt: string }>();
    assert.equal(state.enabled, true);
    const minutes = (Date.parse(state.expiresAt) - Date.now()) / 60_000;
    assert.ok(minutes > 9 && minutes <= 10, `expires in ${minutes} minutes`);
    await gh.reloadGateway();

    const traced = await get("/open/x", {});
    assert.equal(traced.status, 200);
    const trace = await traceAt(traced);
    assert.equal(trace.trigger, "api");
    assert.equal(trace.api, "open");
    assert.equal(
      (await get("/orders/x", { "ocp-apim-subscription-key": KEYS.plain })).headers["ocp-apim-trace-location"],
      undefined,
    );

    const off = await admin("POST", "/gateway/apis/open/tracing", { enabled: false });
    assert.deepEqual(off.json(), { enabled: false, expiresAt: null });
    await gh.reloadGateway();
    assert.equal((await get("/open/x", {})).headers["ocp-apim-trace-location"], undefined);
  });

  it("refuses API tracing longer than an hour, or for an unknown API", async () => {
    const long = await admin("POST", "/gateway/apis/open/tracing", { enabled: true, expiresAfter: "PT2H" });
    assert.equal(long.status, 400);
    assert.match(long.text, /PT1S to PT1H/);
    assert.equal(
      (await admin("POST", "/gateway/apis/open/tracing", { enabled: true, expiresAfter: "1h" })).status,
      400,
    );
    assert.equal((await admin("POST", "/gateway/apis/nope/tracing", { enabled: true })).status, 404);
    assert.equal((await call(gh, `${gh.adminUrl}/gateway/apis/open/tracing`)).status, 401, "admin only");
  });
});
