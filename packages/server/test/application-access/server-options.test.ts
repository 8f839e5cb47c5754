import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EXAMPLE } from "../helpers/gatehouse.js";
import { apiYaml, startGatewayTest } from "../helpers/gateway.js";
import { EXAMPLE_CONFIG } from "../helpers/gatehouse.js";
import { call } from "../helpers/gateway.js";
import { msalToken } from "../gateway-entra/helpers.js";
import { arm, armProperties, createUser } from "./helpers.js";

const config = (echoUrl: string) =>
  [
    EXAMPLE_CONFIG,
    "gateway:",
    "  apis:",
    apiYaml("echo", echoUrl),
    "  products:",
    "    - { name: starter, displayName: Starter, apis: [echo] }",
    "",
  ].join("\n");

describe("--application-tenant: where product and client applications are registered", () => {
  it("takes a tenant's domain", async () => {
    const test = await startGatewayTest((b) => config(b.echoUrl), {
      overrides: { applicationTenant: EXAMPLE.domain },
    });
    try {
      await arm(test.gh, "PUT", "/users/dev", {
        properties: { email: "dev@contoso.example", firstName: "D", lastName: "L" },
      });
      await armProperties(test.gh, "PATCH", "/products/starter", 200, {
        properties: { authenticationType: ["application-token"] },
      });
      const app = await armProperties(test.gh, "PUT", "/clientApplications/billing", 201, {
        properties: { displayName: "Billing", ownerId: "/users/dev" },
      });
      assert.equal(app.entraTenantId, EXAMPLE.tenantId);
    } finally {
      await test.stop();
    }
  });

  it("answers 502 naming the directory's refusal, and stores nothing, when the tenant does not exist", async () => {
    const test = await startGatewayTest((b) => config(b.echoUrl), {
      overrides: { applicationTenant: "fabrikam.example" },
    });
    try {
      const refused = await arm(test.gh, "PATCH", "/products/starter", {
        properties: { authenticationType: ["application-token"] },
      });
      assert.equal(refused.status, 502, JSON.stringify(refused.body));
      const { error } = refused.body as { error: { code: string; message: string } };
      assert.equal(error.code, "DirectoryRequestFailed");
      assert.match(error.message, /Tenant 'fabrikam\.example' does not exist/);
      const product = await armProperties(test.gh, "GET", "/products/starter", 200);
      assert.deepEqual(product.authenticationType, ["subscription-key"], "the change was not stored");
    } finally {
      await test.stop();
    }
  });
});

describe("--gateway-workers and --azure-ad-authority: application tokens", () => {
  it("opens the product with a token in every worker", async () => {
    // validate-azure-ad-token's authority elsewhere changes nothing: product applications live in this server.
    const test = await startGatewayTest((b) => config(b.echoUrl), {
      overrides: { gatewayWorkers: 2, azureAdAuthority: "https://127.0.0.1:9" },
    });
    try {
      const { gh } = test;
      await createUser(gh, "dev", "dev@contoso.example");
      const starter = await armProperties(gh, "PATCH", "/products/starter", 200, {
        properties: { authenticationType: ["application-token"] },
      });
      const productAppId = (starter.application as { entra: { applicationId: string } }).entra.applicationId;
      const app = await armProperties(gh, "PUT", "/clientApplications/billing", 201, {
        properties: { displayName: "Billing", ownerId: "/users/dev" },
      });
      await arm(gh, "PUT", "/clientApplications/billing/productLinks/starter", {
        properties: { productId: "/products/starter" },
      });
      const { entra } = (await arm(gh, "POST", "/clientApplications/billing/listSecrets")).body as {
        entra: { clientSecret: string };
      };
      const token = await msalToken(
        gh,
        app.entraApplicationId as string,
        entra.clientSecret,
        `api://${productAppId}/.default`,
      );
      assert.ok(token.ok, JSON.stringify(token));
      await gh.reloadGateway();
      const headers = { authorization: `Bearer ${token.accessToken as string}` };
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) => call(gh, `${gh.gatewayUrl}/echo/${i}`, { headers })),
      );
      assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
    } finally {
      await test.stop();
    }
  });
});
