/** Managed identities as configuration as code: apply, re-apply, export round-trip and refusals, on each store. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import type { Management } from "../../src/admin/management.js";
import { ConfigError } from "../../src/config/errors.js";
import { exportConfig } from "../../src/config/export.js";
import { parseConfig, type LoadedConfig } from "../../src/config/load.js";
import { reconcile } from "../../src/config/reconcile.js";
import { Registry } from "../../src/identity/registry.js";
import type { GatehouseConfig } from "../../src/config/schema.js";
import { databaseTargets } from "../helpers/databases.js";
import { openGateway, type GatewayFixture } from "../gateway-store/helpers.js";

const NO_MANAGEMENT = { tenantId: "none" } as Management;
const TENANT = "6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
const OTHER_TENANT = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const API = "9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";
const READ_ROLE = "3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

const CONFIG = `
identity:
  tenants:
    - id: ${TENANT}
      displayName: Contoso
      applications:
        - displayName: Orders API
          appId: ${API}
          identifierUris: ["api://${API}"]
          appRoles:
            - { id: ${READ_ROLE}, value: Orders.Read, displayName: Read orders, allowedMemberTypes: [Application] }
            - { value: Orders.Write, displayName: Write orders, allowedMemberTypes: [Application] }
      managedIdentities:
        userAssigned:
          - name: billing
            subscription: "5555"
            resourceGroup: orders
            location: westeurope
            tags: { team: billing }
            appRoleAssignments:
              - { resourceAppId: ${API}, value: Orders.Write }
            federatedIdentityCredentials:
              - { name: aks-billing, issuer: "https://oidc.aks.example/cluster-1/", subject: "system:serviceaccount:billing:worker" }
          - name: reporting
        hosts:
          - name: orders-worker
            systemAssigned: true
            userAssigned: [billing]
            appRoleAssignments:
              - { resourceAppId: ${API}, id: ${READ_ROLE} }
          - name: this-machine
            resourceId: /subscriptions/5555/resourceGroups/dev/providers/Microsoft.Compute/virtualMachines/laptop
            imds: true
            userAssigned: [reporting]
    - id: ${OTHER_TENANT}
      displayName: Fabrikam
`;

/** The first tenant's managedIdentities section replaced by `section` (YAML, indented for its place). */
const withSection = (section: string) => `
identity:
  tenants:
    - id: ${TENANT}
      displayName: Contoso
      managedIdentities:
${section}
    - id: ${OTHER_TENANT}
      displayName: Fabrikam
`;

for (const target of await databaseTargets()) {
  describe(`managed identities as configuration on ${target.name}`, { skip: target.skip }, () => {
    let f: GatewayFixture;
    let registry: Registry;
    const load = (text: string): LoadedConfig => ({ config: parseConfig(text, "identities.yaml", {}), baseDir: "." });
    const apply = (text: string) => reconcile(registry, load(text), f.gateway);

    before(async () => {
      f = await openGateway(target);
      registry = new Registry(f.store, f.masterKey.derive("client-secret-pepper"));
    });
    after(() => f.close());

    it("creates identities and hosts with their grants, keeps header values out of the report, and stores only hashes", async () => {
      const report = await apply(CONFIG);
      const changes = report.changes.join("\n");
      assert.match(changes, /created managed identity billing \(clientId [0-9a-f-]{36}\)/);
      assert.match(changes, /created host orders-worker \(its variables: gatehouse identity env orders-worker\)/);
      assert.match(changes, /granted host orders-worker → .* role 3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f/);
      assert.match(changes, /granted managed identity billing → .* role Orders\.Write/);
      assert.match(changes, /added federated credential 'aks-billing' of managed identity billing/);
      assert.deepEqual(report.generatedSecrets, []);

      const identities = registry.managedIdentities;
      const billing = await identities.find("billing", TENANT);
      assert.equal(
        billing?.resourceId,
        "/subscriptions/5555/resourceGroups/orders/providers/Microsoft.ManagedIdentity/userAssignedIdentities/billing",
      );
      assert.equal(billing.location, "westeurope");
      assert.deepEqual(billing.tags, { team: "billing" });
      const federated = await registry.read((repos) =>
        repos.federatedCredentials.list({ kind: "identity", id: billing.principalId }),
      );
      assert.deepEqual(
        federated.map((c) => [c.name, c.issuer, c.subject, c.audiences]),
        [
          [
            "aks-billing",
            "https://oidc.aks.example/cluster-1/",
            "system:serviceaccount:billing:worker",
            ["api://AzureADTokenExchange"],
          ],
        ],
      );
      const reporting = await identities.find("reporting", TENANT);
      assert.equal(reporting?.location, "local");
      assert.match(reporting.resourceId, /^\/subscriptions\/0{8}-0{4}-0{4}-0{4}-0{12}\/resourceGroups\/gatehouse\//);

      const worker = await identities.getHost("orders-worker");
      assert.ok(worker?.systemAssigned);
      assert.deepEqual(worker.userAssigned, [billing.principalId]);
      assert.equal(worker.imds, false);
      const laptop = await identities.getHost("this-machine");
      assert.equal(laptop?.imds, true);
      assert.equal(laptop.systemAssigned, null);
      assert.match(laptop.resourceId, /virtualMachines\/laptop$/);

      const roles = await registry.read(async (repos) => {
        const sp = await repos.servicePrincipals.findByAppId(TENANT, API);
        const granted = (await repos.assignments.list()).filter((a) => a.resourceId === sp?.id);
        return granted.map((a) => `${a.principalId}:${a.appRoleId}`).sort();
      });
      const app = await registry.read((repos) => repos.applications.getByAppId(API));
      const write = app?.appRoles.find((r) => r.value === "Orders.Write")?.id;
      assert.deepEqual(roles, [`${billing.principalId}:${write}`, `${worker.systemAssigned}:${READ_ROLE}`].sort());

      // Each host holds one header value, stored as a hash: nothing in the report could be used as a header.
      const headers = await registry.read((repos) => repos.managedIdentities.listHeaders());
      assert.deepEqual(headers.map((h) => h.host).sort(), ["orders-worker", "this-machine"]);
      for (const header of headers) assert.ok(!changes.includes(header.hint));
    });

    it("changes nothing when the same file is applied again", async () => {
      const before = await registry.read(async (repos) => ({
        identities: await repos.managedIdentities.list(),
        hosts: await repos.managedIdentities.listHosts(),
        assignments: (await repos.assignments.list()).length,
        headers: (await repos.managedIdentities.listHeaders()).length,
      }));
      const again = await apply(CONFIG);
      assert.deepEqual(again.changes, []);
      const after = await registry.read(async (repos) => ({
        identities: await repos.managedIdentities.list(),
        hosts: await repos.managedIdentities.listHosts(),
        assignments: (await repos.assignments.list()).length,
        headers: (await repos.managedIdentities.listHeaders()).length,
      }));
      assert.deepEqual(after, before);
    });

    it("exports identities, hosts and grants without header values; the export applies with no change", async () => {
      const text = await exportConfig(registry, NO_MANAGEMENT, f.gateway);
      const exported = parse(text) as GatehouseConfig;
      const tenant = exported.identity?.tenants?.find((t) => t.id === TENANT);
      assert.deepEqual(tenant?.managedIdentities, {
        userAssigned: [
          {
            name: "billing",
            subscription: "5555",
            resourceGroup: "orders",
            location: "westeurope",
            tags: { team: "billing" },
            appRoleAssignments: [{ resourceAppId: API, value: "Orders.Write" }],
            federatedIdentityCredentials: [
              {
                name: "aks-billing",
                issuer: "https://oidc.aks.example/cluster-1/",
                subject: "system:serviceaccount:billing:worker",
                audiences: ["api://AzureADTokenExchange"],
              },
            ],
          },
          { name: "reporting", location: "local" },
        ],
        hosts: [
          {
            name: "orders-worker",
            systemAssigned: true,
            userAssigned: ["billing"],
            appRoleAssignments: [{ resourceAppId: API, value: "Orders.Read" }],
          },
          {
            name: "this-machine",
            resourceId: "/subscriptions/5555/resourceGroups/dev/providers/Microsoft.Compute/virtualMachines/laptop",
            imds: true,
            systemAssigned: false,
            userAssigned: ["reporting"],
          },
        ],
      });
      assert.equal(exported.identity?.tenants?.find((t) => t.id === OTHER_TENANT)?.managedIdentities, undefined);
      assert.doesNotMatch(text, /identityHeader|IDENTITY_HEADER/i);
      const headers = await registry.read((repos) => repos.managedIdentities.listHeaders());
      for (const header of headers) assert.ok(!text.includes(header.hash) && !text.includes(header.hint));
      const reapplied = await apply(text);
      assert.deepEqual(reapplied.changes, []);
    });

    it("updates what the file changes and leaves what it leaves out", async () => {
      const report = await apply(
        withSection(`        userAssigned:
          - { name: billing, subscription: "5555", resourceGroup: orders, location: northeurope }
        hosts:
          - { name: orders-worker, userAssigned: [] }
          - { name: this-machine, imds: false, systemAssigned: true }`),
      );
      assert.deepEqual(report.changes, [
        "updated managed identity billing (clientId " +
          (await registry.managedIdentities.find("billing", TENANT))?.clientId +
          ")",
        "updated host orders-worker",
        "updated host this-machine",
      ]);
      const billing = await registry.managedIdentities.find("billing", TENANT);
      assert.equal(billing?.location, "northeurope");
      assert.deepEqual(billing.tags, { team: "billing" }, "tags left out of the file are kept");
      const worker = await registry.managedIdentities.getHost("orders-worker");
      assert.deepEqual(worker?.userAssigned, []);
      assert.ok(worker.systemAssigned, "systemAssigned left out of the file is kept");
      const laptop = await registry.managedIdentities.getHost("this-machine");
      assert.equal(laptop?.imds, false);
      assert.ok(laptop.systemAssigned);
      assert.equal(laptop.userAssigned.length, 1, "userAssigned left out of the file is kept");
    });

    it("refuses bad entries with a ConfigError naming the entry", async () => {
      const cases: [string, RegExp][] = [
        [
          `        hosts:\n          - { name: orders-worker, userAssigned: [nobody] }`,
          /^host orders-worker: userAssigned names no user-assigned identity 'nobody' of its tenant$/,
        ],
        [
          `        hosts:\n          - { name: new-host, userAssigned: [nobody] }`,
          /^host new-host: User-assigned identity in tenant '.*' 'nobody' does not exist\.$/,
        ],
        [
          `        hosts:\n          - name: orders-worker\n            appRoleAssignments: [{ resourceAppId: ${API}, value: Orders.Delete }]`,
          /^host orders-worker: 'Orders API' has no app role 'Orders\.Delete'\.$/,
        ],
        [
          `        userAssigned:\n          - name: reporting\n            appRoleAssignments: [{ resourceAppId: 11111111-2222-4333-8444-555555555555, value: X }]`,
          /^managed identity reporting: Application with appId or App ID URI '11111111-2222-4333-8444-555555555555' does not exist\.$/,
        ],
        [
          `        hosts:\n          - name: bare-host\n            appRoleAssignments: [{ resourceAppId: ${API}, value: Orders.Read }]`,
          /^host bare-host: appRoleAssignments are granted to its system-assigned identity; set systemAssigned: true$/,
        ],
        [`        hosts:\n          - { name: "x" }`, /^host x: The host name 'x' must be 3 to 128/],
        [
          `        hosts:\n          - { name: first-machine, imds: true }\n          - { name: second-machine, imds: true }`,
          /^host second-machine: Host 'first-machine' already answers IMDS requests/,
        ],
      ];
      for (const [section, pattern] of cases) {
        await assert.rejects(apply(withSection(section)), (error: unknown) => {
          assert.ok(error instanceof ConfigError, String(error));
          assert.match(error.message, pattern);
          return true;
        });
      }
    });

    it("refuses to move a host or an identity to another tenant", async () => {
      const inOtherTenant = (section: string) => `
identity:
  tenants:
    - id: ${OTHER_TENANT}
      displayName: Fabrikam
      managedIdentities:
${section}
`;
      await assert.rejects(
        apply(inOtherTenant(`        hosts:\n          - { name: orders-worker }`)),
        new ConfigError(`host orders-worker: the host belongs to tenant ${TENANT}; its tenant cannot change`),
      );
      await assert.rejects(
        apply(inOtherTenant(`        userAssigned:\n          - { name: reporting }`)),
        (error: unknown) =>
          error instanceof ConfigError &&
          /^managed identity reporting: The identity '.*reporting' lives in tenant '6f1e2d3c-/.test(error.message),
      );
    });

    it("refuses malformed entries when the file is read", () => {
      for (const [section, pattern] of [
        [`        hosts:\n          - { name: h1, colour: red }`, /colour/],
        [
          `        hosts:\n          - name: h1\n            appRoleAssignments: [{ resourceAppId: ${API} }]`,
          /appRoleAssignments\[0\]: give the app role by id or by value/,
        ],
        [
          `        userAssigned:\n          - name: u1\n            appRoleAssignments: [{ resourceAppId: not-a-guid, value: X }]`,
          /resourceAppId: must be a GUID/,
        ],
      ] as const) {
        assert.throws(
          () => load(withSection(section)),
          (e: Error) => e instanceof ConfigError && pattern.test(e.message),
        );
      }
    });
  });
}
