import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_GLOBAL_POLICY } from "../../src/gateway/model/policies/types.js";
import { answerPreflight, corsPolicies } from "../../src/gateway/policy/policies/cors.js";
import { call, startGatewayTest, type GatewayTest } from "../helpers/gateway.js";
import { harness, headersOf, loadError, pipelineOf, policies, run, type TestRequest } from "./helpers.js";

const CORS = `<cors allow-credentials="true">
  <allowed-origins><origin>https://app.example</origin><origin>http://localhost:8080/</origin></allowed-origins>
  <allowed-methods preflight-result-max-age="300"><method>GET</method><method>put</method></allowed-methods>
  <allowed-headers><header>Content-Type</header><header>x-custom</header></allowed-headers>
  <expose-headers><header>x-request-id</header><header>x-total</header></expose-headers>
</cors>`;

async function api(sections: Parameters<typeof policies>[0], request: TestRequest = {}) {
  return run({ global: DEFAULT_GLOBAL_POLICY, api: policies({ backend: "<base/>", ...sections }) }, request);
}

/** What the gateway answers to a preflight for the documents' operation, as the data plane asks it. */
/** `globalInbound`: cors policies at global scope, spliced in where the API's `<base/>` is. */
function preflight(inbound: string, headers: Record<string, string>, globalInbound?: string) {
  const global =
    globalInbound === undefined
      ? DEFAULT_GLOBAL_POLICY
      : policies({ inbound: globalInbound, backend: "<forward-request />" });
  const pipeline = pipelineOf({ global, api: policies({ inbound }) });
  const { context } = harness({ method: "OPTIONS", headers });
  return answerPreflight(corsPolicies(pipeline.inbound.map((s) => s.step)), context);
}

describe("cors: actual requests", () => {
  it("adds the CORS headers to the response of an allowed origin, error responses included", async () => {
    const ok = await api({ inbound: CORS }, { headers: { Origin: "https://app.example" } });
    assert.equal(ok.forwarded.length, 1);
    assert.deepEqual(headersOf(ok.context.response), {
      "Content-Type": ["text/plain"],
      "X-Powered-By": ["Express"],
      "Access-Control-Allow-Origin": ["https://app.example"],
      "Access-Control-Allow-Credentials": ["true"],
      "Access-Control-Expose-Headers": ["x-request-id,x-total"],
      Vary: ["Origin"],
    });
    const refused = await api(
      {
        inbound: `${CORS}<check-header name="X-Key" failed-check-httpcode="401" failed-check-error-message="No" ignore-case="false" />`,
      },
      { headers: { Origin: "http://localhost:8080" } },
    );
    assert.equal(refused.context.response?.statusCode, 401);
    assert.equal(headersOf(refused.context.response)["Access-Control-Allow-Origin"]?.[0], "http://localhost:8080");
  });

  it("ends an unmatched GET with an empty 200, unless told not to; other methods and no Origin pass untouched", async () => {
    const ended = await api({ inbound: CORS }, { headers: { Origin: "https://evil.example" } });
    assert.equal(ended.forwarded.length, 0);
    assert.equal(ended.context.response?.statusCode, 200);
    assert.equal(ended.context.response?.body, undefined);
    assert.deepEqual(headersOf(ended.context.response), {});
    const passed = await api(
      { inbound: CORS.replace(`allow-credentials="true"`, `terminate-unmatched-request="false"`) },
      { headers: { Origin: "https://evil.example" } },
    );
    assert.equal(passed.forwarded.length, 1);
    assert.equal(headersOf(passed.context.response)["Access-Control-Allow-Origin"], undefined);
    const post = await api({ inbound: CORS }, { method: "POST", headers: { Origin: "https://evil.example" } });
    assert.equal(post.forwarded.length, 1);
    const noOrigin = await api({ inbound: CORS });
    assert.equal(headersOf(noOrigin.context.response)["Access-Control-Allow-Origin"], undefined);
  });

  it("answers any origin with * when origins are *, without Vary", async () => {
    const { context } = await api(
      {
        inbound: `<cors><allowed-origins><origin>*</origin></allowed-origins><allowed-headers><header>*</header></allowed-headers></cors>`,
      },
      { headers: { Origin: "https://anyone.example" } },
    );
    assert.equal(headersOf(context.response)["Access-Control-Allow-Origin"]?.[0], "*");
    assert.equal(headersOf(context.response).Vary, undefined);
  });
});

describe("cors: preflight", () => {
  const asks = (origin: string, method: string, requestHeaders?: string) => ({
    Origin: origin,
    "Access-Control-Request-Method": method,
    ...(requestHeaders ? { "Access-Control-Request-Headers": requestHeaders } : {}),
  });

  it("answers an allowed preflight with the allowed origin, methods, headers and max age", () => {
    const answer = preflight(CORS, asks("https://app.example", "PUT", "content-type, X-Custom"));
    assert.equal(answer.statusCode, 200);
    assert.deepEqual(headersOf(answer), {
      "Access-Control-Allow-Origin": ["https://app.example"],
      "Access-Control-Allow-Credentials": ["true"],
      "Access-Control-Allow-Methods": ["GET,PUT"],
      "Access-Control-Allow-Headers": ["content-type,X-Custom"],
      "Access-Control-Max-Age": ["300"],
      Vary: ["Origin"],
    });
  });

  it("answers an empty 200 to an origin, method or header not allowed", () => {
    for (const headers of [
      asks("https://evil.example", "GET"),
      asks("https://app.example", "DELETE"),
      asks("https://app.example", "GET", "x-other"),
    ]) {
      const answer = preflight(CORS, headers);
      assert.equal(answer.statusCode, 200);
      assert.deepEqual(headersOf(answer), {}, JSON.stringify(headers));
    }
  });

  it("tries the next cors policy after one that does not terminate; methods default to GET and POST", () => {
    const lenient = `<cors terminate-unmatched-request="false"><allowed-origins><origin>https://a.example</origin></allowed-origins><allowed-headers><header>x</header></allowed-headers></cors>`;
    // One cors per section (as APIM allows): the next one comes from the broader scope.
    const answer = preflight(`${lenient}<base/>`, asks("https://app.example", "PUT"), CORS);
    assert.equal(headersOf(answer)["Access-Control-Allow-Origin"]?.[0], "https://app.example");
    const defaults = preflight(lenient, asks("https://a.example", "POST"));
    assert.deepEqual(headersOf(defaults)["Access-Control-Allow-Methods"], ["GET,POST"]);
    assert.deepEqual(headersOf(preflight(lenient, asks("https://a.example", "PUT"))), {});
  });

  it("is answered in the pipeline when the operation takes any method, before anything else runs", async () => {
    const { forwarded, context } = await api(
      { inbound: `${CORS}<set-header name="X-After" exists-action="override"><value>1</value></set-header>` },
      { method: "OPTIONS", headers: asks("https://app.example", "GET") },
    );
    assert.equal(forwarded.length, 0);
    assert.equal(context.ended, true);
    assert.equal(headersOf(context.response)["Access-Control-Allow-Methods"]?.[0], "GET,PUT");
  });
});

describe("cors: what APIM refuses when the document loads", () => {
  it("refuses a wildcard with credentials, a bad origin and missing or empty lists", () => {
    const cases: [string, string][] = [
      [
        `<cors allow-credentials="true"><allowed-origins><origin>*</origin></allowed-origins><allowed-headers><header>a</header></allowed-headers></cors>`,
        "Origin '*' cannot be combined with allow-credentials: list the allowed origins @ 1:26",
      ],
      [
        `<cors><allowed-headers><header>a</header></allowed-headers></cors>`,
        "Policy 'cors' needs 'allowed-origins' @ 1:20",
      ],
      [
        `<cors><allowed-origins><origin>*</origin><origin>https://a.example</origin></allowed-origins><allowed-headers><header>a</header></allowed-headers></cors>`,
        "'allowed-origins' holds either a single '*' origin or origin URIs @ 1:26",
      ],
      [
        `<cors><allowed-origins><origin>app.example</origin></allowed-origins><allowed-headers><header>a</header></allowed-headers></cors>`,
        "An origin must be '*' or a URI with scheme and host @ 1:43",
      ],
      [
        `<cors><allowed-origins><origin>*</origin></allowed-origins></cors>`,
        "Policy 'cors' needs 'allowed-headers' @ 1:20",
      ],
      [
        `<cors><allowed-origins><origin>*</origin></allowed-origins><allowed-methods/><allowed-headers><header>a</header></allowed-headers></cors>`,
        "'allowed-methods' must contain at least one 'method' @ 1:79",
      ],
    ];
    for (const [policy, expected] of cases) assert.equal(loadError(policies({ inbound: policy })), expected, policy);
    assert.equal(loadError(policies({ outbound: CORS })), "Policy 'cors' is not allowed in section 'outbound' @ 1:21");
    assert.match(loadError(policies({ inbound: CORS + CORS })), /^Policy 'cors' may appear only once in a section @ /);
  });
});

describe("cors through a running gateway", () => {
  const KEY = "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0";
  let test: GatewayTest;
  let base: string;

  before(async () => {
    const policy = `<policies><inbound>${CORS.replace(/\n\s*/g, "")}<base /></inbound></policies>`;
    test = await startGatewayTest(
      (backends) => `gateway:
  apis:
    - name: shop
      displayName: Shop
      path: shop
      serviceUrl: ${backends.echoUrl}
      policy: '${policy}'
      operations:
        - { name: get-item, displayName: Get item, method: GET, urlTemplate: "/items/{id}" }
        - { name: put-item, displayName: Put item, method: PUT, urlTemplate: "/items/{id}" }
  subscriptions:
    - { name: s-shop, displayName: Shop, scope: /apis/shop, primaryKey: "${KEY}" }
`,
    );
    base = `${test.gh.gatewayUrl}/shop`;
  });
  after(() => test.stop());

  it("answers a preflight without a subscription key, only from the cors policy", async () => {
    const reply = await call(test.gh, `${base}/items/5`, {
      method: "OPTIONS",
      headers: {
        Origin: "https://app.example",
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type",
      },
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.text, "");
    assert.equal(reply.headers["access-control-allow-origin"], "https://app.example");
    assert.equal(reply.headers["access-control-allow-methods"], "GET,PUT");
    assert.equal(reply.headers["access-control-allow-headers"], "content-type");
    assert.equal(reply.headers["access-control-max-age"], "300");
    const unknown = await call(test.gh, `${base}/items/5`, {
      method: "OPTIONS",
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "PUT" },
    });
    assert.equal(unknown.status, 200);
    assert.equal(unknown.headers["access-control-allow-origin"], undefined);
    // No DELETE operation: the path's other operations' cors policy answers, and DELETE is not an allowed method.
    const otherMethod = await call(test.gh, `${base}/items/5`, {
      method: "OPTIONS",
      headers: { Origin: "https://app.example", "Access-Control-Request-Method": "DELETE" },
    });
    assert.equal(otherMethod.status, 200);
    assert.equal(otherMethod.headers["access-control-allow-origin"], undefined);
    const nowhere = await call(test.gh, `${base}/orders`, {
      method: "OPTIONS",
      headers: { Origin: "https://app.example", "Access-Control-Request-Method": "GET" },
    });
    assert.equal(nowhere.status, 404);
  });

  it("adds the CORS headers to the actual request's response", async () => {
    const reply = await call(test.gh, `${base}/items/5`, {
      method: "PUT",
      headers: { Origin: "https://app.example", "Ocp-Apim-Subscription-Key": KEY, "Content-Type": "application/json" },
      body: `{"n":1}`,
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.json<{ method: string }>().method, "PUT");
    assert.equal(reply.headers["access-control-allow-origin"], "https://app.example");
    assert.equal(reply.headers["access-control-allow-credentials"], "true");
    assert.equal(reply.headers["access-control-expose-headers"], "x-request-id,x-total");
  });
});
