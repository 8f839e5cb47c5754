import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { exportConfig } from "../../src/config/export.js";
import { parseConfig } from "../../src/config/load.js";
import { reconcile } from "../../src/config/reconcile.js";
import { openCore, type Core } from "../../src/server.js";
import { EXAMPLE, type TestGatehouse } from "../helpers/gatehouse.js";
import { call, type GatewayTest } from "../helpers/gateway.js";
import { msalToken } from "../gateway-entra/helpers.js";
import { arm, armProperties, eventually, startApplicationAccessTest, type Properties } from "./helpers.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What a file says for application-based access: the server provisions it once its listeners are up. */
const FILE = [
  "  users:",
  "    - { name: dev, email: dev@contoso.example, firstName: Dev, lastName: Loper }",
  "  clientApplications:",
  "    - { name: billing, displayName: Billing, ownerId: /users/dev, products: [secure] }",
];
const SECURE_PRODUCT =
  "    - { name: secure, displayName: Secure, state: published, apis: [other], authenticationType: [application-token] }";

describe("application-based access as configuration, provisioned by the server's sync", () => {
  let test: GatewayTest;
  let gh: TestGatehouse;

  const registered = async (product: string): Promise<string> => {
    const properties = await armProperties(gh, "GET", `/products/${product}`, 200);
    const application = properties.application as { entra: { applicationId: string } } | undefined;
    assert.ok(application, `product ${product} has no application yet`);
    return application.entra.applicationId;
  };
  const approved = async (app: string): Promise<Properties> => {
    const properties = await armProperties(gh, "GET", `/clientApplications/${app}`, 200);
    assert.equal(properties.state, "approved", JSON.stringify(properties));
    return properties;
  };
  /** A token for the application's product through MSAL, and the gateway's answer to it on `path`. */
  const callWithToken = async (app: string, productAppId: string, path: string): Promise<number> => {
    const { entraApplicationId } = await approved(app);
    const { entra } = (await arm(gh, "POST", `/clientApplications/${app}/listSecrets`)).body as {
      entra: { clientSecret: string };
    };
    const token = await msalToken(
      gh,
      entraApplicationId as string,
      entra.clientSecret,
      `api://${productAppId}/.default`,
    );
    assert.ok(token.ok, JSON.stringify(token));
    const reply = await call(gh, `${gh.gatewayUrl}${path}`, {
      headers: { authorization: `Bearer ${token.accessToken as string}` },
    });
    return reply.status;
  };

  before(async () => {
    // The file is applied before the listeners are up: only the wish is stored at first.
    test = await startApplicationAccessTest([SECURE_PRODUCT, ...FILE]);
    gh = test.gh;
  });
  after(() => test.stop());

  it("provisions what the file asked for once the server is up", async () => {
    const productAppId = await eventually(() => registered("secure"));
    assert.match(productAppId, GUID);
    const billing = await eventually(() => approved("billing"));
    assert.equal(billing.entraTenantId, EXAMPLE.tenantId);
    assert.equal(await callWithToken("billing", productAppId, "/other/x"), 200);
  });

  it("exports authentication types and client applications without ids or secrets; the export applies as is", async () => {
    const exported = await exportConfig(gh.registry, gh.management, gh.gateway);
    const gateway = (parse(exported) as { gateway: Record<string, Record<string, unknown>[]> }).gateway;
    const secure = gateway.products?.find((p) => p.name === "secure");
    assert.deepEqual(secure?.authenticationType, ["application-token"]);
    assert.deepEqual(gateway.clientApplications, [
      { name: "billing", displayName: "Billing", ownerId: "/users/dev", products: ["secure"] },
    ]);
    const productAppId = await registered("secure");
    const { entraApplicationId } = await approved("billing");
    // The registrations themselves are the tenant's, exported with its applications; the gateway names none.
    const section = JSON.stringify(gateway);
    for (const id of [productAppId, entraApplicationId as string]) assert.ok(!section.includes(id), "no ids");

    const revision = await gh.store.revision();
    const reapplied = await reconcile(
      gh.registry,
      { config: parseConfig(exported, "export.yaml", {}), baseDir: gh.dataDir },
      gh.gateway,
    );
    assert.deepEqual(reapplied.changes, []);
    assert.equal(await gh.store.revision(), revision, "applying the export writes nothing");
  });

  describe("written by another process sharing the store", () => {
    let other: Core;
    before(async () => {
      other = await openCore(gh.dataDir, undefined);
    });
    after(() => other.store.close());

    it("is provisioned by the server, which notices the new revision", async () => {
      assert.equal(other.gateway.entra.current(), undefined, "the other process has no directory");
      await other.gateway.write(async (tx) => {
        await tx.products.patch("unlimited", { authenticationType: ["subscription-key", "application-token"] });
        await tx.clientApplications.put("reports", { displayName: "Reports", ownerId: "dev" });
        await tx.clientApplications.putLink("reports", "unlimited", "unlimited", false);
      });
      const productAppId = await eventually(() => registered("unlimited"));
      await eventually(() => approved("reports"));
      assert.equal(await callWithToken("reports", productAppId, "/other/x"), 200);
    });

    it("a second pass changes nothing", async () => {
      const revision = await gh.store.revision();
      await other.gateway.write(async (tx) => void (await tx.products.patch("secure", { description: "Tokens only" })));
      await eventually(async () =>
        assert.equal((await armProperties(gh, "GET", "/products/secure", 200)).description, "Tokens only"),
      );
      // One write here; the sync, having nothing to provision, adds none.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(await gh.store.revision(), revision + 1);
    });
  });
});
