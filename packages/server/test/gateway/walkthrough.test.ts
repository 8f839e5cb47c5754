import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadMasterKey } from "../../src/crypto/master-key.js";
import { DEMO } from "../../src/demo/config.js";
import { demoClientSecret } from "../../src/demo/client-secret.js";
import { DEMO_GATEWAY } from "../../src/demo/gateway.js";
import type { EchoReply } from "../../src/demo/backends/index.js";
import { startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { call, NUMBER_TO_WORDS_ACTION, soapEnvelope, tamper } from "../helpers/gateway.js";
import { runClient } from "../helpers/run-client.js";

interface MsalResult {
  ok: boolean;
  accessToken: string;
  message?: string;
}

/** The documented walkthrough, on the demo content `npm start` creates: MSAL token, then the SOAP call. */
describe("gateway walkthrough (demo content)", () => {
  let gh: TestGatehouse;
  let key: string;
  let token: string;

  before(async () => {
    gh = await startTestGatehouse({ overrides: { demo: true } });
    key = (await gh.gateway.subscriptions.listSecrets(DEMO_GATEWAY.subscription)).primaryKey;
    const secret = await demoClientSecret(gh.dataDir, await loadMasterKey(gh.dataDir), gh.registry, gh.applied);
    const result = await runClient<MsalResult>(
      "msal",
      {
        authority: `${gh.identityUrl}/${DEMO.tenantId}`,
        clientId: DEMO.clientAppId,
        clientSecret: secret,
        scopes: [`api://${DEMO.resourceAppId}/.default`],
        knownAuthorities: [new URL(gh.identityUrl).host],
      },
      gh.caPath,
    );
    assert.equal(result.ok, true, result.message);
    token = result.accessToken;
  });
  after(() => gh.stop());

  const numbers = (headers: Record<string, string>, value = "500") =>
    call(gh, `${gh.gatewayUrl}/${DEMO_GATEWAY.numbersApiPath}`, {
      method: "POST",
      headers: { "content-type": "text/xml; charset=utf-8", soapaction: `"${NUMBER_TO_WORDS_ACTION}"`, ...headers },
      body: soapEnvelope(value),
    });

  it("answers 'five hundred' for a token from MSAL and the Starter subscription key", async () => {
    const reply = await numbers({ authorization: `Bearer ${token}`, "ocp-apim-subscription-key": key });
    assert.equal(reply.status, 200, reply.text);
    assert.match(String(reply.headers["content-type"]), /^text\/xml/);
    assert.match(reply.text, /<m:NumberToWordsResult>five hundred <\/m:NumberToWordsResult>/);
    assert.match(String(reply.headers["x-gatehouse-request-id"]), /^[0-9a-f-]{36}$/);
  });

  it("accepts the key in the subscription-key query parameter too", async () => {
    const reply = await call(gh, `${gh.gatewayUrl}/numbers?subscription-key=${key}`, {
      method: "POST",
      headers: {
        "content-type": "text/xml; charset=utf-8",
        soapaction: NUMBER_TO_WORDS_ACTION,
        authorization: `Bearer ${token}`,
      },
      body: soapEnvelope("21"),
    });
    assert.equal(reply.status, 200, reply.text);
    assert.match(reply.text, /twenty one/);
  });

  it("refuses a tampered token with validate-jwt's 401 body", async () => {
    const reply = await numbers({ authorization: `Bearer ${tamper(token)}`, "ocp-apim-subscription-key": key });
    assert.equal(reply.status, 401);
    assert.equal(reply.text, '{ "statusCode": 401, "message": "Invalid JWT." }');
    assert.equal(reply.headers["content-type"], "application/json");
  });

  it("refuses a call without a token: JWT not present", async () => {
    const reply = await numbers({ "ocp-apim-subscription-key": key });
    assert.equal(reply.status, 401);
    assert.equal(reply.text, '{ "statusCode": 401, "message": "JWT not present." }');
  });

  it("refuses a call without a subscription key, as APIM does", async () => {
    const reply = await numbers({ authorization: `Bearer ${token}` });
    assert.equal(reply.status, 401);
    assert.equal(reply.statusText, "Access Denied");
    assert.equal(
      reply.text,
      '{ "statusCode": 401, "message": "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API." }',
    );
    assert.equal(
      reply.headers["www-authenticate"],
      `AzureApiManagementKey realm="https://${new URL(gh.gatewayUrl).host}/numbers",name="Ocp-Apim-Subscription-Key",type="header"`,
    );
  });

  it("refuses an unknown subscription key", async () => {
    const reply = await numbers({ authorization: `Bearer ${token}`, "ocp-apim-subscription-key": "0".repeat(32) });
    assert.equal(reply.status, 401);
    assert.equal(
      reply.text,
      '{ "statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription." }',
    );
  });

  it("relays the backend's SOAP fault for bad input unchanged", async () => {
    const reply = await numbers({ authorization: `Bearer ${token}`, "ocp-apim-subscription-key": key }, "-3");
    assert.equal(reply.status, 500);
    assert.match(reply.text, /<faultstring>/);
  });

  it("answers 404 Resource not found for an unknown API or operation", async () => {
    for (const path of ["/nothing", "/numbers/extra", "/"]) {
      const reply = await call(gh, `${gh.gatewayUrl}${path}`, { headers: { "ocp-apim-subscription-key": key } });
      assert.equal(reply.status, 404, path);
      assert.equal(reply.text, '{ "statusCode": 404, "message": "Resource not found" }');
    }
    // A SOAP call with an action no operation declares does not match either.
    const reply = await numbers({
      authorization: `Bearer ${token}`,
      "ocp-apim-subscription-key": key,
      soapaction: "urn:unknown",
    });
    assert.equal(reply.status, 404);
  });

  it("forwards to the Echo API with the key kept and X-Forwarded-* added", async () => {
    const reply = await call(gh, `${gh.gatewayUrl}/echo/resource/7?x=1&x=2`, {
      method: "PUT",
      headers: { "ocp-apim-subscription-key": key, "content-type": "text/plain", "x-custom": "a" },
      body: "hello",
    });
    assert.equal(reply.status, 200, reply.text);
    const echoed = reply.json<EchoReply>();
    assert.equal(echoed.method, "PUT");
    assert.equal(echoed.path, "/resource/7");
    assert.deepEqual(echoed.query, { x: ["1", "2"] });
    assert.equal(echoed.body, "hello");
    assert.equal(echoed.headers["ocp-apim-subscription-key"], key);
    assert.equal(echoed.headers["x-custom"], "a");
    assert.equal(echoed.headers["x-forwarded-for"], "127.0.0.1");
    assert.equal(echoed.headers["x-forwarded-host"], new URL(gh.gatewayUrl).host);
    assert.equal(echoed.headers["x-forwarded-proto"], "https");
  });
});
