import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { APP_TOKEN_MESSAGES } from "../../src/gateway/app-token/refusal.js";
import { ACCESS_MESSAGES } from "../../src/gateway/access.js";
import { EXAMPLE, type TestGatehouse } from "../helpers/gatehouse.js";
import { call, type GatewayTest } from "../helpers/gateway.js";
import { adminCall, msalToken } from "../gateway-entra/helpers.js";
import { arm, armProperties, createUser, eventually, SERVICE, startApplicationAccessTest } from "./helpers.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface EntraSettings {
  entra: { applicationId: string; audience: string };
}

describe("application-based access through the ARM API and the gateway", () => {
  let test: GatewayTest;
  let gh: TestGatehouse;
  let starterAppId: string;
  let clientId: string;
  let secret: string;
  let token: string;

  const gateway = (path: string, headers: Record<string, string> = {}) =>
    call(gh, `${gh.gatewayUrl}${path}`, { headers });
  const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
  const graph = async (path: string) => adminCall(gh, await gh.adminToken(), "GET", `/${EXAMPLE.tenantId}/v1.0${path}`);
  const newToken = (audienceAppId: string, id = clientId, password = secret) =>
    msalToken(gh, id, password, `api://${audienceAppId}/.default`);

  before(async () => {
    test = await startApplicationAccessTest();
    gh = test.gh;
    await createUser(gh, "dev", "dev@contoso.example");
  });
  after(() => test.stop());

  it("turning application-token on provisions the product's application before it answers", async () => {
    const properties = await armProperties(gh, "PATCH", "/products/starter", 200, {
      properties: { authenticationType: ["application-token"] },
    });
    assert.deepEqual(properties.authenticationType, ["application-token"]);
    const { entra } = properties.application as EntraSettings;
    assert.match(entra.applicationId, GUID);
    assert.equal(entra.audience, `api://${entra.applicationId}`);
    starterAppId = entra.applicationId;

    const found = await graph(`/applications?$filter=${encodeURIComponent("appId eq '" + starterAppId + "'")}`);
    const [registration] = (found.body as { value: { displayName: string; appRoles: { value: string }[] }[] }).value;
    assert.equal(registration?.displayName, "APIMProductApplicationStarter");
    assert.deepEqual(
      registration.appRoles.map((r) => r.value),
      ["Product.starter.All"],
    );
    assert.deepEqual(await armProperties(gh, "GET", "/products/starter", 200), properties, "GET shows the same");
  });

  it("a client application owned by a user is registered, linked to the product, and gets secrets", async () => {
    const created = await armProperties(gh, "PUT", "/clientApplications/billing", 201, {
      properties: { displayName: "Billing", description: "Invoices", ownerId: "/users/dev" },
    });
    assert.match(created.entraApplicationId as string, GUID);
    assert.deepEqual(created, {
      displayName: "Billing",
      description: "Invoices",
      ownerId: "/users/dev",
      state: "approved",
      entraApplicationId: created.entraApplicationId,
      entraTenantId: EXAMPLE.tenantId,
    });
    clientId = created.entraApplicationId as string;

    const link = await arm(gh, "PUT", "/clientApplications/billing/productLinks/starter-link", {
      properties: { productId: "/products/starter" },
    });
    assert.equal(link.status, 201, JSON.stringify(link.body));
    assert.deepEqual(link.body, {
      id: `${SERVICE}/clientApplications/billing/productLinks/starter-link`,
      type: "Microsoft.ApiManagement/service/clientApplications/productLinks",
      name: "starter-link",
      properties: { productId: `${SERVICE}/products/starter` },
    });
    const links = await arm(gh, "GET", "/clientApplications/billing/productLinks");
    assert.equal((links.body as { count: number }).count, 1);

    const before = Date.now();
    const listed = await arm(gh, "POST", "/clientApplications/billing/listSecrets");
    assert.equal(listed.status, 200);
    assert.equal(listed.headers.get("cache-control"), "no-store");
    const { entra } = listed.body as { entra: { clientSecret: string; expiresAt: string } };
    const year = Date.parse(entra.expiresAt) - before;
    assert.ok(year > 364 * 86_400_000 && year < 367 * 86_400_000, entra.expiresAt);
    secret = entra.clientSecret;
    // A second call adds another secret; both stay valid, for rotation.
    const second = (await arm(gh, "POST", "/clientApplications/billing/listSecrets")).body as typeof listed.body;
    assert.notEqual((second as { entra: { clientSecret: string } }).entra.clientSecret, secret);

    const list = await arm(gh, "GET", "/clientApplications?$filter=contains(displayName,'bill')");
    assert.deepEqual(
      (list.body as { value: { name: string }[] }).value.map((a) => a.name),
      ["billing"],
    );
    assert.equal((await arm(gh, "HEAD", "/clientApplications/billing")).status, 200);
    assert.equal((await arm(gh, "PATCH", "/clientApplications/billing", { properties: {} })).status, 405);
  });

  it("a token from MSAL opens the product's APIs without a key, and only that product's", async () => {
    const outcome = await newToken(starterAppId);
    assert.ok(outcome.ok, JSON.stringify(outcome));
    token = outcome.accessToken as string;

    // The product's policy sees the application's owner as context.User, and no subscription.
    const policy = await arm(gh, "PUT", "/products/starter/policies/policy", {
      properties: {
        format: "rawxml",
        value: `<policies><inbound><base />
          <set-header name="X-Owner" exists-action="override"><value>@(context.User?.Email ?? "none")</value></set-header>
          <set-header name="X-Product" exists-action="override"><value>@(context.Product?.Id ?? "none")</value></set-header>
          <set-header name="X-Subscription" exists-action="override"><value>@(context.Subscription == null ? "none" : "some")</value></set-header>
        </inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
      },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    const reply = await gateway("/echo/hello", bearer(token));
    assert.equal(reply.status, 200, reply.text);
    const echoed = reply.json<{ path: string; headers: Record<string, string> }>();
    assert.equal(echoed.path, "/hello");
    assert.equal(echoed.headers["x-owner"], "dev@contoso.example");
    assert.equal(echoed.headers["x-product"], "starter");
    assert.equal(echoed.headers["x-subscription"], "none");
    const metrics = await gh.gatewayMetrics();
    assert.match(
      metrics,
      /gatehouse_gateway_application_requests_total\{product="starter",client_application="billing",status="200"\} 1/,
    );

    const missing = await gateway("/echo/hello");
    assert.equal(missing.status, 401);
    assert.equal(missing.json<{ message: string }>().message, APP_TOKEN_MESSAGES.missing);
    assert.match(String(missing.headers["www-authenticate"]), /^Bearer realm="https:\/\/localhost:\d+\/echo"$/);

    // Product unlimited takes keys only: the token is no key.
    const other = await gateway("/other/hello", bearer(token));
    assert.equal(other.status, 401);
    assert.equal(other.json<{ message: string }>().message, ACCESS_MESSAGES.SubscriptionKeyNotFound);
    // With application-token on unlimited too, starter's token is for another audience.
    await armProperties(gh, "PATCH", "/products/unlimited", 200, {
      properties: { authenticationType: ["application-token"] },
    });
    const otherProduct = await gateway("/other/hello", bearer(token));
    assert.equal(otherProduct.status, 401);
    assert.equal(otherProduct.json<{ message: string }>().message, APP_TOKEN_MESSAGES.invalid);
    assert.match(String(otherProduct.headers["www-authenticate"]), /error="invalid_token"/);
    // Nor can billing get a token for unlimited, whose role it was not granted.
    const unlimitedAppId = ((await armProperties(gh, "GET", "/products/unlimited", 200)).application as EntraSettings)
      .entra.applicationId;
    assert.equal((await newToken(unlimitedAppId)).ok, false);
  });

  it("with both authentication types a token or a key opens the product; with tokens only, keys do not", async () => {
    await arm(gh, "PUT", "/subscriptions/starter-sub", {
      properties: { displayName: "Starter", scope: "/products/starter" },
    });
    const { primaryKey } = (await arm(gh, "POST", "/subscriptions/starter-sub/listSecrets")).body as {
      primaryKey: string;
    };
    const key = { "ocp-apim-subscription-key": primaryKey };
    assert.equal((await gateway("/echo/x", key)).status, 401, "application-token only: the key opens nothing");

    const both = await armProperties(gh, "PATCH", "/products/starter", 200, {
      properties: { authenticationType: ["subscription-key", "application-token"] },
    });
    assert.equal((both.application as EntraSettings).entra.applicationId, starterAppId);
    assert.equal((await gateway("/echo/x", key)).status, 200);
    assert.equal((await gateway("/echo/x", bearer(token))).status, 200);
    // Without either, the key is asked for: the product takes keys.
    const neither = await gateway("/echo/x");
    assert.equal(neither.status, 401);
    assert.equal(neither.json<{ message: string }>().message, ACCESS_MESSAGES.SubscriptionKeyNotFound);
  });

  it("turning it off disables the application; on again re-enables the same one", async () => {
    const off = await armProperties(gh, "PATCH", "/products/starter", 200, {
      properties: { authenticationType: ["subscription-key"] },
    });
    assert.equal(off.application, undefined);
    assert.equal((await gateway("/echo/x", bearer(token))).status, 401, "the token is no key");
    // The sync disables the registration right after the change: no new token for the product.
    await eventually(async () => assert.equal((await newToken(starterAppId)).ok, false));
    const disabled = await graph(`/servicePrincipals(appId='${starterAppId}')`);
    assert.equal((disabled.body as { accountEnabled: boolean }).accountEnabled, false);

    const on = await armProperties(gh, "PATCH", "/products/starter", 200, {
      properties: { authenticationType: ["application-token"] },
    });
    assert.equal((on.application as EntraSettings).entra.applicationId, starterAppId, "the same application");
    const again = await newToken(starterAppId);
    assert.ok(again.ok, JSON.stringify(again));
    token = again.accessToken as string;
    assert.equal((await gateway("/echo/x", bearer(token))).status, 200);
  });

  it("a blocked owner's application calls nothing", async () => {
    await armProperties(gh, "PATCH", "/users/dev", 200, { properties: { state: "blocked" } });
    const refused = await gateway("/echo/x", bearer(token));
    assert.equal(refused.status, 403);
    assert.equal(refused.json<{ message: string }>().message, APP_TOKEN_MESSAGES.forbidden);
    await armProperties(gh, "PATCH", "/users/dev", 200, { properties: { state: "active" } });
    assert.equal((await gateway("/echo/x", bearer(token))).status, 200);
  });

  it("refuses what it cannot do, naming the property", async () => {
    const refused = async (method: string, path: string, body: unknown, status: number, pattern: RegExp) => {
      const response = await arm(gh, method, path, body);
      assert.equal(response.status, status, JSON.stringify(response.body));
      assert.match((response.body as { error: { message: string } }).error.message, pattern);
    };
    await refused(
      "PATCH",
      "/products/starter",
      { properties: { authenticationType: ["oauth"] } },
      400,
      /authenticationType 'oauth' is not supported/,
    );
    await refused(
      "PATCH",
      "/products/starter",
      { properties: { authenticationType: [] } },
      400,
      /authenticationType must name at least one/,
    );
    await arm(gh, "PUT", "/products/keys-only", { properties: { displayName: "Keys only" } });
    await refused(
      "PUT",
      "/clientApplications/billing/productLinks/keys",
      { properties: { productId: "/products/keys-only" } },
      400,
      /productId names product 'keys-only', which does not accept application tokens/,
    );
    await refused(
      "PUT",
      "/clientApplications/nobody",
      { properties: { displayName: "Nobody", ownerId: "/users/ghost" } },
      400,
      /ownerId '\/users\/ghost' names a user that does not exist/,
    );
    await refused(
      "PUT",
      "/clientApplications/Billing",
      { properties: { displayName: "Twin", ownerId: "/users/dev" } },
      409,
      /names may not differ only in case/,
    );
    assert.equal((await arm(gh, "GET", "/clientApplications/nobody")).status, 404, "nothing was stored");
  });

  it("unlinking removes the product's role; deleting the application deletes its registration", async () => {
    const unlinked = await arm(gh, "DELETE", "/clientApplications/billing/productLinks/starter-link");
    assert.equal(unlinked.status, 200);
    assert.equal((await gateway("/echo/x", bearer(token))).status, 403, "no longer a client of the product");
    assert.equal((await newToken(starterAppId)).ok, false, "the role is gone");

    await arm(gh, "PUT", "/clientApplications/billing/productLinks/starter-link", {
      properties: { productId: "/products/starter" },
    });
    assert.ok((await newToken(starterAppId)).ok, "granted again");

    assert.equal((await arm(gh, "DELETE", "/clientApplications/billing")).status, 200);
    assert.equal((await arm(gh, "DELETE", "/clientApplications/billing")).status, 204);
    const gone = await newToken(starterAppId);
    assert.equal(gone.ok, false);
    assert.match(String(gone.message), /AADSTS700016/);
    const refused = await gateway("/echo/x", bearer(token));
    assert.equal(refused.status, 403);
    assert.match(String(refused.headers["www-authenticate"]), /error="insufficient_scope"/);
  });

  it("deleting a product disables its application first", async () => {
    const unlimitedAppId = ((await armProperties(gh, "GET", "/products/unlimited", 200)).application as EntraSettings)
      .entra.applicationId;
    assert.equal((await arm(gh, "DELETE", "/products/unlimited")).status, 200);
    const principal = await graph(`/servicePrincipals(appId='${unlimitedAppId}')`);
    assert.equal((principal.body as { accountEnabled: boolean }).accountEnabled, false, "disabled, not deleted");
  });

  it("keeps no client secret anywhere in the store", async () => {
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
      gh.store.db,
    );
    for (const { name } of tables.rows) {
      const rows = await sql`select * from ${sql.table(name)}`.execute(gh.store.db);
      assert.ok(!JSON.stringify(rows.rows).includes(secret), `no client secret in ${name}`);
    }
  });
});
