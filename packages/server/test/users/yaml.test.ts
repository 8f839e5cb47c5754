/** Users, groups, product visibility and owned subscriptions as configuration as code, round-tripping through export. */
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

const NO_MANAGEMENT = { tenantId: "none" } as Management;

const CONFIG = `
gateway:
  users:
    - name: dev
      email: dev@contoso.example
      firstName: Dana
      lastName: Dev
      note: from the file
      password: \${DEV_PASSWORD}
    - { name: ops, email: ops@contoso.example, firstName: Olu, lastName: Ops, state: blocked }
  groups:
    - name: partners
      displayName: Partners
      description: Contoso's partners
      users: [dev]
    - { name: aad-partners, displayName: AAD partners, type: external, externalId: "aad://contoso.example/groups/42" }
  apis:
    - { name: echo, displayName: Echo, path: echo }
  products:
    - { name: starter, displayName: Starter, state: published, apis: [echo], groups: [developers, partners] }
  subscriptions:
    - { name: dev-starter, displayName: Dev's, scope: /products/starter, ownerId: /users/dev }
`;

for (const target of await databaseTargets()) {
  describe(`users and groups as configuration on ${target.name}`, { skip: target.skip }, () => {
    let f: GatewayFixture;
    let registry: Registry;
    const load = (text: string, env: NodeJS.ProcessEnv): LoadedConfig => ({
      config: parseConfig(text, "users.yaml", env),
      baseDir: ".",
    });
    const passwordOf = async (user: string, password: string) => {
      const hash = (await f.gateway.users.findById(user))?.passwordHash;
      return hash !== undefined && (await f.gateway.passwords.verify(hash, password));
    };

    before(async () => {
      f = await openGateway(target);
      registry = new Registry(f.store, f.masterKey.derive("client-secret-pepper"));
    });
    after(() => f.close());

    it("applies users with a hashed password, groups with members, product groups and owners", async () => {
      const first = await reconcile(registry, load(CONFIG, { DEV_PASSWORD: "file password 1" }), f.gateway);
      assert.deepEqual(first.changes, [
        "created user dev (password set)",
        "created user ops",
        "created group partners",
        "added user dev to group partners",
        "created group aad-partners",
        "created api echo",
        "created product starter",
        "added api echo to product starter",
        "made product starter visible to group developers",
        "made product starter visible to group partners",
        "created subscription dev-starter",
      ]);
      assert.ok(await passwordOf("dev", "file password 1"));
      assert.deepEqual((await f.gateway.users.get("dev"))?.groups, ["developers", "partners"]);
      assert.deepEqual((await f.gateway.products.get("starter"))?.groups, ["administrators", "developers", "partners"]);
      assert.equal((await f.gateway.subscriptions.get("dev-starter"))?.owner, "dev");

      const revision = await f.store.revision();
      const again = await reconcile(registry, load(CONFIG, { DEV_PASSWORD: "file password 1" }), f.gateway);
      assert.deepEqual(again.changes, [], "the same password is no change");
      assert.equal(await f.store.revision(), revision);
      const changed = await reconcile(registry, load(CONFIG, { DEV_PASSWORD: "file password 2" }), f.gateway);
      assert.deepEqual(changed.changes, ["updated user dev (password set)"]);
      assert.ok(await passwordOf("dev", "file password 2"));
    });

    it("exports without passwords, and applying the export changes nothing", async () => {
      const exported = await exportConfig(registry, NO_MANAGEMENT, f.gateway);
      assert.doesNotMatch(exported, /password|scrypt/i);
      const gateway = (parse(exported) as { gateway: Record<string, unknown[]> }).gateway;
      assert.deepEqual(gateway.users?.[1], {
        name: "dev",
        email: "dev@contoso.example",
        firstName: "Dana",
        lastName: "Dev",
        state: "active",
        note: "from the file",
      });
      assert.deepEqual(gateway.groups, [
        {
          name: "aad-partners",
          displayName: "AAD partners",
          type: "external",
          externalId: "aad://contoso.example/groups/42",
          users: [],
        },
        {
          name: "partners",
          displayName: "Partners",
          description: "Contoso's partners",
          type: "custom",
          users: ["dev"],
        },
      ]);
      assert.deepEqual((gateway.products?.[0] as { groups: string[] }).groups, [
        "administrators",
        "developers",
        "partners",
      ]);
      assert.equal((gateway.subscriptions?.[0] as { ownerId: string }).ownerId, "/users/dev");
      const reapplied = await reconcile(registry, load(exported, {}), f.gateway);
      assert.deepEqual(reapplied.changes, []);
      assert.ok(await passwordOf("dev", "file password 2"), "the password is kept");
    });

    it("refuses what the registry refuses, naming the entry", async () => {
      const cases: [string, RegExp][] = [
        [
          "gateway:\n  users:\n    - { name: x, email: not-an-email, firstName: X, lastName: X }\n",
          /^gateway\.users\[0\] \(x\): email 'not-an-email' is not a valid email address/,
        ],
        [
          "gateway:\n  users:\n    - { name: x, email: x@contoso.example, firstName: X, lastName: X, password: short }\n",
          /^gateway\.users\[0\] \(x\): password: Password must be between 8 and 256/,
        ],
        ["gateway:\n  groups:\n    - { name: developers, displayName: Mine }\n", /^gateway\.groups.*built-in group/],
        [
          "gateway:\n  subscriptions:\n    - { name: s, displayName: S, scope: /apis, ownerId: /users/nobody }\n",
          /^gateway\.subscriptions.*ownerId '\/users\/nobody' names a user that does not exist/,
        ],
      ];
      for (const [text, message] of cases) {
        await assert.rejects(reconcile(registry, load(text, {}), f.gateway), (error: unknown) => {
          assert.ok(error instanceof ConfigError, String(error));
          assert.match(error.message, message);
          return true;
        });
      }
    });
  });
}
