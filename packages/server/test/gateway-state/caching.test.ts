/** cache-lookup / cache-store and the value caching policies through the policy engine (reference apim.md §2.26). */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { DEFAULT_GLOBAL_POLICY } from "../../src/gateway/model/policies/types.js";
import { RedisState } from "../../src/gateway/state/redis-state.js";
import { backendResponse, headersOf, load, loadError, policies } from "../gateway-policy/helpers.js";
import { Gateway, subscription, type Caller } from "./harness.js";
import { capturingLogger, freePort } from "./redis.js";

const lookup = (attributes = "", children = "") =>
  `<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" ${attributes}>${children}</cache-lookup>`;

/** An API whose inbound looks up and whose outbound stores; the backend numbers its answers. */
function cachedApi(lookupElement = lookup(), store = `<cache-store duration="60" />`) {
  let served = 0;
  const gateway = new Gateway({
    global: DEFAULT_GLOBAL_POLICY,
    api: policies({ inbound: `<base/>${lookupElement}`, outbound: `<base/>${store}` }),
  });
  const call = (request: Caller = {}, status = 200) =>
    gateway.call({ backend: () => backendResponse(status, `answer ${++served}`), ...request });
  return { gateway, call };
}

describe("cache-lookup and cache-store", () => {
  it("answers a repeated GET from the cache without calling the backend", async () => {
    const { call } = cachedApi();
    const first = await call();
    assert.equal(first.forwarded.length, 1);
    assert.equal(first.context.response?.body, "answer 1");
    const second = await call();
    assert.equal(second.forwarded.length, 0);
    assert.equal(second.context.response?.statusCode, 200);
    assert.equal(Buffer.from(second.context.response?.body as Buffer).toString(), "answer 1");
    assert.deepEqual(headersOf(second.context.response)["Content-Type"], ["text/plain"]);
    assert.equal(second.context.lastError, undefined);
  });

  it("runs the outbound section on a hit, skipping the rest of inbound and the backend", async () => {
    const gateway = new Gateway({
      global: DEFAULT_GLOBAL_POLICY,
      api: policies({
        inbound: `<base/>${lookup()}<set-variable name="after-lookup" value="ran" />`,
        outbound: `<base/><cache-store duration="60" /><set-header name="X-Inbound-Went-On" exists-action="override"><value>@(context.Variables.ContainsKey("after-lookup") ? "yes" : "no")</value></set-header>`,
      }),
    });
    const miss = await gateway.call({ backend: () => backendResponse(200, "fresh") });
    assert.deepEqual(headersOf(miss.context.response)["X-Inbound-Went-On"], ["yes"]);
    const hit = await gateway.call({ backend: () => backendResponse(200, "not called") });
    assert.equal(hit.forwarded.length, 0);
    assert.equal(Buffer.from(hit.context.response?.body as Buffer).toString(), "fresh");
    assert.deepEqual(headersOf(hit.context.response)["X-Inbound-Went-On"], ["no"]);
  });

  it("stores a streamed body, read into memory", async () => {
    const gateway = new Gateway({
      global: DEFAULT_GLOBAL_POLICY,
      api: policies({ inbound: `<base/>${lookup()}`, outbound: `<base/><cache-store duration="60" />` }),
    });
    const streamed = () => ({
      ...backendResponse(200, ""),
      body: Readable.from([Buffer.from("part 1, "), Buffer.from("part 2")]),
    });
    const first = await gateway.call({ backend: streamed });
    assert.equal(Buffer.from(first.context.response?.body as Buffer).toString(), "part 1, part 2");
    const second = await gateway.call({ backend: streamed });
    assert.equal(second.forwarded.length, 0);
    assert.equal(Buffer.from(second.context.response?.body as Buffer).toString(), "part 1, part 2");
  });

  it("expires entries after the duration", async () => {
    const { gateway, call } = cachedApi(lookup(), `<cache-store duration="10" />`);
    await call();
    gateway.advance(9);
    assert.equal((await call()).forwarded.length, 0);
    gateway.advance(1);
    assert.equal((await call()).forwarded.length, 1);
  });

  it("stores only 200 responses unless cache-response is true", async () => {
    const only200 = cachedApi();
    await only200.call({}, 404);
    assert.equal((await only200.call({}, 404)).forwarded.length, 1);
    const any = cachedApi(lookup(), `<cache-store duration="60" cache-response="true" />`);
    await any.call({}, 404);
    const hit = await any.call({}, 404);
    assert.equal(hit.forwarded.length, 0);
    assert.equal(hit.context.response?.statusCode, 404);
  });

  it("caches only GET, and requests with Authorization only when allowed", async () => {
    const { call } = cachedApi();
    await call({ method: "POST" });
    assert.equal((await call({ method: "POST" })).forwarded.length, 1);
    const authorization = { headers: { Authorization: "Bearer abc" } };
    await call(authorization);
    assert.equal((await call(authorization)).forwarded.length, 1);
    const allowed = cachedApi(
      lookup(`allow-private-response-caching="true"`, "<vary-by-header>Authorization</vary-by-header>"),
    );
    await allowed.call(authorization);
    assert.equal((await allowed.call(authorization)).forwarded.length, 0);
    assert.equal((await allowed.call({ headers: { Authorization: "Bearer other" } })).forwarded.length, 1);
  });

  it("varies by the listed query parameters and headers only", async () => {
    const { call } = cachedApi(
      lookup(
        "",
        "<vary-by-query-parameter>version;format</vary-by-query-parameter><vary-by-header>Accept</vary-by-header>",
      ),
    );
    await call({ query: "version=1&page=1" });
    assert.equal((await call({ query: "version=1&page=2" })).forwarded.length, 0, "page is not part of the key");
    assert.equal((await call({ query: "version=2&page=1" })).forwarded.length, 1);
    assert.equal((await call({ query: "version=1&format=xml" })).forwarded.length, 1);
    assert.equal((await call({ query: "version=1", headers: { Accept: "text/xml" } })).forwarded.length, 1);
    assert.equal((await call({ query: "version=1", headers: { Accept: "text/xml" } })).forwarded.length, 0);
  });

  it("varies by developer (the subscription) when asked", async () => {
    const shared = cachedApi();
    const now = shared.gateway.now;
    await shared.call({ subscription: subscription("alice", now) });
    assert.equal((await shared.gateway.call({ subscription: subscription("bob", now) })).forwarded.length, 0);
    const perDeveloper = cachedApi(`<cache-lookup vary-by-developer="true" vary-by-developer-groups="false" />`);
    await perDeveloper.gateway.call({
      subscription: subscription("alice", now),
      backend: () => backendResponse(200, "a"),
    });
    assert.equal((await perDeveloper.gateway.call({ subscription: subscription("bob", now) })).forwarded.length, 1);
    assert.equal((await perDeveloper.gateway.call({ subscription: subscription("alice", now) })).forwarded.length, 0);
  });

  it("sets Cache-Control for downstream caches as asked", async () => {
    const { gateway, call } = cachedApi(lookup(`downstream-caching-type="public"`));
    const miss = await call();
    assert.deepEqual(headersOf(miss.context.response)["Cache-Control"], ["public, max-age=60, must-revalidate"]);
    gateway.advance(20);
    const hit = await call();
    assert.equal(hit.forwarded.length, 0);
    assert.match(headersOf(hit.context.response)["Cache-Control"]?.[0] ?? "", /^public, max-age=\d+, must-revalidate$/);
    const privately = cachedApi(lookup(`downstream-caching-type="private" must-revalidate="false"`));
    assert.deepEqual(headersOf((await privately.call()).context.response)["Cache-Control"], ["private, max-age=60"]);
  });

  it("carries on as on a miss when the cache is unavailable", async () => {
    const unavailable = await RedisState.connect({
      url: `redis://127.0.0.1:${await freePort()}`,
      commandTimeoutMs: 250,
      logger: capturingLogger().logger,
    });
    try {
      const gateway = new Gateway(
        {
          global: DEFAULT_GLOBAL_POLICY,
          api: policies({ inbound: `<base/>${lookup()}`, outbound: `<base/><cache-store duration="60" />` }),
        },
        unavailable,
      );
      for (let i = 0; i < 2; i++) {
        const { forwarded, context } = await gateway.call();
        assert.equal(forwarded.length, 1);
        assert.equal(context.response?.statusCode, 200);
      }
    } finally {
      await unavailable.close();
    }
  });

  it("refuses what APIM refuses when the document loads", () => {
    const cases: [string, string][] = [
      [policies({ outbound: lookup() }), "Policy 'cache-lookup' is not allowed in section 'outbound' @ 1:21"],
      [policies({ inbound: lookup() + lookup() }), "Policy 'cache-lookup' may appear only once in a section @ 1:109"],
      [
        policies({ inbound: `<cache-lookup vary-by-developer="false" />` }),
        "Attribute 'vary-by-developer-groups' is required in policy 'cache-lookup' @ 1:20",
      ],
      [
        policies({ inbound: lookup(`caching-type="remote"`) }),
        "Attribute 'caching-type' must be one of 'prefer-external', 'external', 'internal', not 'remote' @ 1:93",
      ],
      [
        policies({ inbound: `<cache-store duration="60" />` }),
        "Policy 'cache-store' is not allowed in section 'inbound' @ 1:20",
      ],
    ];
    for (const [xml, expected] of cases) assert.equal(loadError(xml), expected, xml);
  });
});

describe("cache-store-value, cache-lookup-value and cache-remove-value", () => {
  const api = (inbound: string) =>
    new Gateway({ global: DEFAULT_GLOBAL_POLICY, api: policies({ inbound: `<base/>${inbound}` }) });

  it("stores a value by key for later requests, until it expires or is removed", async () => {
    const store = api(`<cache-store-value key="profile-5" value="five" duration="30" />`);
    const read = new Gateway(
      {
        api: policies({
          inbound: `<cache-lookup-value key="profile-5" variable-name="profile" default-value="none" />`,
        }),
      },
      store.state,
    );
    const remove = new Gateway({ api: policies({ inbound: `<cache-remove-value key="profile-5" />` }) }, store.state);
    assert.equal((await read.call()).context.variables.get("profile"), "none");
    await store.call();
    assert.equal((await read.call()).context.variables.get("profile"), "five");
    await remove.call();
    assert.equal((await read.call()).context.variables.get("profile"), "none");
    await store.call();
    store.advance(30);
    assert.equal((await read.call()).context.variables.get("profile"), "none");
  });

  it("leaves the variable unset on a miss without default-value, and keeps an expression's type", async () => {
    const store = api(
      `<cache-store-value key="@(&quot;count-&quot; + context.Operation.Id)" value="@(41 + 1)" duration="30" />`,
    );
    const read = new Gateway(
      { api: policies({ inbound: `<cache-lookup-value key="count-get-user" variable-name="count" />` }) },
      store.state,
    );
    assert.equal((await read.call()).context.variables.has("count"), false);
    await store.call();
    assert.equal((await read.call()).context.variables.get("count"), 42);
  });

  it("runs in every section, once per section for lookup and store", () => {
    const value = `<cache-store-value key="k" value="v" duration="1" />`;
    assert.doesNotThrow(() => load(policies({ inbound: value, backend: value, outbound: value, onError: value })));
    assert.equal(
      loadError(policies({ outbound: value + value })),
      "Policy 'cache-store-value' may appear only once in a section @ 1:73",
    );
    assert.equal(
      loadError(policies({ inbound: `<cache-lookup-value key="k" />` })),
      "Attribute 'variable-name' is required in policy 'cache-lookup-value' @ 1:20",
    );
  });
});
