import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_GLOBAL_POLICY } from "../../src/gateway/model/policies/types.js";
import { BACKEND, headersOf, loadError, policies, run, type TestRequest } from "./helpers.js";

/** Runs an API-scope document (plus the default global policy) and returns what the backend got and the answer. */
async function api(sections: Parameters<typeof policies>[0], request: TestRequest = {}) {
  return run({ global: DEFAULT_GLOBAL_POLICY, api: policies({ backend: "<base/>", ...sections }) }, request);
}

async function operation(sections: Parameters<typeof policies>[0], request: TestRequest = {}) {
  return run({ global: DEFAULT_GLOBAL_POLICY, operation: policies({ backend: "<base/>", ...sections }) }, request);
}

const checkHeader = (attributes: string, values = "") =>
  `<check-header name="X-Api-Secret" failed-check-httpcode="403" failed-check-error-message="Not authorized" ${attributes}>${values}</check-header>`;

describe("check-header", () => {
  const values = "<value>alpha</value><value>Beta</value>";

  it("passes a request whose header has one of the values", async () => {
    for (const sent of ["alpha", "Beta"]) {
      const { forwarded, context } = await api(
        { inbound: checkHeader(`ignore-case="false"`, values) },
        { headers: { "x-api-secret": sent } },
      );
      assert.equal(forwarded.length, 1, sent);
      assert.equal(context.lastError, undefined);
    }
  });

  it("refuses a missing header with the configured status and message", async () => {
    const { forwarded, context } = await api({ inbound: checkHeader(`ignore-case="false"`, values) });
    assert.equal(forwarded.length, 0);
    assert.equal(context.response?.statusCode, 403);
    assert.equal(context.response?.body, `{ "statusCode": 403, "message": "Not authorized" }`);
    assert.equal(context.lastError?.reason, "HeaderNotFound");
    assert.equal(context.lastError?.message, "Header X-Api-Secret was not found in the request. Access denied.");
  });

  it("refuses a value not listed, comparing case as configured", async () => {
    const refused = await api(
      { inbound: checkHeader(`ignore-case="false"`, values) },
      { headers: { "X-Api-Secret": "ALPHA" } },
    );
    assert.equal(refused.forwarded.length, 0);
    assert.equal(refused.context.response?.body, `{ "statusCode": 403, "message": "Not authorized" }`);
    assert.equal(refused.context.lastError?.reason, "HeaderValueNotAllowed");
    assert.equal(
      refused.context.lastError?.message,
      "Header X-Api-Secret value of ALPHA is not allowed. Access denied.",
    );
    const accepted = await api(
      { inbound: checkHeader(`ignore-case="true"`, values) },
      { headers: { "X-Api-Secret": "ALPHA" } },
    );
    assert.equal(accepted.forwarded.length, 1);
  });

  it("checks only presence without values, and adds an activityId to a 5xx", async () => {
    const present = await api({ inbound: checkHeader(`ignore-case="false"`) }, { headers: { "X-Api-Secret": "" } });
    assert.equal(present.forwarded.length, 1);
    const { context } = await api({
      inbound: `<check-header name="X-Id" failed-check-httpcode="503" failed-check-error-message="Down" ignore-case="true" />`,
    });
    assert.equal(
      context.response?.body,
      `{ "statusCode": 503, "message": "Down", "activityId": "${context.requestId}" }`,
    );
  });
});

describe("set-header", () => {
  const header = (action: string, ...values: string[]) =>
    `<set-header name="x-tag" exists-action="${action}">${values.map((v) => `<value>${v}</value>`).join("")}</set-header>`;
  const sent = { headers: { "X-Tag": "original" } };

  it("overrides with every listed value, skips an existing header, appends, deletes", async () => {
    const cases: [string, TestRequest, [string, string[]][]][] = [
      // override and delete remove the header first: it goes out as the policy spells it
      [header("override", "a", "b"), sent, [["x-tag", ["a", "b"]]]],
      [header("override", "a"), {}, [["x-tag", ["a"]]]],
      [header("skip", "a"), sent, [["X-Tag", ["original"]]]],
      [header("skip", "a"), {}, [["x-tag", ["a"]]]],
      [header("append", "a", "b"), sent, [["X-Tag", ["original", "a", "b"]]]],
      [header("append", "a"), {}, [["x-tag", ["a"]]]],
      [header("delete"), sent, []],
      [
        `<set-header name="X-TAG"><value>default-is-override</value></set-header>`,
        sent,
        [["X-TAG", ["default-is-override"]]],
      ],
    ];
    for (const [policy, request, expected] of cases) {
      const { forwarded } = await api({ inbound: policy }, request);
      assert.deepEqual(forwarded[0]?.headers, expected, policy);
    }
  });

  it("changes the response in outbound and on-error", async () => {
    const outbound = await api({
      outbound: header("append", "x") + `<set-header name="content-type"><value>text/html</value></set-header>`,
    });
    assert.deepEqual(headersOf(outbound.context.response), {
      "X-Powered-By": ["Express"],
      "x-tag": ["x"],
      "content-type": ["text/html"],
    });
    assert.equal(outbound.context.request.headers.has("x-tag"), false);
    const onError = await api({
      inbound: checkHeader(`ignore-case="true"`),
      onError: header("override", "failed"),
    });
    assert.deepEqual(headersOf(onError.context.response), {
      "Content-Type": ["application/json"],
      "x-tag": ["failed"],
    });
    assert.equal(onError.context.request.headers.has("x-tag"), false);
  });

  it("substitutes named values in names and values", async () => {
    const { forwarded } = await api({
      inbound: `<set-header name="X-{{tenant}}"><value>key={{backend-secret}}</value></set-header>`,
    });
    assert.deepEqual(forwarded[0]?.headers, [["X-contoso", ["key=s3cret"]]]);
  });
});

describe("set-query-parameter", () => {
  it("applies exists-action to the request's query", async () => {
    const query = (action: string, value: string) =>
      `<set-query-parameter name="v" exists-action="${action}"><value>${value}</value></set-query-parameter>`;
    const cases: [string, string, string][] = [
      [query("override", "2"), "v=1&a=b", "a=b&v=2"],
      [query("skip", "2"), "v=1&a=b", "v=1&a=b"],
      [query("skip", "2"), "a=b", "a=b&v=2"],
      [query("append", "2"), "v=1", "v=1&v=2"],
      [query("delete", "x"), "v=1&a=b&v=3", "a=b"],
      [query("override", "a &amp; b"), "", "v=a+%26+b"],
    ];
    for (const [policy, sent, expected] of cases) {
      const { forwarded } = await api({ inbound: policy }, { query: sent });
      assert.equal(forwarded[0]?.query, expected, `${policy} on ${sent}`);
    }
  });
});

describe("rewrite-uri", () => {
  const matched = { id: "5 & 6", expand: "all" };

  it("fills template parameters URL-encoded, adds template query and copies unmatched parameters", async () => {
    const { forwarded } = await operation(
      { inbound: `<rewrite-uri template="/v2/people/{id}?source=gateway&amp;expand={expand}" />` },
      { path: "/users/5%20%26%206", query: "expand=all&c=d&c=e", matched },
    );
    assert.equal(forwarded[0]?.path, "/v2/people/5%20%26%206");
    assert.equal(forwarded[0]?.query, "source=gateway&expand=all&c=d&c=e");
  });

  it("drops the operation's declared query parameters, and every other one with copy-unmatched-params false", async () => {
    const copied = await operation(
      { inbound: `<rewrite-uri template="/put" />` },
      { query: "expand=all&c=d", matched },
    );
    assert.equal(copied.forwarded[0]?.path, "/put");
    assert.equal(copied.forwarded[0]?.query, "c=d");
    const dropped = await operation(
      { inbound: `<rewrite-uri template="put" copy-unmatched-params="false" />` },
      { query: "expand=all&c=d", matched },
    );
    assert.equal(dropped.forwarded[0]?.path, "/put");
    assert.equal(dropped.forwarded[0]?.query, "");
  });

  it("puts its result through the request path's rule: dot segments resolved, a '/' in a value or a climb refused", async () => {
    const resolved = await operation(
      { inbound: `<rewrite-uri template="/v2/{expand}/../people/{id}" />` },
      { matched: { id: "5", expand: "x" } },
    );
    assert.equal(resolved.forwarded[0]?.path, "/v2/people/5");
    for (const [value, problem] of [
      ["../../admin", "The URL path holds an encoded '/' (%2F)."],
      ["..", "The URL path climbs above its root ('..')."],
    ]) {
      const refused = await operation(
        { inbound: `<rewrite-uri template="/{expand}/{expand}" />` },
        { matched: { id: "5", expand: value as string } },
      );
      assert.equal(refused.forwarded.length, 0, value);
      assert.equal(refused.context.response?.statusCode, 400);
      assert.equal(refused.context.response?.body, `{ "statusCode": 400, "message": ${JSON.stringify(problem)} }`);
      assert.equal(refused.context.lastError?.source, "rewrite-uri");
      assert.equal(refused.context.lastError?.reason, "InvalidUrlPath");
    }
    const expression = await operation({
      inbound: `<rewrite-uri template="@(&quot;/a/&quot; + context.Request.Headers.GetValueOrDefault(&quot;x-to&quot;, &quot;&quot;))" />`,
    });
    assert.equal(expression.forwarded[0]?.path, "/a/");
    const climbing = await operation(
      {
        inbound: `<rewrite-uri template="@(&quot;/a/&quot; + context.Request.Headers.GetValueOrDefault(&quot;x-to&quot;, &quot;&quot;))" />`,
      },
      { headers: { "x-to": "../../admin" } },
    );
    assert.equal(climbing.forwarded.length, 0);
    assert.equal(climbing.context.lastError?.reason, "InvalidUrlPath");
  });
});

describe("set-backend-service", () => {
  it("points forward-request at a base URL", async () => {
    const { forwarded } = await api({ inbound: `<set-backend-service base-url="https://127.0.0.1:8443/v2" />` });
    assert.deepEqual(forwarded[0]?.backend, {
      baseUrl: "https://127.0.0.1:8443/v2",
      backendId: null,
      credentials: null,
      validateCertificate: true,
      clientCertificate: null,
    });
  });

  it("points forward-request at a backend entity, with its credentials and TLS validation", async () => {
    const { forwarded } = await api({ backend: `<set-backend-service backend-id="users" /><base/>` });
    assert.deepEqual(forwarded[0]?.backend, {
      baseUrl: BACKEND.url,
      backendId: "users",
      credentials: BACKEND.credentials,
      validateCertificate: false,
      clientCertificate: null,
    });
  });

  it("puts the base URL's path through the request path's rule", async () => {
    const dotted = await api({ inbound: `<set-backend-service base-url="https://127.0.0.1:8443/v2/x/%2e%2e/y" />` });
    assert.equal(dotted.forwarded[0]?.backend.baseUrl, "https://127.0.0.1:8443/v2/y");
    assert.match(
      loadError(policies({ inbound: `<set-backend-service base-url="https://127.0.0.1:8443/a%2Fb" />` })),
      /^Attribute 'base-url' must be an absolute http or https URL: The URL path holds an encoded '\/' \(%2F\)\. @/,
    );
    const fromHeader = `<set-backend-service base-url="@(&quot;https://127.0.0.1:8443/tenants/&quot; + context.Request.Headers.GetValueOrDefault(&quot;x-tenant&quot;, &quot;&quot;))" />`;
    const climbing = await api({ inbound: fromHeader }, { headers: { "x-tenant": "../../admin" } });
    assert.equal(climbing.forwarded.length, 0);
    assert.equal(climbing.context.response?.statusCode, 400);
    assert.equal(climbing.context.lastError?.source, "set-backend-service");
    assert.equal(climbing.context.lastError?.reason, "InvalidUrlPath");
  });
});

describe("forward-request", () => {
  it("passes its options to the forwarder", async () => {
    const { forwarded } = await api({
      backend: `<forward-request timeout-ms="1500" follow-redirects="true" buffer-request-body="true" buffer-response="false" fail-on-error-status-code="TRUE" http-version="1" continue-timeout="10" />`,
    });
    assert.deepEqual(forwarded[0]?.options, {
      timeoutMs: 1500,
      followRedirects: true,
      bufferResponse: false,
      failOnErrorStatusCode: true,
    });
    const seconds = await api({ backend: `<forward-request timeout="20" />` });
    assert.equal(seconds.forwarded[0]?.options.timeoutMs, 20_000);
  });
});

describe("set-status and set-body", () => {
  it("sets the request body in inbound and the response's status and body in outbound", async () => {
    const { forwarded, context } = await api({
      inbound: `<set-body>{"replaced": true}</set-body>`,
      outbound: `<set-status code="201" reason="Made"/><set-body><![CDATA[<done/>]]></set-body>`,
    });
    assert.equal(forwarded[0]?.body, `{"replaced": true}`);
    assert.equal(context.response?.statusCode, 201);
    assert.equal(context.response?.statusReason, "Made");
    assert.equal(context.response?.body, "<done/>");
  });
});

describe("mock-response", () => {
  it("answers with the operation's first example, JSON-serialised, and ends the pipeline", async () => {
    const { forwarded, context } = await operation({
      inbound: `<mock-response/>`,
      outbound: `<set-header name="X-Outbound"><value>1</value></set-header>`,
    });
    assert.equal(forwarded.length, 0);
    assert.equal(context.ended, true);
    assert.equal(context.response?.statusCode, 200);
    assert.equal(context.response?.body, `{"id":5,"name":"five"}`);
    assert.deepEqual(headersOf(context.response), { "Content-Type": ["application/json"] });
  });

  it("picks the representation by content type, at any scope, and answers empty without an example", async () => {
    const plain = await api({ inbound: `<mock-response status-code="200" content-type="TEXT/plain"/>` });
    assert.equal(plain.context.response?.body, "user five");
    assert.deepEqual(headersOf(plain.context.response), { "Content-Type": ["text/plain"] });
    for (const policy of [`<mock-response status-code="404"/>`, `<mock-response status-code="201"/>`]) {
      const { context } = await operation({ inbound: policy });
      assert.equal(context.response?.body, undefined, policy);
      assert.deepEqual(headersOf(context.response), {}, policy);
    }
    const created = await operation({ inbound: `<mock-response status-code="201"/>` });
    assert.equal(created.context.response?.statusCode, 201);
    assert.equal(created.context.response?.statusReason, "Created");
  });
});
