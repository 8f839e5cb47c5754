/**
 * Finding 8 of the hardening issue: traces hid only the subscription key, Authorization and Cookie, so an `x-api-key`
 * value was stored and served through the trace link. Every header and query parameter whose name suggests a
 * credential is now hidden (plus names added with --redact), and the values of secret named values, backend
 * credentials and the subscription's keys wherever they appear: headers, URL, expression values, trace messages,
 * send-request's exchange.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TraceDocument } from "../../src/gateway/tracing/recorder.js";
import type { TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml, call, startGatewayTest, type GatewayReply, type GatewayTest } from "../helpers/gateway.js";

const KEY = "e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5";
const SECOND_KEY = "f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6";
const NAMED_SECRET = "Named-Secret-Value-7q3w9e";
const PLAIN_VALUE = "plain-named-value-visible";
const BACKEND_SECRET = "Backend-Header-Credential-4r5t6y";
const CLIENT_SECRETS = {
  apiKey: "x-api-key-value-1a2b3c",
  queryKey: "query-api-key-value-4d5e6f",
  session: "session-cookie-value-7g8h9i",
  custom: "tenant-token-value-0j1k2l",
  sig: "signature-value-3m4n5o",
};

const POLICY = `<policies>
  <inbound>
    <base />
    <set-variable name="joined" value="@(&quot;{{named-secret}}|{{plain-value}}|&quot; + context.Subscription.Key)" />
    <set-variable name="sent" value="@(context.Request.Headers.GetValueOrDefault(&quot;X-Api-Key&quot;, &quot;&quot;))" />
    <trace source="redaction" severity="information">
      <message>@(&quot;body: &quot; + context.Request.Body.As&lt;string&gt;(preserveContent: true))</message>
      <metadata name="named" value="{{named-secret}}" />
    </trace>
    <send-request mode="new" response-variable-name="side" timeout="10" ignore-error="true">
      <set-url>@(context.Variables.GetValueOrDefault&lt;string&gt;("echo") + "/side?sig=${CLIENT_SECRETS.sig}&amp;plain=visible&amp;n={{named-secret}}")</set-url>
      <set-method>GET</set-method>
    </send-request>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
</policies>`;

const GUARDED = `<policies><inbound><base /><check-header name="X-Api-Key" failed-check-httpcode="401" failed-check-error-message="Denied" ignore-case="false"><value>{{named-secret}}</value></check-header></inbound><backend><base /></backend><outbound><base /></outbound></policies>`;

describe("what a trace hides", () => {
  let test: GatewayTest;
  let gh: TestGatehouse;

  before(async () => {
    const policy = POLICY.replace(
      '<set-variable name="joined"',
      `<set-variable name="echo" value="ECHO_URL" />\n    <set-variable name="joined"`,
    );
    test = await startGatewayTest(
      (backends) => `gateway:
  namedValues:
    - { name: named-secret, value: "${NAMED_SECRET}", secret: true }
    - { name: plain-value, value: "${PLAIN_VALUE}" }
  backends:
    - name: echo-backend
      url: ${backends.echoUrl}
      credentials: { header: { x-backend-credential: ["${BACKEND_SECRET}"] } }
  apis:
${apiYaml("guarded", backends.echoUrl, [`policy: '${GUARDED}'`])}${apiYaml("orders", backends.echoUrl, [
        "policy: |",
        ...policy
          .replace("ECHO_URL", backends.echoUrl)
          .split("\n")
          .map((line) => `  ${line}`),
      ])}  subscriptions:
    - { name: s-trace, displayName: Tracing, scope: /apis, allowTracing: true, primaryKey: "${KEY}", secondaryKey: "${SECOND_KEY}" }
`,
      { overrides: { redactNames: ["x-tenant-token"] } },
    );
    gh = test.gh;
  });
  after(() => test.stop());

  async function traceAt(reply: GatewayReply): Promise<{ trace: TraceDocument; text: string }> {
    const location = reply.headers["ocp-apim-trace-location"];
    assert.equal(typeof location, "string", "Ocp-Apim-Trace-Location");
    for (let attempt = 0; ; attempt++) {
      const fetched = await call(gh, location as string);
      if (fetched.status === 200) return { trace: fetched.json<TraceDocument>(), text: fetched.text };
      assert.equal(fetched.status, 404, fetched.text);
      assert.ok(attempt < 100, "the trace was saved");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("hides credential headers, credential query parameters and secret values, in the trace served by its link", async () => {
    const reply = await call(
      gh,
      `${gh.gatewayUrl}/orders/items?api_key=${CLIENT_SECRETS.queryKey}&plain=visible&echo=${encodeURIComponent(NAMED_SECRET)}`,
      {
        method: "GET",
        headers: {
          "ocp-apim-subscription-key": KEY,
          "ocp-apim-trace": "true",
          "x-api-key": CLIENT_SECRETS.apiKey,
          cookie: `session=${CLIENT_SECRETS.session}`,
          "x-tenant-token": CLIENT_SECRETS.custom,
          "x-echo-named": NAMED_SECRET,
          "x-plain": "visible-header",
          "content-type": "text/plain",
        },
        body: `the body quotes ${NAMED_SECRET} and ${SECOND_KEY}`,
      },
    );
    assert.equal(reply.status, 200, reply.text);
    const { trace, text } = await traceAt(reply);

    for (const secret of [...Object.values(CLIENT_SECRETS), NAMED_SECRET, BACKEND_SECRET, KEY, SECOND_KEY]) {
      assert.ok(!text.includes(secret), `${secret} is in the trace: ${text}`);
      assert.ok(!text.includes(encodeURIComponent(secret)), `${secret}, URL-encoded, is in the trace`);
    }
    const headers = trace.request.headers;
    assert.deepEqual(headers["x-api-key"], ["***"]);
    assert.deepEqual(headers.cookie, ["***"]);
    assert.deepEqual(headers["x-tenant-token"], ["***"], "a name added with --redact");
    assert.deepEqual(headers["x-echo-named"], ["***"], "a secret named value under any header name");
    assert.deepEqual(headers["x-plain"], ["visible-header"], "other headers stay readable");
    assert.match(trace.request.url, /api_key=\*\*\*&plain=visible&echo=\*\*\*/);

    const [joined, sent] = trace.steps.filter((s) => s.policy === "set-variable" && s.inputs !== undefined);
    assert.deepEqual(joined?.inputs, [{ name: "set-variable value", value: `***|${PLAIN_VALUE}|***` }]);
    assert.deepEqual(sent?.inputs, [{ name: "set-variable value", value: "***" }], "a credential the client sent");
    const traced = trace.messages.find((m) => m.source === "redaction");
    assert.equal(traced?.message, "body: the body quotes *** and ***");
    assert.deepEqual(traced?.metadata, { named: "***" });
    const exchange = trace.messages.find((m) => m.source === "send-request");
    assert.match(exchange?.message ?? "", /^GET http:\/\/[^ ]+\/side\?sig=\*\*\*&plain=visible&n=\*\*\* → 200/);
  });

  it("hides a credential the client sent where an error message quotes it", async () => {
    const guess = "wrong-api-key-guess-99";
    const reply = await call(gh, `${gh.gatewayUrl}/guarded/x`, {
      headers: { "ocp-apim-subscription-key": KEY, "ocp-apim-trace": "true", "x-api-key": guess },
    });
    assert.equal(reply.status, 401, reply.text);
    const { trace, text } = await traceAt(reply);
    assert.equal(trace.lastError?.reason, "HeaderValueNotAllowed");
    assert.equal(trace.lastError?.message, "Header X-Api-Key value of *** is not allowed. Access denied.");
    assert.ok(!text.includes(guess));
    assert.ok(!text.includes(NAMED_SECRET));
  });
});
