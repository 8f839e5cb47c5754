import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startDemoBackends, type DemoBackends } from "../../src/demo/backends/index.js";
import { startCliServer, type CliServer } from "../helpers/cli-server.js";
import { apiYaml } from "../helpers/gateway.js";
import { rawRequest } from "../helpers/raw-http.js";

const QUERY_V = `context.Request.Url.Query.GetValueOrDefault("v", "")`;
const ON_ERROR = `<on-error><base /><set-header name="X-On-Error" exists-action="override"><value>@(context.LastError.Reason)</value></set-header></on-error>`;

/** What each API's policy does with the query parameter `v` a client controls. */
const CASES: Record<string, { inbound?: string; outbound?: string }> = {
  "request-value": {
    inbound: `<set-header name="X-Copied" exists-action="override"><value>@(${QUERY_V})</value></set-header>`,
  },
  "response-value": {
    outbound: `<set-header name="X-Copied" exists-action="override"><value>@(${QUERY_V})</value></set-header>`,
  },
  "header-name": {
    inbound: `<set-header name="@(${QUERY_V})" exists-action="override"><value>1</value></set-header>`,
  },
  "status-reason": {
    inbound: `<return-response><set-status code="200" reason="@(${QUERY_V})" /></return-response>`,
  },
  rewrite: { inbound: `<rewrite-uri template="@(&quot;/x&quot; + ${QUERY_V.replace(/"/g, "&quot;")})" />` },
};

/** An open API on plain HTTP (the CLI server's) whose policy adds `policy`'s steps and ON_ERROR. */
function policyApi(name: string, serviceUrl: string, policy: { inbound?: string; outbound?: string }): string {
  const document = `<policies><inbound><base />${policy.inbound ?? ""}</inbound><backend><base /></backend><outbound><base />${policy.outbound ?? ""}</outbound>${ON_ERROR}</policies>`;
  return apiYaml(name, serviceUrl, ["subscriptionRequired: false", "protocols: [http]", "policy: |", `  ${document}`]);
}

/**
 * Finding 10: CR, LF, NUL (or any character HTTP cannot carry) that a policy copies from request data into a header,
 * a reason phrase or the backend path fail that policy: on-error runs and the log has a warning without a stack,
 * never the internal-error path (an error-level log with a stack).
 */
describe("control characters from request data", () => {
  let dataDir: string;
  let backends: DemoBackends;
  let server: CliServer;
  let gatewayUrl: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "gatehouse-ctl-"));
    backends = await startDemoBackends({ host: "127.0.0.1" });
    const apis = Object.entries(CASES).map(([name, policy]) => policyApi(name, backends.echoUrl, policy));
    const config = join(dataDir, "config.yaml");
    await writeFile(config, `gateway:\n  apis:\n${apis.join("")}`);
    server = await startCliServer(dataDir, ["--config", config, "--gateway-port", "0", "--log-level", "info"]);
    gatewayUrl = server.info.gatewayUrl;
  });
  after(async () => {
    await server.kill("SIGKILL");
    await backends.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const probe = async (api: string, value: string) => {
    const response = await fetch(`${gatewayUrl}/${api}/items?v=${encodeURIComponent(value)}`);
    const body = await response.text();
    assert.equal(response.status, 500, body);
    assert.match(body, /^\{ "statusCode": 500, "message": "Internal server error", "activityId": "[0-9a-f-]{36}" \}$/);
    assert.equal(response.headers.get("x-on-error"), "ExpressionValueEvaluationFailure", "on-error did not run");
    assert.equal(response.headers.get("injected"), null);
  };

  it("CR/LF copied into a request header value", () => probe("request-value", "a\r\nInjected: 1"));
  it("NUL copied into a request header value", () => probe("request-value", "a\u0000b"));
  it("CR/LF copied into a response header value", () => probe("response-value", "a\r\nInjected: 1"));
  it("text beyond Latin-1 copied into a response header value", () => probe("response-value", "price in €"));
  it("a header name holding NUL or a colon", async () => {
    await probe("header-name", "X-Bad\u0000");
    await probe("header-name", "Injected: 1");
  });
  it("CR/LF copied into set-status's reason phrase", () => probe("status-reason", "OK\r\nInjected: 1"));
  it("a space or CR/LF copied into rewrite-uri's path", async () => {
    await probe("rewrite", " y");
    await probe("rewrite", "\r\nInjected: 1");
  });

  it("a Host field that is no host gets APIM's 400, not the internal-error path", async () => {
    const response = await rawRequest(
      gatewayUrl,
      "GET /request-value/items HTTP/1.1\r\nHost: exa mple\r\nConnection: close\r\n\r\n",
    );
    assert.equal(response.status, 400);
    assert.equal(response.body, '{ "statusCode": 400, "message": "The Host header is not a valid host and port." }');
  });

  it("logs each as a warning without a stack, and nothing at error level", async () => {
    await server.kill("SIGTERM");
    const lines = server
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { level: number; msg: string; reason?: string; err?: unknown });
    const failed = lines.filter((line) => line.msg === "request failed");
    assert.equal(failed.length, 9, JSON.stringify(failed));
    for (const line of failed) {
      assert.equal(line.level, 40);
      assert.equal(line.reason, "ExpressionValueEvaluationFailure");
    }
    assert.deepEqual(
      lines.filter((line) => line.level >= 50),
      [],
    );
    assert.doesNotMatch(server.output(), /"stack"/);
  });
});
