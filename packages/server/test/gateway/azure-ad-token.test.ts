import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EXAMPLE, EXAMPLE_CONFIG, exampleTokenForm, type TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml, call, startGatewayTest, tamper, type GatewayTest } from "../helpers/gateway.js";

/** validate-azure-ad-token pointed at the Gatehouse identity service (its default authority), v1 and v2 tokens. */
describe("validate-azure-ad-token against the Gatehouse identity service", () => {
  let test: GatewayTest;
  let gh: TestGatehouse;
  const legacyUri = "https://legacy.contoso.example/";

  before(async () => {
    test = await startGatewayTest(
      (backends) =>
        `${EXAMPLE_CONFIG}gateway:\n  apis:\n${apiYaml("azure", backends.echoUrl, ["subscriptionRequired: false"])}`,
    );
    gh = test.gh;
    // A resource that accepts v1 tokens, so the same client can present both versions.
    const legacy = await gh.registry.createApplication(EXAMPLE.tenantId, {
      displayName: "LegacyApi",
      identifierUris: [legacyUri],
    });
    await gh.registry.createServicePrincipal(EXAMPLE.tenantId, legacy.appId);
    await gh.gateway.policies.put(
      { kind: "api", api: "azure" },
      `<policies>
  <inbound>
    <base />
    <validate-azure-ad-token tenant-id="${EXAMPLE.domain}" output-token-variable-name="jwt">
      <client-application-ids>
        <application-id>${EXAMPLE.clientAppId}</application-id>
      </client-application-ids>
      <audiences>
        <audience>${EXAMPLE.resourceAppId}</audience>
        <audience>${legacyUri}</audience>
      </audiences>
    </validate-azure-ad-token>
  </inbound>
</policies>`,
    );
    await gh.reloadGateway();
  });
  after(() => test.stop());

  const get = (token: string) =>
    call(gh, `${gh.gatewayUrl}/azure/x`, { headers: { authorization: `Bearer ${token}` } });
  const tokenFrom = async (url: string, form: Record<string, string>) => {
    const res = await gh.postForm(url, form);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return (res.body as { access_token: string }).access_token;
  };

  it("accepts a v2 token of the allowed client, with the tenant given by its domain", async () => {
    assert.equal((await get(await tokenFrom(gh.tokenUrl(), exampleTokenForm()))).status, 200);
  });

  it("accepts a v1 token (v1 issuer, appid claim) of the allowed client", async () => {
    const v1 = await tokenFrom(gh.tokenUrl(EXAMPLE.tenantId, "v1"), {
      grant_type: "client_credentials",
      client_id: EXAMPLE.clientAppId,
      client_secret: EXAMPLE.secret,
      resource: legacyUri,
    });
    assert.equal((await get(v1)).status, 200);
  });

  it("refuses a tampered token, and a missing one", async () => {
    const reply = await get(tamper(await tokenFrom(gh.tokenUrl(), exampleTokenForm())));
    assert.equal(reply.status, 401);
    assert.equal(reply.text, '{ "statusCode": 401, "message": "Invalid JWT." }');
    const none = await call(gh, `${gh.gatewayUrl}/azure/x`);
    assert.equal(none.text, '{ "statusCode": 401, "message": "JWT not present." }');
  });

  it("refuses a client that is not in client-application-ids", async () => {
    const other = await gh.registry.createApplication(EXAMPLE.tenantId, { displayName: "OtherClient" });
    await gh.registry.createServicePrincipal(EXAMPLE.tenantId, other.appId);
    const { secretText } = await gh.registry.addPassword(other.appId, { displayName: "t" });
    const token = await tokenFrom(gh.tokenUrl(), {
      grant_type: "client_credentials",
      client_id: other.appId,
      client_secret: secretText,
      scope: EXAMPLE.scope,
    });
    const reply = await get(token);
    assert.equal(reply.status, 401);
    assert.equal(reply.text, '{ "statusCode": 401, "message": "Invalid JWT." }');
  });
});
