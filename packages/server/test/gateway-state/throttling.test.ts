/** rate-limit, rate-limit-by-key, quota and quota-by-key through the policy engine (reference apim.md §2.4–2.7, §4.4). */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DEFAULT_GLOBAL_POLICY } from "../../src/gateway/model/policies/types.js";
import { MemoryState } from "../../src/gateway/state/memory-state.js";
import { RedisState } from "../../src/gateway/state/redis-state.js";
import { backendResponse, headersOf, loadError, OPERATION_SCOPE, policies } from "../gateway-policy/helpers.js";
import { Gateway, subscription, type Documents } from "./harness.js";
import { capturingLogger, freePort } from "./redis.js";

const withBackend = (documents: Documents): Documents => ({ global: DEFAULT_GLOBAL_POLICY, ...documents });
const inbound = (statement: string) => policies({ inbound: `<base/>${statement}` });
const PRODUCT_SCOPE = { kind: "product", product: "starter" } as const;

describe("rate-limit", () => {
  const gateway = (statement: string) => new Gateway(withBackend({ product: inbound(statement) }));

  it("does nothing for a call without a subscription key", async () => {
    const g = gateway(`<rate-limit calls="1" renewal-period="60" />`);
    for (let i = 0; i < 3; i++) assert.equal((await g.call()).forwarded.length, 1);
  });

  it("refuses the call past the limit with APIM's 429, Retry-After and LastError", async () => {
    const g = gateway(`<rate-limit calls="2" renewal-period="60" />`);
    const alice = subscription("alice", g.now);
    assert.equal((await g.call({ subscription: alice })).forwarded.length, 1);
    g.advance(15);
    assert.equal((await g.call({ subscription: alice })).forwarded.length, 1);
    const { context, forwarded, rejections } = await g.call({ subscription: alice });
    assert.equal(forwarded.length, 0);
    assert.equal(context.response?.statusCode, 429);
    assert.equal(context.response?.statusReason, "Too Many Requests");
    assert.equal(
      context.response?.body,
      `{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 45 seconds." }`,
    );
    assert.deepEqual(headersOf(context.response)["Retry-After"], ["45"]);
    assert.equal(context.lastError?.source, "rate-limit");
    assert.equal(context.lastError?.reason, "RateLimitExceeded");
    assert.equal(context.lastError?.message, "Rate limit is exceeded");
    assert.deepEqual(rejections, [["rate-limit", "RateLimitExceeded"]]);
    // Each subscription has its own counter.
    assert.equal((await g.call({ subscription: subscription("bob", g.now) })).forwarded.length, 1);
    g.advance(45);
    assert.equal((await g.call({ subscription: alice })).forwarded.length, 1);
  });

  it("sets the remaining and total headers and variables, and names Retry-After as asked", async () => {
    const g = gateway(
      `<rate-limit calls="2" renewal-period="30" retry-after-header-name="X-Retry" retry-after-variable-name="retry"
        remaining-calls-header-name="X-Remaining" remaining-calls-variable-name="remaining" total-calls-header-name="X-Total" />`,
    );
    const alice = subscription("alice", g.now);
    const first = await g.call({ subscription: alice });
    assert.deepEqual(headersOf(first.context.response)["X-Remaining"], ["1"]);
    assert.deepEqual(headersOf(first.context.response)["X-Total"], ["2"]);
    assert.equal(first.context.variables.get("remaining"), 1);
    await g.call({ subscription: alice });
    const refused = await g.call({ subscription: alice });
    const headers = headersOf(refused.context.response);
    assert.deepEqual([headers["X-Retry"], headers["Retry-After"]], [["30"], undefined]);
    assert.deepEqual([headers["X-Remaining"], headers["X-Total"]], [["0"], ["2"]]);
    assert.deepEqual([refused.context.variables.get("retry"), refused.context.variables.get("remaining")], [30, 0]);
  });

  it("applies the limits of the api and operation children besides the policy's own", async () => {
    const byName = new Gateway(
      withBackend({
        product: inbound(`<rate-limit calls="10" renewal-period="60"><api name="Echo" calls="2" renewal-period="60">
          <operation id="get-user" calls="1" renewal-period="60" /></api></rate-limit>`),
      }),
    );
    const alice = subscription("alice", byName.now);
    assert.equal((await byName.call({ subscription: alice })).forwarded.length, 1);
    assert.equal((await byName.call({ subscription: alice })).context.response?.statusCode, 429);
    const otherApi = new Gateway(
      withBackend({
        product: inbound(
          `<rate-limit calls="10" renewal-period="60"><api id="another" calls="1" renewal-period="60" /></rate-limit>`,
        ),
      }),
    );
    for (let i = 0; i < 3; i++) assert.equal((await otherApi.call({ subscription: alice })).forwarded.length, 1);
  });

  it("refuses what APIM refuses when the document loads", () => {
    const cases: [string, string, { kind: "global" } | typeof PRODUCT_SCOPE][] = [
      [
        `<rate-limit calls="1" renewal-period="301" />`,
        "Attribute 'renewal-period' must be an integer between 1 and 300, not '301' @ 1:42",
        PRODUCT_SCOPE,
      ],
      [
        `<rate-limit renewal-period="60" />`,
        "Attribute 'calls' is required in policy 'rate-limit' @ 1:20",
        PRODUCT_SCOPE,
      ],
      [
        `<rate-limit calls="@(1)" renewal-period="60" />`,
        "Attribute 'calls' of policy 'rate-limit' does not accept policy expressions @ 1:32",
        PRODUCT_SCOPE,
      ],
      [
        `<rate-limit calls="1" renewal-period="60" />`,
        "Policy 'rate-limit' is not allowed at global scope @ 1:20",
        { kind: "global" },
      ],
      [
        `<rate-limit calls="1" renewal-period="60" /><rate-limit calls="1" renewal-period="60" />`,
        "Policy 'rate-limit' may appear only once in a policy document @ 1:64",
        PRODUCT_SCOPE,
      ],
      [
        `<rate-limit calls="1" renewal-period="60"><api calls="1" renewal-period="60" /></rate-limit>`,
        "Element 'api' needs a 'name' or an 'id' attribute @ 1:62",
        PRODUCT_SCOPE,
      ],
    ];
    for (const [statement, expected, scope] of cases) {
      assert.equal(loadError(policies({ inbound: statement }), scope), expected, statement);
    }
  });
});

describe("rate-limit-by-key", () => {
  it("shares one counter per key across scopes and documents", async () => {
    const statement = `<rate-limit-by-key calls="3" renewal-period="60" counter-key="shared" />`;
    const state = new MemoryState();
    const atApi = new Gateway(withBackend({ api: inbound(statement) }), state);
    const atOperation = new Gateway(withBackend({ operation: inbound(statement) }), state);
    assert.equal((await atApi.call()).forwarded.length, 1);
    assert.equal((await atOperation.call()).forwarded.length, 1);
    assert.equal((await atApi.call()).forwarded.length, 1);
    const refused = await atOperation.call();
    assert.equal(refused.context.response?.statusCode, 429);
    assert.equal(refused.context.lastError?.source, "rate-limit-by-key");
    assert.equal(refused.context.lastError?.reason, "RateLimitExceeded");
  });

  it("counts increment-count per call, and nothing when increment-condition is false", async () => {
    const g = new Gateway(
      withBackend({
        api: inbound(
          `<rate-limit-by-key calls="5" renewal-period="60" counter-key="k" increment-count="2" remaining-calls-header-name="X-Left" />`,
        ),
      }),
    );
    assert.deepEqual(headersOf((await g.call()).context.response)["X-Left"], ["3"]);
    assert.deepEqual(headersOf((await g.call()).context.response)["X-Left"], ["1"]);
    assert.equal((await g.call()).context.response?.statusCode, 429);
    const never = new Gateway(
      withBackend({
        api: inbound(`<rate-limit-by-key calls="1" renewal-period="60" counter-key="k" increment-condition="false" />`),
      }),
    );
    for (let i = 0; i < 3; i++) assert.equal((await never.call()).forwarded.length, 1);
  });

  it("keys by an expression and counts only the calls the increment-condition accepts, once answered", async () => {
    const g = new Gateway(
      withBackend({
        api: inbound(`<rate-limit-by-key calls="1" renewal-period="60" counter-key="@(context.Request.IpAddress)"
          increment-condition="@(context.Response.StatusCode == 200)" />`),
      }),
    );
    const failing = { backend: () => backendResponse(500, "down") };
    for (let i = 0; i < 3; i++) assert.equal((await g.call(failing)).context.response?.statusCode, 500);
    assert.equal((await g.call()).context.response?.statusCode, 200);
    assert.equal((await g.call()).context.response?.statusCode, 429);
  });

  it("refuses a renewal period over 300 seconds and requires a counter-key", () => {
    assert.equal(
      loadError(policies({ inbound: `<rate-limit-by-key calls="1" renewal-period="600" counter-key="k" />` })),
      "Attribute 'renewal-period' must be an integer between 1 and 300, not '600' @ 1:49",
    );
    assert.equal(
      loadError(policies({ inbound: `<rate-limit-by-key calls="1" renewal-period="60" />` })),
      "Attribute 'counter-key' is required in policy 'rate-limit-by-key' @ 1:20",
    );
  });
});

describe("counters when the store is unavailable", () => {
  let unavailable: RedisState;

  before(async () => {
    // A real RedisState pointed at a port nothing listens on.
    unavailable = await RedisState.connect({
      url: `redis://127.0.0.1:${await freePort()}`,
      commandTimeoutMs: 250,
      logger: capturingLogger().logger,
    });
  });
  after(() => unavailable.close());

  it("lets calls through by default (fail open)", async () => {
    const g = new Gateway(
      withBackend({ api: inbound(`<rate-limit-by-key calls="1" renewal-period="60" counter-key="k" />`) }),
      unavailable,
    );
    for (let i = 0; i < 3; i++) assert.equal((await g.call()).forwarded.length, 1);
  });

  it("refuses with a 503 when gatehouse-fail-open is false", async () => {
    const g = new Gateway(
      withBackend({
        product: inbound(`<quota calls="100" renewal-period="3600" gatehouse-fail-open="false" />`),
      }),
      unavailable,
    );
    const { context, forwarded } = await g.call({ subscription: subscription("alice", g.now) });
    assert.equal(forwarded.length, 0);
    assert.equal(context.response?.statusCode, 503);
    assert.equal(
      context.response?.body,
      `{ "statusCode": 503, "message": "Service unavailable", "activityId": "${context.requestId}" }`,
    );
    assert.equal(context.lastError?.source, "quota");
    assert.equal(context.lastError?.reason, "CounterStoreUnavailable");
    assert.match(context.lastError?.message ?? "", /^Redis is unavailable: .*gatehouse-fail-open="false"$/);
  });
});

describe("quota", () => {
  const gateway = (statement: string) => new Gateway(withBackend({ product: inbound(statement) }));

  it("refuses the call past the volume with APIM's 403 and the time until the period renews", async () => {
    const g = gateway(`<quota calls="2" renewal-period="3600" />`);
    // The subscription started 10 s ago: the first period ends in 3590 s.
    const alice = subscription("alice", g.now);
    await g.call({ subscription: alice });
    await g.call({ subscription: alice });
    const { context, forwarded } = await g.call({ subscription: alice });
    assert.equal(forwarded.length, 0);
    assert.equal(context.response?.statusCode, 403);
    assert.equal(
      context.response?.body,
      `{ "statusCode": 403, "message": "Out of call volume quota. Quota will be replenished in 00:59:50." }`,
    );
    assert.deepEqual(headersOf(context.response)["Retry-After"], ["3590"]);
    assert.equal(context.lastError?.source, "quota");
    assert.equal(context.lastError?.reason, "QuotaExceeded");
    g.advance(3590);
    assert.equal((await g.call({ subscription: alice })).forwarded.length, 1);
  });

  it("writes days as .NET does past 24 hours, and ends a lifetime quota's message without a time", async () => {
    const days = gateway(`<quota calls="1" renewal-period="172800" />`);
    const alice = subscription("alice", days.now);
    await days.call({ subscription: alice });
    const refused = (await days.call({ subscription: alice })).context.response;
    assert.equal(
      refused?.body,
      `{ "statusCode": 403, "message": "Out of call volume quota. Quota will be replenished in 1.23:59:50." }`,
    );
    const lifetime = gateway(`<quota calls="1" renewal-period="0" />`);
    await lifetime.call({ subscription: alice });
    const forever = (await lifetime.call({ subscription: alice })).context.response;
    assert.equal(forever?.body, `{ "statusCode": 403, "message": "Out of call volume quota." }`);
    assert.equal(headersOf(forever)["Retry-After"], undefined);
  });

  it("counts the bodies' kilobytes against a bandwidth quota", async () => {
    const g = gateway(`<quota bandwidth="2" renewal-period="60" />`);
    const alice = subscription("alice", g.now);
    const large = { backend: () => backendResponse(200, "x".repeat(1500)) };
    assert.equal((await g.call({ subscription: alice, ...large })).forwarded.length, 1);
    assert.equal((await g.call({ subscription: alice, ...large })).forwarded.length, 1);
    const { context } = await g.call({ subscription: alice });
    assert.equal(
      context.response?.body,
      `{ "statusCode": 403, "message": "Out of bandwidth quota. Quota will be replenished in 00:00:50." }`,
    );
  });

  it("does nothing without a subscription key, and is allowed at product scope only", async () => {
    const g = gateway(`<quota calls="1" renewal-period="60" />`);
    for (let i = 0; i < 2; i++) assert.equal((await g.call()).forwarded.length, 1);
    assert.equal(
      loadError(policies({ inbound: `<quota calls="1" renewal-period="60" />` })),
      "Policy 'quota' is not allowed at api scope @ 1:20",
    );
    assert.equal(
      loadError(policies({ inbound: `<quota renewal-period="60" />` }), PRODUCT_SCOPE),
      "'quota' needs a 'calls' or a 'bandwidth' attribute, or both @ 1:20",
    );
  });
});

describe("quota-by-key", () => {
  it("counts a key once per request, however many policies use it", async () => {
    const statement = `<quota-by-key calls="2" renewal-period="300" counter-key="tenant-a" />`;
    const g = new Gateway(withBackend({ api: inbound(statement), operation: inbound(statement) }));
    assert.equal((await g.call()).forwarded.length, 1);
    assert.equal((await g.call()).forwarded.length, 1);
    const refused = await g.call();
    assert.equal(refused.context.response?.statusCode, 403);
    assert.equal(refused.context.lastError?.source, "quota-by-key");
  });

  it("counts periods from first-period-start", async () => {
    const g = new Gateway(
      withBackend({
        api: inbound(
          `<quota-by-key calls="1" renewal-period="3600" counter-key="k" first-period-start="2030-01-01T11:30:00Z" />`,
        ),
      }),
    );
    await g.call();
    assert.equal(
      (await g.call()).context.response?.body,
      `{ "statusCode": 403, "message": "Out of call volume quota. Quota will be replenished in 00:30:00." }`,
    );
  });

  it("counts only calls the increment-condition accepts", async () => {
    const never = new Gateway(
      withBackend({
        api: inbound(`<quota-by-key calls="1" renewal-period="0" counter-key="k" increment-condition="false" />`),
      }),
    );
    for (let i = 0; i < 3; i++) assert.equal((await never.call()).forwarded.length, 1);
    const successes = new Gateway(
      withBackend({
        api: inbound(`<quota-by-key calls="1" renewal-period="0" counter-key="k"
          increment-condition="@(context.Response.StatusCode &gt;= 200 &amp;&amp; context.Response.StatusCode &lt; 400)" />`),
      }),
    );
    assert.equal((await successes.call({ backend: () => backendResponse(502, "") })).context.response?.statusCode, 502);
    assert.equal((await successes.call()).context.response?.statusCode, 200);
    assert.equal((await successes.call()).context.response?.statusCode, 403);
  });

  it("requires renewal periods of 0 or at least 300 s and an ISO 8601 first-period-start", () => {
    assert.equal(
      loadError(policies({ inbound: `<quota-by-key calls="1" renewal-period="60" counter-key="k" />` })),
      "Attribute 'renewal-period' must be 0 (never renews) or at least 300 seconds, not '60' @ 1:44",
    );
    assert.equal(
      loadError(
        policies({
          inbound: `<quota-by-key calls="1" renewal-period="300" counter-key="k" first-period-start="yesterday" />`,
        }),
      ),
      "Attribute 'first-period-start' must be an ISO 8601 date and time such as 0001-01-01T00:00:00Z, not 'yesterday' @ 1:81",
    );
  });
});

describe("policy placement", () => {
  it("keeps counters in inbound", () => {
    assert.equal(
      loadError(
        policies({ outbound: `<rate-limit-by-key calls="1" renewal-period="60" counter-key="k" />` }),
        OPERATION_SCOPE,
      ),
      "Policy 'rate-limit-by-key' is not allowed in section 'outbound' @ 1:21",
    );
  });
});
