/**
 * Finding 7 of the hardening issue, on the gateway: wrong subscription keys were free. Invalid keys are now counted
 * per source address; over the limit the gateway answers rate-limit's 429 with Retry-After before looking at the key
 * (on-error runs, as for any refused key), while the right key from another address still works. Sources are told
 * apart by connecting from different loopback addresses.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { apiYaml, call, startGatewayTest, type GatewayReply, type GatewayTest } from "../helpers/gateway.js";

const KEY = "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3";
const WINDOW_SECONDS = 2;

const ON_ERROR = `<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /><set-header name="X-Failure" exists-action="override"><value>@(context.LastError.Source + "/" + context.LastError.Reason)</value></set-header></on-error></policies>`;

describe("throttling of invalid subscription keys at the gateway", () => {
  let test: GatewayTest;
  let base: string;

  before(async () => {
    test = await startGatewayTest(
      (backends) => `gateway:
  apis:
${apiYaml("orders", backends.echoUrl, [`policy: '${ON_ERROR}'`])}  subscriptions:
    - { name: s-orders, displayName: Orders, scope: /apis, primaryKey: "${KEY}" }
`,
      { overrides: { credentialThrottle: { perClientAndAddress: 10, perAddress: 3, windowSeconds: WINDOW_SECONDS } } },
    );
    base = test.gh.gatewayUrl.replace("//localhost:", "//127.0.0.1:");
  });
  after(() => test.stop());

  const get = (localAddress: string, key: string | undefined, query = ""): Promise<GatewayReply> =>
    call(test.gh, `${base}/orders/items${query}`, {
      headers: key === undefined ? {} : { "ocp-apim-subscription-key": key },
      localAddress,
    });
  const wrong = (n: number) => `wrong-subscription-key-guess-${n}`;

  function assertThrottled(reply: GatewayReply): number {
    assert.equal(reply.status, 429, reply.text);
    const retryAfter = Number(reply.headers["retry-after"]);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= WINDOW_SECONDS, String(retryAfter));
    assert.equal(
      reply.text,
      `{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in ${retryAfter} seconds." }`,
    );
    assert.equal(reply.headers["x-failure"], "authorization/SubscriptionKeyThrottled", "on-error ran");
    return retryAfter;
  }

  it("answers 429 with Retry-After once one address has sent too many invalid keys, even for the right key", async () => {
    const guesser = "127.0.0.21";
    for (let n = 0; n < 3; n++) {
      const reply = await get(guesser, wrong(n));
      assert.equal(reply.status, 401, reply.text);
      assert.equal(reply.headers["retry-after"], undefined);
      assert.equal(reply.headers["x-failure"], "authorization/SubscriptionKeyInvalid");
    }
    assertThrottled(await get(guesser, wrong(3)));
    assertThrottled(await get(guesser, KEY));
    assertThrottled(await get(guesser, undefined, `?subscription-key=${KEY}`));
  });

  it("still lets the right key through from another address meanwhile", async () => {
    const reply = await get("127.0.0.22", KEY);
    assert.equal(reply.status, 200, reply.text);
  });

  it("counts keys sent in the query like keys sent in the header", async () => {
    const guesser = "127.0.0.23";
    for (let n = 0; n < 3; n++)
      assert.equal((await get(guesser, undefined, `?subscription-key=${wrong(n)}`)).status, 401);
    assertThrottled(await get(guesser, KEY));
  });

  it("lets the throttled address in again once the window has room", async () => {
    const guesser = "127.0.0.24";
    for (let n = 0; n < 3; n++) assert.equal((await get(guesser, wrong(n))).status, 401);
    const retryAfter = assertThrottled(await get(guesser, KEY));
    await sleep(retryAfter * 1000 + 100);
    assert.equal((await get(guesser, KEY)).status, 200);
  });

  it("counts neither a missing key nor the right one", async () => {
    const caller = "127.0.0.25";
    for (let n = 0; n < 5; n++) {
      const missing = await get(caller, undefined);
      assert.equal(missing.status, 401);
      assert.equal(missing.headers["x-failure"], "authorization/SubscriptionKeyNotFound");
      assert.equal((await get(caller, KEY)).status, 200);
    }
    assert.equal((await get(caller, wrong(0))).status, 401);
  });
});
