import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { GatewayResponse } from "../../src/gateway/pipeline/context.js";
import { executePipeline } from "../../src/gateway/pipeline/executor.js";
import { harness, headersOf, loadError, pipelineOf, policies, run } from "./helpers.js";

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A loopback server that records what it got, answers JSON, and never answers `/slow`. */
async function startServer() {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (req.url === "/slow") return;
      res.setHeader("content-type", "application/json");
      res.setHeader("x-server", "loopback");
      res.statusCode = req.url === "/missing" ? 404 : 200;
      res.end(JSON.stringify({ active: req.url !== "/inactive", method: req.method }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("send-request", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let closedUrl: string;

  before(async () => {
    server = await startServer();
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
  });
  after(() => server.close());

  const inbound = (inner: string) => ({ api: policies({ inbound: inner }) });

  it("sends a new request and keeps the response, body read, in the variable", async () => {
    const { context, forwarded } = await run(
      inbound(`<send-request mode="new" response-variable-name="introspection" timeout="5">
        <set-url>${server.url}/introspect?token=abc</set-url>
        <set-method>POST</set-method>
        <set-header name="Content-Type" exists-action="override"><value>application/x-www-form-urlencoded</value></set-header>
        <set-header name="X-Tag" exists-action="append"><value>a</value><value>b</value></set-header>
        <set-body>token=abc</set-body>
      </send-request>`),
    );
    assert.equal(context.lastError, undefined);
    assert.equal(forwarded.length, 0, "inbound alone forwards nothing");
    const got = server.received.at(-1) as Received;
    assert.equal(got.method, "POST");
    assert.equal(got.url, "/introspect?token=abc");
    assert.equal(got.headers["content-type"], "application/x-www-form-urlencoded");
    assert.equal(got.headers["x-tag"], "a,b");
    assert.equal(got.body, "token=abc");
    const response = context.variables.get("introspection") as GatewayResponse;
    assert.equal(response.statusCode, 200);
    assert.ok(Buffer.isBuffer(response.body));
    assert.deepEqual(JSON.parse(String(response.body)), { active: true, method: "POST" });
    assert.equal(response.headers.get("x-server"), "loopback");
  });

  it("lets return-response answer with the stored response, changed by its children", async () => {
    const { context, forwarded } = await run(
      inbound(`<send-request response-variable-name="upstream"><set-url>${server.url}/missing</set-url></send-request>
        <return-response response-variable-name="upstream">
          <set-header name="X-Relayed" exists-action="override"><value>yes</value></set-header>
        </return-response>`),
    );
    assert.equal(forwarded.length, 0);
    assert.equal(context.response?.statusCode, 404);
    assert.equal(context.response?.headers.get("x-server"), "loopback");
    assert.equal(context.response?.headers.get("x-relayed"), "yes");
    assert.deepEqual(JSON.parse(String(context.response?.body)), { active: true, method: "GET" });
    const stored = context.variables.get("upstream") as GatewayResponse;
    assert.equal(stored.headers.get("x-relayed"), undefined, "the stored response is not changed");
  });

  it("fails return-response whose variable holds no response", async () => {
    const { context } = await run(
      inbound(`<set-variable name="upstream" value="text" /><return-response response-variable-name="upstream" />`),
    );
    assert.equal(context.response?.statusCode, 500);
    assert.equal(context.lastError?.source, "return-response");
    assert.equal(context.lastError?.reason, "ResponseVariableInvalid");
    assert.match(context.lastError?.message ?? "", /does not hold a response/);
  });

  it("keeps a 4xx answer as a response: only failures to get one are errors", async () => {
    const { context } = await run(
      inbound(`<send-request response-variable-name="r"><set-url>${server.url}/missing</set-url></send-request>`),
    );
    assert.equal(context.lastError, undefined);
    assert.equal((context.variables.get("r") as GatewayResponse).statusCode, 404);
    assert.equal(server.received.at(-1)?.method, "GET", "GET without set-method");
  });

  it("fails the request with a 500 and LastError Timeout when the server does not answer in time", async () => {
    const { context } = await run(
      inbound(
        `<send-request response-variable-name="r" timeout="1"><set-url>${server.url}/slow</set-url></send-request>`,
      ),
    );
    assert.equal(context.response?.statusCode, 500);
    assert.match(
      String(context.response?.body),
      /^\{ "statusCode": 500, "message": "Internal server error", "activityId": /,
    );
    assert.equal(context.lastError?.source, "send-request");
    assert.equal(context.lastError?.reason, "Timeout");
    assert.equal(context.variables.has("r"), false);
  });

  it("sets the variable to null with ignore-error, for a timeout and for an unreachable server", async () => {
    for (const url of [`${server.url}/slow`, closedUrl]) {
      const { context, forwarded } = await run({
        api: policies({
          inbound: `<send-request response-variable-name="r" timeout="1" ignore-error="true"><set-url>${url}</set-url></send-request>`,
          backend: "<forward-request/>",
        }),
      });
      assert.equal(context.lastError, undefined, url);
      assert.equal(context.variables.get("r"), null, url);
      assert.equal(forwarded.length, 1, "the request goes on");
    }
  });

  it("reports an unreachable server as BackendConnectionFailure", async () => {
    const { context } = await run(
      inbound(`<send-request response-variable-name="r"><set-url>${closedUrl}/x</set-url></send-request>`),
    );
    assert.equal(context.response?.statusCode, 500);
    assert.equal(context.lastError?.reason, "BackendConnectionFailure");
  });

  it("copies the current request's method, headers, path and body with mode copy, leaving it to be forwarded", async () => {
    const { context, forwarded } = await run(
      {
        api: policies({
          inbound: `<set-backend-service base-url="${server.url}/base/"/>
            <send-request mode="copy" response-variable-name="copy"><set-header name="X-Copy" exists-action="override"><value>yes</value></set-header></send-request>`,
          backend: "<forward-request/>",
        }),
      },
      { method: "PUT", path: "/items/7", query: "q=1", headers: { "X-Client": "c1", "Content-Length": "3" } },
    );
    assert.equal(context.lastError, undefined);
    const got = server.received.at(-1) as Received;
    assert.equal(got.method, "PUT");
    assert.equal(got.url, "/base/items/7?q=1");
    assert.equal(got.headers["x-client"], "c1");
    assert.equal(got.headers["x-copy"], "yes");
    assert.equal(forwarded.length, 1);
    assert.deepEqual(headersOf(context.response)["Content-Type"], ["text/plain"], "the backend's answer, untouched");
  });

  it("writes what it sent, and what came back, into a traced request's trace", async () => {
    const h = harness();
    const messages: string[] = [];
    h.context.trace = {
      step: () => undefined,
      input: () => undefined,
      swapInputs: () => [],
      message: (source, _severity, text) => void messages.push(`${source}: ${text}`),
    };
    await executePipeline(
      pipelineOf(
        inbound(
          `<send-request response-variable-name="r" timeout="1"><set-url>${server.url}/slow</set-url></send-request>`,
        ),
      ),
      h.context,
    );
    assert.equal(messages.length, 1);
    assert.match(
      messages[0] ?? "",
      new RegExp(`^send-request: GET ${server.url}/slow → Timeout: .+ \\(\\d+(\\.\\d)? ms\\)$`),
    );
  });

  it("sends send-one-way-request without waiting and without a variable", async () => {
    const before = server.received.length;
    const { context } = await run(
      inbound(
        `<send-one-way-request mode="new"><set-url>${server.url}/hook</set-url><set-method>POST</set-method><set-body>ping</set-body></send-one-way-request>`,
      ),
    );
    assert.equal(context.lastError, undefined);
    for (let i = 0; i < 200 && server.received.length === before; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(server.received.at(-1)?.url, "/hook");
    assert.equal(server.received.at(-1)?.body, "ping");
  });

  it("never fails the request for a one-way request that cannot be delivered", async () => {
    const { context } = await run(
      inbound(`<send-one-way-request><set-url>${closedUrl}/hook</set-url></send-one-way-request>`),
    );
    assert.equal(context.lastError, undefined);
  });

  it("reads the response through IResponse in expressions", async () => {
    const { context } = await run({
      api: policies({
        inbound: `<send-request response-variable-name="r"><set-url>${server.url}/inactive</set-url></send-request>
          <set-header name="X-Active" exists-action="override"><value>@(((IResponse)context.Variables["r"]).Body.As&lt;JObject&gt;()["active"].ToString())</value></set-header>
          <set-header name="X-Status" exists-action="override"><value>@(((IResponse)context.Variables["r"]).StatusCode.ToString())</value></set-header>`,
        backend: "<forward-request/>",
      }),
    });
    assert.equal(context.lastError, undefined, context.lastError?.message);
    assert.equal(context.request.headers.get("X-Active"), "False");
    assert.equal(context.request.headers.get("X-Status"), "200");
  });

  it("takes its URL from an expression", async () => {
    const { context } = await run(
      inbound(
        `<send-request response-variable-name="r"><set-url>@("${server.url}/users/" + context.Request.MatchedParameters["id"])</set-url></send-request>`,
      ),
    );
    assert.equal(context.lastError, undefined, context.lastError?.message);
    assert.equal(server.received.at(-1)?.url, "/users/5");
  });

  it("puts its URL's path through the request path's rule: dot segments resolved, a climb or an encoded '/' refused", async () => {
    const fromHeader = (path: string) =>
      run(
        inbound(
          `<send-request response-variable-name="r"><set-url>@("${server.url}/users/" + context.Request.Headers.GetValueOrDefault("x-id", ""))</set-url></send-request>`,
        ),
        { headers: { "x-id": path } },
      );
    const resolved = await fromHeader("a/%2e%2e/b");
    assert.equal(resolved.context.lastError, undefined, resolved.context.lastError?.message);
    assert.equal(server.received.at(-1)?.url, "/users/b");
    const count = server.received.length;
    for (const [path, problem] of [
      ["../../admin", "The URL path climbs above its root ('..')."],
      ["..%2Fadmin", "The URL path holds an encoded '/' (%2F)."],
    ]) {
      const { context } = await fromHeader(path as string);
      assert.ok(
        context.lastError?.message.endsWith(`: ${problem} (set-url of 'send-request')`),
        context.lastError?.message,
      );
    }
    assert.equal(server.received.length, count, "nothing was sent");
  });

  it("refuses at load what it cannot send", () => {
    const doc = (inner: string) => policies({ inbound: inner });
    assert.match(
      loadError(doc(`<send-request><set-url>http://x</set-url></send-request>`)),
      /^Attribute 'response-variable-name' is required/,
    );
    assert.match(
      loadError(doc(`<send-request response-variable-name="r"/>`)),
      /with mode 'new' needs a 'set-url' element/,
    );
    assert.match(
      loadError(doc(`<send-request response-variable-name="r"><set-url>/relative</set-url></send-request>`)),
      /^'\/relative' is not an absolute URL/,
    );
    assert.match(
      loadError(doc(`<send-request response-variable-name="r"><set-url>ftp://x/</set-url></send-request>`)),
      /is not an http or https URL/,
    );
    assert.match(
      loadError(
        doc(
          `<send-request response-variable-name="r"><set-url>http://x/</set-url><authentication-certificate thumbprint="ab"/></send-request>`,
        ),
      ),
      /^No certificate entity has the thumbprint 'ab'/,
    );
    assert.match(
      loadError(
        doc(`<send-request response-variable-name="r" timeout="0"><set-url>http://x/</set-url></send-request>`),
      ),
      /^Attribute 'timeout' must be an integer between 1 and 240/,
    );
    assert.match(
      loadError(
        doc(
          `<send-request response-variable-name="r"><set-url>http://x/</set-url><set-header name="Content-Length"><value>1</value></set-header></send-request>`,
        ),
      ),
      /^Header 'Content-Length' cannot be set on a request a policy sends/,
    );
    assert.match(
      loadError(
        doc(
          `<send-request response-variable-name="r"><set-url>http://x/</set-url><set-status code="200" reason="OK"/></send-request>`,
        ),
      ),
      /^Element 'set-status' is not allowed in 'send-request'/,
    );
  });
});
