/** Policy expressions where APIM allows them in each policy's attributes and values (reference apim.md §2, §3). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { DEFAULT_GLOBAL_POLICY } from "../../src/gateway/model/policies/types.js";
import { BACKEND, headersOf, policies, run, type TestRequest } from "./helpers.js";

async function api(sections: Parameters<typeof policies>[0], request: TestRequest = {}) {
  return run({ global: DEFAULT_GLOBAL_POLICY, api: policies({ backend: "<base/>", ...sections }) }, request);
}

const headerOf = (h: Awaited<ReturnType<typeof api>>, name: string) =>
  Object.fromEntries(h.forwarded[0]?.headers ?? [])[name];

describe("expressions in set-header, set-query-parameter and set-variable", () => {
  it("evaluates names, values and exists-action per request", async () => {
    const h = await api(
      {
        inbound: `<set-header name="@(&quot;X-&quot; + context.Request.Headers.GetValueOrDefault(&quot;X-Tenant&quot;, &quot;none&quot;))" exists-action="@(&quot;override&quot;)">
        <value>@(context.Request.Method + " " + context.Request.MatchedParameters["id"])</value>
        <value>literal</value>
      </set-header>
      <set-query-parameter name="caller" exists-action="override"><value>@(context.Request.IpAddress)</value></set-query-parameter>`,
      },
      { headers: { "X-Tenant": "contoso" } },
    );
    assert.deepEqual(headerOf(h, "X-contoso"), ["GET 5", "literal"]);
    assert.equal(h.forwarded[0]?.query, "caller=127.0.0.1");
  });

  it("refuses at run time a computed header name the gateway owns", async () => {
    const { context } = await api({
      inbound: `<set-header name="@(&quot;Content-Length&quot;)" exists-action="delete" />`,
    });
    assert.equal(context.response?.statusCode, 500);
    assert.equal(context.lastError?.reason, "ExpressionValueEvaluationFailure");
  });

  it("keeps set-variable's typed result and chooses on it", async () => {
    const { context, forwarded } = await api({
      inbound: `<set-variable name="isMobile" value="@(context.Request.Headers.GetValueOrDefault(&quot;User-Agent&quot;,&quot;&quot;).Contains(&quot;iPhone&quot;))" />
      <set-variable name="count" value="@(40 + 2)" />
      <choose>
        <when condition="@(context.Variables.GetValueOrDefault&lt;bool&gt;(&quot;isMobile&quot;))"><set-query-parameter name="mobile" exists-action="override"><value>true</value></set-query-parameter></when>
        <otherwise><set-query-parameter name="mobile" exists-action="override"><value>false</value></set-query-parameter></otherwise>
      </choose>`,
    });
    assert.equal(context.variables.get("isMobile"), false);
    assert.equal(context.variables.get("count"), 42);
    assert.equal(forwarded[0]?.query, "mobile=false");
  });
});

describe("expressions in set-body, find-and-replace and set-method", () => {
  it("sets the body from an expression reading the body, and a JObject result as its text", async () => {
    const { forwarded, context } = await api(
      {
        inbound: `<set-body>@{ var body = context.Request.Body.As&lt;JObject&gt;(preserveContent: true); body["source"] = "apim"; return body.ToString(); }</set-body><set-method>@("PU" + "T")</set-method>`,
        outbound: `<find-and-replace from="@(&quot;from&quot;)" to="@(context.Request.Method)" />`,
      },
      { method: "POST", headers: { "Content-Type": "application/json" }, body: `{"a":1}` },
    );
    assert.deepEqual(JSON.parse(forwarded[0]?.body as string), { a: 1, source: "apim" });
    assert.equal(context.request.method, "PUT");
    assert.equal(context.response?.body, "PUT backend");
  });
});

describe("expressions in routing policies", () => {
  it("rewrites to an expression's URL and sets the backend from base-url or backend-id expressions", async () => {
    const rewritten = await api(
      {
        inbound: `<rewrite-uri template="@(&quot;/v2/&quot; + context.Request.MatchedParameters[&quot;id&quot;] + &quot;?x=1&quot;)" />
        <set-backend-service base-url="@(&quot;https://127.0.0.1:9443/&quot; + context.Request.Headers.GetValueOrDefault(&quot;X-Region&quot;, &quot;eu&quot;))" />`,
      },
      { query: "keep=yes", headers: { "X-Region": "us" } },
    );
    assert.equal(rewritten.forwarded[0]?.path, "/v2/5");
    assert.equal(rewritten.forwarded[0]?.query, "x=1&keep=yes");
    assert.equal(rewritten.forwarded[0]?.backend.baseUrl, "https://127.0.0.1:9443/us");
    const entity = await api({ inbound: `<set-backend-service backend-id="@(&quot;us&quot; + &quot;ers&quot;)" />` });
    assert.equal(entity.forwarded[0]?.backend.backendId, BACKEND.name);
    const unknown = await api({ inbound: `<set-backend-service backend-id="@(&quot;nope&quot;)" />` });
    assert.equal(unknown.context.lastError?.reason, "ExpressionValueEvaluationFailure");
  });

  it("takes forward-request's timeout from an expression", async () => {
    const { forwarded } = await api({ backend: `<forward-request timeout="@(2 * 3)" />` });
    assert.equal(forwarded[0]?.options.timeoutMs, 6000);
  });
});

describe("expressions in responses and checks", () => {
  it("sets the status, in return-response too, from expressions", async () => {
    const status = await api({
      outbound: `<set-status code="@(context.Response.StatusCode + 1)" reason="@(&quot;Made by &quot; + context.Request.Method)" />`,
    });
    assert.equal(status.context.response?.statusCode, 201);
    assert.equal(status.context.response?.statusReason, "Made by GET");
    const returned = await api({
      inbound: `<return-response><set-status code="@(418)" reason="Teapot" /></return-response>`,
    });
    assert.equal(returned.context.response?.statusCode, 418);
  });

  it("checks a header against values and a name given by expressions", async () => {
    const policy = `<check-header name="@(&quot;X-Key&quot;)" failed-check-httpcode="@(403)" failed-check-error-message="@(&quot;No &quot; + &quot;entry&quot;)" ignore-case="@(true)"><value>@(context.Api.Name + "-key")</value></check-header>`;
    const passed = await api({ inbound: policy }, { headers: { "X-Key": "ECHO-KEY" } });
    assert.equal(passed.forwarded.length, 1);
    const refused = await api({ inbound: policy }, { headers: { "X-Key": "other" } });
    assert.equal(refused.context.response?.body, `{ "statusCode": 403, "message": "No entry" }`);
  });

  it("filters callers by an address from an expression", async () => {
    const policy = `<ip-filter action="@(&quot;forbid&quot;)"><address>@(context.Request.Headers.GetValueOrDefault("X-Blocked", "192.0.2.1"))</address></ip-filter>`;
    const blocked = await api({ inbound: policy }, { headers: { "X-Blocked": "127.0.0.1" } });
    assert.equal(blocked.context.lastError?.reason, "CallerIpBlocked");
    const passed = await api({ inbound: policy });
    assert.equal(passed.forwarded.length, 1);
  });
});

describe("expressions in validate-jwt", () => {
  const secret = Buffer.from("a-test-secret-of-thirty-two-bytes!");
  const token = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("https://issuer.example")
      .setExpirationTime("10m")
      .sign(secret);
  const policy = `<validate-jwt header-name="@(&quot;X-&quot; + &quot;Token&quot;)" failed-validation-httpcode="@(400 + 3)" failed-validation-error-message="@(&quot;Bad token for &quot; + context.Api.Name)">
    <issuer-signing-keys><key>${secret.toString("base64")}</key></issuer-signing-keys>
    <audiences><audience>@("api://" + context.Api.Name.ToLower())</audience></audiences>
    <issuers><issuer>https://issuer.example</issuer></issuers>
    <required-claims><claim name="tenant"><value>@(context.Request.Headers.GetValueOrDefault("X-Tenant", ""))</value></claim></required-claims>
  </validate-jwt>`;

  it("reads the header, audience and claim values from expressions", async () => {
    const good = await token({ aud: "api://echo", tenant: "contoso" });
    const passed = await api({ inbound: policy }, { headers: { "X-Token": good, "X-Tenant": "contoso" } });
    assert.equal(passed.context.lastError, undefined);
    assert.equal(passed.forwarded.length, 1);
    const otherTenant = await api({ inbound: policy }, { headers: { "X-Token": good, "X-Tenant": "fabrikam" } });
    assert.equal(otherTenant.context.lastError?.reason, "TokenClaimValueNotAllowed");
    assert.equal(otherTenant.context.response?.statusCode, 403);
    assert.equal(otherTenant.context.response?.body, `{ "statusCode": 403, "message": "Bad token for Echo" }`);
    const otherAudience = await api(
      { inbound: policy },
      { headers: { "X-Token": await token({ aud: "api://else", tenant: "contoso" }), "X-Tenant": "contoso" } },
    );
    assert.equal(otherAudience.context.lastError?.reason, "TokenAudienceNotAllowed");
    assert.deepEqual(headersOf(otherAudience.context.response)["Content-Type"], ["application/json"]);
  });
});
