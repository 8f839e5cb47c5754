import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { databaseTargets } from "../helpers/databases.js";
import { inboundPolicy, openGateway, type GatewayFixture } from "../gateway-store/helpers.js";
import { ConfigError } from "../../src/config/errors.js";
import { parseConfig, type LoadedConfig } from "../../src/config/load.js";
import { reconcile } from "../../src/config/reconcile.js";
import { exportConfig } from "../../src/config/export.js";
import { Registry } from "../../src/identity/registry.js";
import type { Management } from "../../src/admin/management.js";

const targets = await databaseTargets();

const CONFIG = `
gateway:
  namedValues:
    - { name: tenant-id, value: "\${TENANT}" }
    - { name: backend-key, displayName: Backend-Key, value: "\${BACKEND_KEY}", secret: true, tags: [demo] }
  backends:
    - name: numbers-backend
      url: http://127.0.0.1:7001/soap
      protocol: soap
      title: Numbers
      credentials: { header: { x-key: ["{{Backend-Key}}"] } }
  policyFile: global.xml
  apis:
    - name: numbers
      displayName: Numbers
      path: numbers
      serviceUrl: http://127.0.0.1:7001/soap
      apiType: soap
      protocols: [http, https]
      subscriptionKeyParameterNames: { header: X-Key, query: key }
      policy: |
        <policies>
          <inbound>
            <base />
            <set-backend-service backend-id="numbers-backend" />
            <set-header name="x-tenant" exists-action="override"><value>{{tenant-id}}</value></set-header>
          </inbound>
          <backend><base /></backend>
          <outbound><base /></outbound>
          <on-error><base /></on-error>
        </policies>
      operations:
        - name: number-to-words
          displayName: NumberToWords
          method: POST
          urlTemplate: "/?soapAction=http://www.dataaccess.com/webservicesserver/NumberToWords"
          responses: [{ statusCode: 200, representations: [{ contentType: text/xml }] }]
    - name: echo
      displayName: Echo
      path: echo
      serviceUrl: http://127.0.0.1:7002
      subscriptionRequired: false
      operations:
        - { name: get, displayName: Get, method: GET, urlTemplate: "/*", policy: "${"<policies><inbound><base /></inbound></policies>"}" }
  products:
    - { name: starter, displayName: Starter, state: published, apis: [numbers, echo], description: Demo }
    - name: open
      displayName: Open
      subscriptionRequired: false
      apis: [echo]
      policy: "<policies><inbound><base /></inbound><backend><base /></backend></policies>"
  subscriptions:
    - { name: starter-demo, displayName: Starter demo, scope: /products/starter }
    - { name: fixed, displayName: Fixed keys, scope: /apis/echo, primaryKey: "\${PRIMARY}", secondaryKey: fixed-secondary-key }
    - { name: everything, displayName: All APIs, scope: /apis, allowTracing: true, state: suspended }
`;

const GLOBAL = inboundPolicy('<set-header name="x-global" exists-action="skip"><value>yes</value></set-header>');
const ENV = { TENANT: "contoso", BACKEND_KEY: "backend-secret-value", PRIMARY: "fixed-primary-key" };
const NO_MANAGEMENT = { tenantId: "none" } as Management;

describe("gateway configuration files", () => {
  it("accepts the gateway section and refuses unknown keys, both policy and policyFile", () => {
    const config = parseConfig(CONFIG, "c.yaml", ENV);
    assert.equal(config.gateway?.apis?.[0]?.operations?.[0]?.method, "POST");
    assert.equal(config.gateway?.namedValues?.[1]?.value, "backend-secret-value");
    for (const [yaml, pattern] of [
      ["gateway:\n  apis:\n    - { name: a, displayName: A, path: a, colour: red }\n", /colour/],
      ["gateway:\n  policy: <policies/>\n  policyFile: p.xml\n", /give at most one of policy and policyFile/],
      ["gateway:\n  subscriptions:\n    - { name: s, displayName: S, scope: /apis, state: paused }\n", /state/],
    ] as const) {
      assert.throws(
        () => parseConfig(yaml, "c.yaml", {}),
        (e: Error) => e instanceof ConfigError && pattern.test(e.message),
      );
    }
  });
});

for (const target of targets) {
  describe(`applying the gateway section on ${target.name}`, { skip: target.skip }, () => {
    let f: GatewayFixture;
    let registry: Registry;
    let dir: string;
    const load = async (text: string, env: NodeJS.ProcessEnv = ENV): Promise<LoadedConfig> => ({
      config: parseConfig(text, "gateway.yaml", env),
      baseDir: dir,
    });

    before(async () => {
      f = await openGateway(target);
      registry = new Registry(f.store, f.masterKey.derive("client-secret-pepper"));
      dir = await mkdtemp(join(tmpdir(), "gatehouse-gateway-config-"));
      await writeFile(join(dir, "global.xml"), GLOBAL);
    });
    after(async () => {
      await f.close();
      await rm(dir, { recursive: true, force: true });
    });

    it("applies once, then reports no changes; generated keys are reported once", async () => {
      const first = await reconcile(registry, await load(CONFIG), f.gateway);
      assert.ok(first.changes.includes("created api numbers"), first.changes.join("\n"));
      assert.ok(first.changes.includes("set the global policy"));
      assert.ok(first.changes.includes("added api echo to product open"));
      assert.ok(first.changes.includes("created subscription starter-demo"));
      assert.equal(first.changes.length, 19, first.changes.join("\n"));
      assert.deepEqual(first.generatedSubscriptionKeys, [
        { subscription: "starter-demo", ...(await f.gateway.subscriptions.listSecrets("starter-demo")) },
        { subscription: "everything", ...(await f.gateway.subscriptions.listSecrets("everything")) },
      ]);
      assert.deepEqual(await f.gateway.subscriptions.listSecrets("fixed"), {
        primaryKey: "fixed-primary-key",
        secondaryKey: "fixed-secondary-key",
      });
      assert.equal(await f.gateway.policies.get({ kind: "global" }), GLOBAL);
      assert.deepEqual((await f.gateway.products.get("starter"))?.apis, ["echo", "numbers"]);
      const numbers = await f.gateway.apis.get("numbers");
      assert.deepEqual(numbers?.subscriptionKeyParameterNames, { header: "X-Key", query: "key" });
      assert.equal((await f.gateway.subscriptions.get("everything"))?.state, "suspended");
      assert.equal((await f.gateway.namedValues.get("backend-key"))?.value, null);

      const revision = await f.store.revision();
      const second = await reconcile(registry, await load(CONFIG), f.gateway);
      assert.deepEqual(second.changes, []);
      assert.deepEqual(second.generatedSubscriptionKeys, []);
      assert.equal(await f.store.revision(), revision, "an unchanged file writes nothing");
    });

    it("compares keys and secret values from the file with the stored ones", async () => {
      const changed = await reconcile(
        registry,
        await load(CONFIG, { ...ENV, PRIMARY: "another-primary-key", BACKEND_KEY: "rotated" }),
        f.gateway,
      );
      assert.deepEqual(changed.changes, ["updated named value backend-key", "updated subscription fixed"]);
      assert.equal((await f.gateway.subscriptions.listSecrets("fixed")).primaryKey, "another-primary-key");
      assert.equal(await f.gateway.namedValues.listValue("backend-key"), "rotated");
    });

    it("exports without secrets, and applying the export changes nothing", async () => {
      const keys = await f.gateway.subscriptions.listSecrets("starter-demo");
      const exported = await exportConfig(registry, NO_MANAGEMENT, f.gateway);
      for (const secret of [keys.primaryKey, keys.secondaryKey, "another-primary-key", "rotated"]) {
        assert.ok(!exported.includes(secret), "no secret in the export");
      }
      assert.match(exported, /contoso/, "plain named values are exported");
      const reapplied = await reconcile(registry, await load(exported, {}), f.gateway);
      assert.deepEqual(reapplied.changes, []);
      assert.deepEqual(await f.gateway.subscriptions.listSecrets("starter-demo"), keys);
    });

    it("names the entry at fault and applies nothing of a refused file", async () => {
      const revision = await f.store.revision();
      const cases: [string, RegExp][] = [
        [
          "gateway:\n  apis:\n    - { name: fresh, displayName: Fresh, path: fresh }\n    - { name: bad name, displayName: B, path: b }\n",
          /^gateway\.apis\[1\] \(bad name\): Api name 'bad name' is invalid/,
        ],
        [
          "gateway:\n  apis:\n    - { name: fresh, displayName: Fresh, path: fresh }\n    - { name: dup, displayName: D, path: FRESH }\n",
          /^gateway\.apis: The path 'FRESH' of api 'dup' is already used by api 'fresh'/,
        ],
        [
          'gateway:\n  apis:\n    - { name: fresh, displayName: Fresh, path: fresh, policy: "<policies>\\n<inbound><nope/></inbound></policies>" }\n',
          /^gateway\.apis: the policy of api 'fresh': 'nope' is not a known policy \(line 2, column 10\)/,
        ],
        ["gateway:\n  namedValues:\n    - { name: new-secret, secret: true }\n", /value is required to create/],
        [
          "gateway:\n  apis:\n    - { name: other, displayName: O, path: NUMBERS }\n",
          /^gateway\.apis: The path 'NUMBERS' of api 'other' is already used by api 'numbers'/,
        ],
        [
          "gateway:\n  apis:\n    - { name: twice, displayName: T, path: t1 }\n    - { name: twice, displayName: T, path: t2 }\n",
          /^gateway\.apis: An api name is given twice/,
        ],
        [
          "gateway:\n  apis:\n    - name: twins\n      displayName: T\n      path: twins\n      operations:\n        - { name: a, displayName: A, method: GET, urlTemplate: '/x/{id}' }\n        - { name: b, displayName: B, method: get, urlTemplate: '/X/{other}' }\n",
          /^gateway\.apis: Operation 'a' of api 'twins' already has method GET and URL template '\/X\/\{other\}', so 'b' cannot/,
        ],
        [
          "gateway:\n  namedValues:\n    - { name: tenant-id, displayName: renamed }\n",
          /^gateway\.namedValues\[0\] \(tenant-id\): Named value 'tenant-id' cannot change this way: the policy of api 'numbers' would no longer load/,
        ],
        [
          "gateway:\n  subscriptions:\n    - { name: s, displayName: S, scope: /users/1 }\n",
          /gateway\.subscriptions\[0\] \(s\): scope/,
        ],
        [
          "gateway:\n  products:\n    - { name: p, displayName: P, apis: [missing] }\n",
          /products\[0\] \(p\): Api 'missing' does not exist/,
        ],
        ["gateway:\n  policyFile: missing.xml\n", /cannot read policyFile/],
      ];
      for (const [yaml, pattern] of cases) {
        await assert.rejects(reconcile(registry, await load(yaml, {}), f.gateway), (e: Error) => {
          assert.ok(e instanceof ConfigError, String(e));
          assert.match(e.message, pattern);
          return true;
        });
      }
      assert.equal(await f.gateway.apis.get("fresh"), undefined, "the whole section is one transaction");
      assert.equal(await f.store.revision(), revision);
    });

    it("applies 5,000 APIs with one operation and a policy each in one transaction", async () => {
      const count = 5000;
      const apis = Array.from({ length: count }, (_, i) => ({
        name: `bulk-${i}`,
        displayName: `Bulk ${i}`,
        path: `bulk/${i}`,
        serviceUrl: "http://127.0.0.1:7002",
        policy: inboundPolicy(
          '<set-header name="x-bulk" exists-action="override"><value>{{tenant-id}}</value></set-header>',
        ),
        operations: [{ name: "get-item", displayName: "Get item", method: "GET", urlTemplate: "/items/{id}" }],
      }));
      const loaded = await load(stringify({ gateway: { apis } }), {});
      const started = performance.now();
      const report = await reconcile(registry, loaded, f.gateway);
      const firstMs = performance.now() - started;
      assert.equal(report.changes.length, count * 3);
      const again = performance.now();
      assert.deepEqual((await reconcile(registry, loaded, f.gateway)).changes, []);
      const secondMs = performance.now() - again;
      console.log(
        `# ${target.name}: ${count} APIs (+ operation and policy each) applied in ${(firstMs / 1000).toFixed(2)} s, re-applied (no changes) in ${(secondMs / 1000).toFixed(2)} s, YAML parsing not included`,
      );
      assert.equal((await f.gateway.apis.list()).filter((a) => a.name.startsWith("bulk-")).length, count);
    });
  });
}
