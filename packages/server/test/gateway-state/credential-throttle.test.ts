/**
 * Failed credential attempts are counted in Redis with --redis, so processes count together: two identity nodes
 * sharing one Redis, and two gateway workers. Each process remembers a throttled source once it has seen it over the
 * limit, so across N processes a source gets at most N - 1 attempts more than the limit; without sharing, each process
 * would allow the whole limit on its own.
 */
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { EXAMPLE_CONFIG, exampleTokenForm, startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml, call, startGatewayTest, type GatewayTest } from "../helpers/gateway.js";
import { REDIS_URL, freePort, redisSkip } from "./redis.js";
import { CredentialThrottle } from "../../src/security/credential-throttle.js";
import { MemoryState } from "../../src/gateway/state/memory-state.js";

const LIMIT = 3;
const throttle = { perClientAndAddress: LIMIT, perAddress: LIMIT, windowSeconds: 60 };
const redis = { url: REDIS_URL, commandTimeoutMs: 2000 };

/** A loopback address of this run's own: the shared Redis keeps the counters of earlier runs for the window. */
const freshAddress = () => `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(2, 255)}`;

describe("failed client secrets counted across identity nodes sharing Redis", async () => {
  const skip = await redisSkip();
  const nodes: TestGatehouse[] = [];

  before(async () => {
    if (skip) return;
    for (let i = 0; i < 2; i++) {
      nodes.push(
        await startTestGatehouse({ config: EXAMPLE_CONFIG, overrides: { redis, credentialThrottle: throttle } }),
      );
    }
  });
  after(() => Promise.all(nodes.map((node) => node.stop())));

  it("throttles a source whose wrong secrets are spread over both nodes, on both", { skip }, async () => {
    const source = freshAddress();
    const token = (node: TestGatehouse, secret: string) =>
      call(node, node.tokenUrl().replace("//localhost:", "//127.0.0.1:"), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(exampleTokenForm({ client_secret: secret })).toString(),
        localAddress: source,
      });
    const statuses: number[] = [];
    for (let n = 0; n < 8; n++) statuses.push((await token(nodes[n % 2] as TestGatehouse, `wrong-${n}`)).status);
    // Node 0 sees failures 1 and 3 and stops; node 1 learns from Redis at its second failure, the fourth in all.
    assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429, 429, 429]);
    for (const node of nodes) assert.equal((await token(node, "right-or-wrong-is-not-checked")).status, 429);
  });
});

describe("invalid subscription keys counted across gateway workers sharing Redis", async () => {
  const skip = await redisSkip();
  let test: GatewayTest;
  const KEY = "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4";

  before(async () => {
    if (skip) return;
    test = await startGatewayTest(
      (backends) => `gateway:
  apis:
${apiYaml("orders", backends.echoUrl)}  subscriptions:
    - { name: s-orders, displayName: Orders, scope: /apis, primaryKey: "${KEY}" }
`,
      { overrides: { gatewayWorkers: 2, redis, credentialThrottle: throttle } },
    );
  });
  after(() => (skip ? undefined : test.stop()));

  it("refuses a source over the limit in total, not per worker", { skip }, async () => {
    const source = freshAddress();
    const url = `${test.gh.gatewayUrl.replace("//localhost:", "//127.0.0.1:")}/orders/items`;
    const statuses: number[] = [];
    // A new connection for every request, so the cluster spreads them over both workers.
    for (let n = 0; n < 10; n++) {
      const reply = await call(test.gh, url, {
        headers: { "ocp-apim-subscription-key": `wrong-key-${n}`, connection: "close" },
        localAddress: source,
      });
      statuses.push(reply.status);
    }
    const checked = statuses.filter((s) => s === 401).length;
    // Per worker alone it would be 2 × LIMIT; shared, at most one attempt more than the limit (one per other worker).
    assert.ok(checked >= LIMIT && checked <= LIMIT + 1, JSON.stringify(statuses));
    assert.deepEqual(statuses.slice(checked), Array(10 - checked).fill(429), JSON.stringify(statuses));
    const right = await call(test.gh, url, { headers: { "ocp-apim-subscription-key": KEY, connection: "close" } });
    assert.equal(right.status, 200, "the right key from another address");
  });
});

describe("failed credential attempts with Redis unreachable", () => {
  let test: GatewayTest;
  const KEY = "b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8";

  before(async () => {
    // Nothing listens there: every count fails, and the throttle lets credentials be checked as usual.
    const dead = { url: `redis://127.0.0.1:${await freePort()}`, commandTimeoutMs: 200 };
    test = await startGatewayTest(
      (backends) => `${EXAMPLE_CONFIG}gateway:
  apis:
${apiYaml("orders", backends.echoUrl)}  subscriptions:
    - { name: s-orders, displayName: Orders, scope: /apis, primaryKey: "${KEY}" }
`,
      { overrides: { redis: dead, credentialThrottle: throttle } },
    );
  });
  after(() => test.stop());

  it("answers wrong credentials with 401 and right ones as usual: never a 5xx, never a 429", async () => {
    const { gh } = test;
    for (let n = 0; n < LIMIT + 2; n++) {
      assert.equal((await gh.postForm(gh.tokenUrl(), exampleTokenForm({ client_secret: `wrong-${n}` }))).status, 401);
      const reply = await call(gh, `${gh.gatewayUrl}/orders/x`, {
        headers: { "ocp-apim-subscription-key": `wrong-${n}` },
      });
      assert.equal(reply.status, 401, reply.text);
    }
    assert.equal((await gh.postForm(gh.tokenUrl(), exampleTokenForm())).status, 200);
    const right = await call(gh, `${gh.gatewayUrl}/orders/x`, { headers: { "ocp-apim-subscription-key": KEY } });
    assert.equal(right.status, 200, right.text);
  });
});

describe("which sources count together", () => {
  const failTwice = async (throttle: CredentialThrottle, address: string) => {
    for (let n = 0; n < 2; n++) await throttle.failed({ address });
  };
  const options = { perClientAndAddress: 0, perAddress: 2, windowSeconds: 60 };

  it("an IPv6 source by its /64, an IPv4-mapped address as the IPv4 address", async () => {
    const throttle = new CredentialThrottle(new MemoryState(), "subscription-key", options);
    await failTwice(throttle, "2001:db8:1:2::1");
    assert.ok(throttle.retryAfter({ address: "2001:db8:1:2:ffff::9" }) !== undefined, "same /64");
    assert.equal(throttle.retryAfter({ address: "2001:db8:1:3::1" }), undefined, "another /64");
    await failTwice(throttle, "::ffff:192.0.2.7");
    assert.ok(throttle.retryAfter({ address: "192.0.2.7" }) !== undefined);
    assert.equal(throttle.retryAfter({ address: "192.0.2.8" }), undefined);
  });

  it("a client id only together with its source address", async () => {
    const throttle = new CredentialThrottle(new MemoryState(), "token", {
      ...options,
      perAddress: 0,
      perClientAndAddress: 2,
    });
    for (let n = 0; n < 2; n++) await throttle.failed({ address: "192.0.2.1", clientId: "app-a" });
    assert.ok(throttle.retryAfter({ address: "192.0.2.1", clientId: "APP-A" }) !== undefined);
    assert.equal(throttle.retryAfter({ address: "192.0.2.1", clientId: "app-b" }), undefined);
    assert.equal(throttle.retryAfter({ address: "192.0.2.2", clientId: "app-a" }), undefined);
  });
});
