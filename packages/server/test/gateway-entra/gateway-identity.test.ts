import assert from "node:assert/strict";
import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { GATEWAY_HOST, GATEWAY_RESOURCE_ID } from "../../src/admin/gateway-identity.js";
import { MANAGEMENT } from "../../src/admin/management.js";
import { loadMasterKey } from "../../src/crypto/master-key.js";
import { GATEWAY_IDENTITY_FILE } from "../../src/gateway/managed-identity/identity-file.js";
import { Registry } from "../../src/identity/registry.js";
import { Store } from "../../src/store/store.js";
import { EXAMPLE, type TestGatehouse } from "../helpers/gatehouse.js";
import type { JsonResponse } from "../../src/util/https-fetch.js";
import { adminCall, managementToken, startEntraGatehouse } from "./helpers.js";

const RETIRED_FILE = "gateway-client.json";
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe("the gateway's managed identity: application administrator inside the application tenant", () => {
  let gh: TestGatehouse;
  let token: string;
  let admin: string;
  const tenant = `/${EXAMPLE.tenantId}/v1.0`;
  before(async () => {
    gh = await startEntraGatehouse({ overrides: { tls: { mode: "insecure" } } });
    token = await managementToken(gh, "gateway");
    admin = await managementToken(gh, "admin");
  });
  after(async () => {
    await gh.stop();
  });

  test("is a system-assigned identity of API Management's resource in the application tenant", () => {
    const identity = gh.gatewayIdentity;
    assert.ok(identity);
    assert.equal(identity.tenantId, EXAMPLE.tenantId);
    assert.equal(identity.resourceId, GATEWAY_RESOURCE_ID);
    assert.match(GATEWAY_RESOURCE_ID, /\/providers\/Microsoft\.ApiManagement\/service\/gatehouse$/);
    const claims = decodeJwt(token);
    assert.deepEqual(claims.roles, [MANAGEMENT.applicationAdministratorRole]);
    assert.equal(claims.aud, gh.management.resourceAppId);
    assert.equal(claims.tid, EXAMPLE.tenantId);
    assert.equal(claims.oid, identity.principalId);
    assert.equal(claims.azp, identity.clientId);
    assert.equal(claims.xms_mirid, GATEWAY_RESOURCE_ID);
  });

  test("appears among the tenant's service principals as a managed identity holding the role", async () => {
    const identity = gh.gatewayIdentity;
    assert.ok(identity);
    const sp = await adminCall(gh, admin, "GET", `${tenant}/servicePrincipals/${identity.principalId}`);
    assert.equal(sp.status, 200, JSON.stringify(sp.body));
    assert.equal((sp.body as { servicePrincipalType: string }).servicePrincipalType, "ManagedIdentity");
    const held = await adminCall(
      gh,
      admin,
      "GET",
      `${tenant}/servicePrincipals/${identity.principalId}/appRoleAssignments`,
    );
    assert.deepEqual(
      (held.body as { value: { appRoleId: string }[] }).value.map((a) => a.appRoleId),
      [MANAGEMENT.applicationAdministratorRoleId],
    );
  });

  test("ARM shows it on the service: GET …/service/{name} has API Management's identity block", async () => {
    const identity = gh.gatewayIdentity;
    assert.ok(identity);
    const service = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ApiManagement/service/contoso-apim";
    for (const path of [`${service}?api-version=2024-05-01`, "/gateway"]) {
      const response = await adminCall(gh, admin, "GET", path);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const body = response.body as { type: string; identity: Record<string, unknown> };
      assert.equal(body.type, "Microsoft.ApiManagement/service");
      assert.deepEqual(body.identity, {
        type: "SystemAssigned",
        principalId: identity.principalId,
        tenantId: identity.tenantId,
      });
    }
  });

  test("applications, service principals, consent and organization of its tenant: allowed", async () => {
    for (const path of ["/applications", "/servicePrincipals", "/organization"]) {
      const response = await adminCall(gh, token, "GET", `${tenant}${path}`);
      assert.equal(response.status, 200, `${path}: ${JSON.stringify(response.body)}`);
    }
    // The default tenant (/v1.0 without a tenant) is Contoso here, the only tenant besides the management tenant.
    const created = await adminCall(gh, token, "POST", "/v1.0/applications", { displayName: "Provisioned" });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { id, appId } = created.body as { id: string; appId: string };
    const sp = await adminCall(gh, token, "POST", `${tenant}/servicePrincipals`, { appId });
    assert.equal(sp.status, 201, JSON.stringify(sp.body));
    const resource = (
      await adminCall(gh, token, "GET", `${tenant}/servicePrincipals(appId='${EXAMPLE.resourceAppId}')`)
    ).body as { id: string };
    const grant = await adminCall(gh, token, "POST", `${tenant}/servicePrincipals/${resource.id}/appRoleAssignedTo`, {
      principalId: (sp.body as { id: string }).id,
      resourceId: resource.id,
      appRoleId: "00000000-0000-0000-0000-000000000000",
    });
    assert.equal(grant.status, 201, JSON.stringify(grant.body));
    assert.equal((await adminCall(gh, token, "DELETE", `${tenant}/applications/${id}`)).status, 204);
  });

  test("another tenant's routes do not take its token (401); admin-only families refuse it", async () => {
    const management = `/${gh.management.tenantId}/v1.0`;
    const refused: [string, string, number, string, unknown?][] = [
      ["GET", `${management}/applications`, 401, "InvalidAuthenticationToken"],
      ["POST", `${management}/applications`, 401, "InvalidAuthenticationToken", { displayName: "Escalation" }],
      ["GET", "/v1.0/tenants", 401, "InvalidAuthenticationToken"],
      ["POST", "/gatehouse/keys/rotate", 401, "InvalidAuthenticationToken"],
      ["GET", "/gateway/apis", 401, "InvalidAuthenticationToken"],
    ];
    for (const [method, path, status, code, body] of refused) {
      const response = await adminCall(gh, token, method, path, body);
      assert.equal(response.status, status, `${method} ${path}: ${JSON.stringify(response.body)}`);
      assert.equal((response.body as { error: { code: string } }).error.code, code, `${method} ${path}`);
    }
  });

  test("the management API's service principal is made by Gatehouse only, in any other tenant", async () => {
    const created = await adminCall(gh, admin, "POST", "/v1.0/tenants", { displayName: "Fabrikam" });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const fabrikam = (created.body as { id: string }).id;
    const response = await adminCall(gh, admin, "POST", `/${fabrikam}/v1.0/servicePrincipals`, {
      appId: gh.management.resourceAppId,
    });
    assert.equal(response.status, 403, JSON.stringify(response.body));
    assert.equal((await adminCall(gh, admin, "DELETE", `/v1.0/tenants/${fabrikam}`)).status, 204);
  });

  test("nobody grants, revokes or changes the management API's role in the application tenant", async () => {
    const identity = gh.gatewayIdentity;
    assert.ok(identity);
    const managementSp = (
      await adminCall(gh, admin, "GET", `${tenant}/servicePrincipals(appId='${gh.management.resourceAppId}')`)
    ).body as { id: string };
    const [assignment] = (
      (await adminCall(gh, admin, "GET", `${tenant}/servicePrincipals/${identity.principalId}/appRoleAssignments`))
        .body as { value: { id: string }[] }
    ).value;
    assert.ok(assignment);
    const client = (await adminCall(gh, admin, "GET", `${tenant}/servicePrincipals(appId='${EXAMPLE.clientAppId}')`))
      .body as { id: string };
    for (const caller of [admin, token]) {
      const attempts: JsonResponse[] = [
        await adminCall(gh, caller, "POST", `${tenant}/servicePrincipals/${managementSp.id}/appRoleAssignedTo`, {
          principalId: client.id,
          resourceId: managementSp.id,
          appRoleId: MANAGEMENT.adminRoleId,
        }),
        await adminCall(
          gh,
          caller,
          "DELETE",
          `${tenant}/servicePrincipals/${managementSp.id}/appRoleAssignedTo/${assignment.id}`,
        ),
        await adminCall(gh, caller, "PATCH", `${tenant}/servicePrincipals/${managementSp.id}`, {
          appRoleAssignmentRequired: false,
        }),
        await adminCall(gh, caller, "DELETE", `${tenant}/servicePrincipals/${managementSp.id}`),
      ];
      for (const response of attempts) assert.equal(response.status, 403, JSON.stringify(response.body));
    }
  });
});

describe("the gateway identity's bootstrap", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "gatehouse-gateway-identity-"));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = () => startEntraGatehouse({ dataDir, overrides: { tls: { mode: "insecure" } } });

  test("is created once: a restart keeps the identity and its sealed header", async () => {
    const first = await start();
    const identity = first.gatewayIdentity;
    const file = await readFile(join(dataDir, GATEWAY_IDENTITY_FILE), "utf8");
    assert.match(file, /"sealedSecret"/);
    assert.doesNotMatch(file, /"header"|"secret"/, "the header is sealed");
    await first.stop();
    const second = await start();
    try {
      assert.deepEqual(second.gatewayIdentity, identity);
      assert.equal(await readFile(join(dataDir, GATEWAY_IDENTITY_FILE), "utf8"), file);
      assert.deepEqual(decodeJwt(await managementToken(second, "gateway")).roles, [
        MANAGEMENT.applicationAdministratorRole,
      ]);
    } finally {
      await second.stop();
    }
  });

  test("a header rotated away (gatehouse identity rotate) is replaced at the next start", async () => {
    const before = await readFile(join(dataDir, GATEWAY_IDENTITY_FILE), "utf8");
    const masterKey = await loadMasterKey(dataDir);
    const store = await Store.open(undefined, dataDir);
    await new Registry(store, masterKey.derive("client-secret-pepper")).managedIdentities.rotateHeaders(GATEWAY_HOST);
    await store.close();
    const restarted = await start();
    try {
      assert.notEqual(await readFile(join(dataDir, GATEWAY_IDENTITY_FILE), "utf8"), before);
      assert.deepEqual(decodeJwt(await managementToken(restarted, "gateway")).roles, [
        MANAGEMENT.applicationAdministratorRole,
      ]);
    } finally {
      await restarted.stop();
    }
  });

  test("a data folder of the stand-in gateway client upgrades: the client and its file go, the identity comes", async () => {
    // Make the store look like one from before: a single-tenant management API, the stand-in client with its role,
    // setting and credentials file, and no identity.
    const masterKey = await loadMasterKey(dataDir);
    const store = await Store.open(undefined, dataDir);
    const registry = new Registry(store, masterKey.derive("client-secret-pepper"));
    const managementSettings = await store.read(async (repos) => ({
      tenant: (await repos.settings.get(MANAGEMENT.settings.tenant)) as string,
      resource: (await repos.settings.get(MANAGEMENT.settings.resource)) as string,
    }));
    await registry.managedIdentities.deleteHost(GATEWAY_HOST);
    const resource = await store.read((repos) => repos.applications.getByAppId(managementSettings.resource));
    assert.ok(resource);
    const elsewhere = await store.read((repos) =>
      repos.servicePrincipals.findByAppId(EXAMPLE.tenantId, resource.appId),
    );
    assert.ok(elsewhere);
    await registry.deleteServicePrincipal(elsewhere.id);
    await registry.updateApplication(resource.id, { signInAudience: "AzureADMyOrg" });
    const standIn = await registry.createApplication(managementSettings.tenant, {
      displayName: "Gatehouse Gateway (application administrator)",
    });
    const standInSp = await registry.createServicePrincipal(managementSettings.tenant, standIn.appId);
    const resourceSp = await store.read((repos) =>
      repos.servicePrincipals.findByAppId(managementSettings.tenant, resource.appId),
    );
    assert.ok(resourceSp);
    await registry.grantAppRole({
      principalId: standInSp.id,
      resourceId: resourceSp.id,
      appRoleId: MANAGEMENT.applicationAdministratorRoleId,
    });
    await registry.setSetting(MANAGEMENT.settings.gatewayClient, standIn.appId);
    await store.close();
    await rm(join(dataDir, GATEWAY_IDENTITY_FILE));
    await writeFile(join(dataDir, RETIRED_FILE), "{}\n", { mode: 0o600 });

    const upgraded = await start();
    try {
      assert.equal(await exists(join(dataDir, RETIRED_FILE)), false, "the stand-in's credentials file is gone");
      assert.ok(await exists(join(dataDir, GATEWAY_IDENTITY_FILE)));
      const left = await upgraded.store.read(async (repos) => ({
        app: await repos.applications.getByAppId(standIn.appId),
        setting: await repos.settings.get(MANAGEMENT.settings.gatewayClient),
      }));
      assert.deepEqual(left, { app: undefined, setting: undefined });
      const token = await managementToken(upgraded, "gateway");
      assert.equal(decodeJwt(token).oid, upgraded.gatewayIdentity?.principalId);
      assert.equal((await adminCall(upgraded, token, "GET", `/${EXAMPLE.tenantId}/v1.0/applications`)).status, 200);
    } finally {
      await upgraded.stop();
    }
  });
});
