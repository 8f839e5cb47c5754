import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import type { Management } from "../../src/admin/management.js";
import { ConfigError } from "../../src/config/errors.js";
import { exportConfig } from "../../src/config/export.js";
import { parseConfig, type LoadedConfig } from "../../src/config/load.js";
import { reconcile } from "../../src/config/reconcile.js";
import { Registry } from "../../src/identity/registry.js";
import { databaseTargets } from "../helpers/databases.js";
import { openGateway, type GatewayFixture } from "../gateway-store/helpers.js";

const targets = await databaseTargets();
const NO_MANAGEMENT = { tenantId: "none" } as Management;
const APP_ID = "6f7a8b9c-0d1e-4f2a-8b4c-5d6e7f8a9b0c";

const config = (credentials: string) => `identity:
  tenants:
    - id: 7a8b9c0d-1e2f-4a3b-9c5d-6e7f8a9b0c1d
      displayName: Northwind
      applications:
        - displayName: Deployer
          appId: ${APP_ID}
          federatedIdentityCredentials:
${credentials}`;

const GITHUB = `            - name: github-main
              issuer: https://token.actions.githubusercontent.com
              subject: repo:northwind/app:ref:refs/heads/main
              description: Deploys from main
            - name: aks-orders
              issuer: https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/
              subject: system:serviceaccount:orders:reader
              audiences: [api://AzureADTokenExchange]
`;

for (const target of targets) {
  describe(`federated credentials in the configuration on ${target.name}`, { skip: target.skip }, () => {
    let f: GatewayFixture;
    let registry: Registry;
    const load = (text: string): LoadedConfig => ({ config: parseConfig(text, "wif.yaml", {}), baseDir: "." });
    const stored = async () =>
      registry.read(async (repos) => {
        const app = await repos.applications.getByAppId(APP_ID);
        return app ? repos.federatedCredentials.list({ kind: "application", id: app.id }) : [];
      });

    before(async () => {
      f = await openGateway(target);
      registry = new Registry(f.store, f.masterKey.derive("client-secret-pepper"));
    });
    after(() => f.close());

    it("applies, re-applies without changes, updates by name, and exports what it applied", async () => {
      const first = await reconcile(registry, load(config(GITHUB)), f.gateway);
      assert.ok(
        first.changes.includes("added federated credential 'github-main' of application Deployer"),
        first.changes.join("\n"),
      );
      const credentials = await stored();
      assert.deepEqual(
        credentials.map((c) => [c.name, c.audiences, c.description]),
        [
          ["github-main", ["api://AzureADTokenExchange"], "Deploys from main"],
          ["aks-orders", ["api://AzureADTokenExchange"], null],
        ],
      );
      assert.deepEqual((await reconcile(registry, load(config(GITHUB)), f.gateway)).changes, []);

      const changed = await reconcile(
        registry,
        load(config(GITHUB.replace("refs/heads/main", "refs/heads/release"))),
        f.gateway,
      );
      assert.deepEqual(changed.changes, ["updated federated credential 'github-main' of application Deployer"]);
      assert.equal((await stored())[0]?.id, credentials[0]?.id, "updated in place, same id");

      const exported = await exportConfig(registry, NO_MANAGEMENT, f.gateway);
      const app = (
        parse(exported) as {
          identity: { tenants: { applications: { appId: string; federatedIdentityCredentials: unknown[] }[] }[] };
        }
      ).identity.tenants[0]?.applications.find((a) => a.appId === APP_ID);
      assert.deepEqual(app?.federatedIdentityCredentials, [
        {
          name: "github-main",
          issuer: "https://token.actions.githubusercontent.com",
          subject: "repo:northwind/app:ref:refs/heads/release",
          audiences: ["api://AzureADTokenExchange"],
          description: "Deploys from main",
        },
        {
          name: "aks-orders",
          issuer: "https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/",
          subject: "system:serviceaccount:orders:reader",
          audiences: ["api://AzureADTokenExchange"],
        },
      ]);
      assert.deepEqual(
        (await reconcile(registry, load(exported), f.gateway)).changes,
        [],
        "the export re-applies as is",
      );
    });

    it("names the application and the credential when Graph's rules refuse one", async () => {
      const bad = `            - { name: plain-http, issuer: "http://issuer.example", subject: s }\n`;
      await assert.rejects(reconcile(registry, load(config(bad)), f.gateway), (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(
          error.message,
          /application Deployer: federated credential 'plain-http': issuer .* must be an https URL/,
        );
        return true;
      });
      assert.throws(
        () =>
          parseConfig(
            config(`            - { name: x, issuer: https://i.example, subject: s, extra: 1 }\n`),
            "wif.yaml",
            {},
          ),
        /extra/,
      );
    });
  });
}
