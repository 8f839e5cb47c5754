import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { MANAGEMENT } from "../../src/admin/management.js";
import { loadMasterKey } from "../../src/crypto/master-key.js";
import { Registry } from "../../src/identity/registry.js";
import { Store } from "../../src/store/store.js";
import { EXAMPLE, type TestGatehouse } from "../helpers/gatehouse.js";
import { adminCall, managementToken, startEntraGatehouse } from "./helpers.js";

const GATEWAY_FILE = "gateway-client.json";

describe("the gateway's identity: Gatehouse.ApplicationAdministrator", () => {
  let gh: TestGatehouse;
  let token: string;
  before(async () => {
    gh = await startEntraGatehouse({ overrides: { tls: { mode: "insecure" } } });
    token = await managementToken(gh, "gateway");
  });
  after(async () => {
    await gh.stop();
  });

  test("its token carries only the application administrator role", () => {
    const claims = decodeJwt(token);
    assert.deepEqual(claims.roles, [MANAGEMENT.applicationAdministratorRole]);
    assert.equal(claims.azp, gh.management.gatewayClientAppId);
    assert.equal(claims.aud, gh.management.resourceAppId);
  });

  test("applications, service principals, consent and organization of another tenant: allowed", async () => {
    const tenant = `/${EXAMPLE.tenantId}/v1.0`;
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

  test("the management tenant, tenants, keys and the gateway's configuration: 403", async () => {
    const management = `/${gh.management.tenantId}/v1.0`;
    const refused: [string, string, unknown?][] = [
      ["GET", `${management}/applications`],
      ["GET", `${management}/organization`],
      ["POST", `${management}/applications`, { displayName: "Escalation" }],
      ["GET", "/v1.0/tenants"],
      ["POST", "/v1.0/tenants", { displayName: "Mine" }],
      ["GET", "/gatehouse/keys"],
      ["POST", "/gatehouse/keys/rotate"],
      ["GET", "/gateway/apis"],
      ["GET", "/gateway/products"],
    ];
    for (const [method, path, body] of refused) {
      const response = await adminCall(gh, token, method, path, body);
      assert.equal(response.status, 403, `${method} ${path}: ${JSON.stringify(response.body)}`);
      const { error } = response.body as { error: { code: string; message: string } };
      // Each family answers in its own dialect: Graph's code, or ARM's for the gateway's resources.
      const code = path.startsWith("/gateway/") ? "AuthorizationFailed" : "Authorization_RequestDenied";
      assert.equal(error.code, code, `${method} ${path}`);
    }
  });

  test("the bootstrap admin still reaches everything, and cannot revoke or change the gateway client", async () => {
    const admin = await managementToken(gh, "admin");
    assert.equal((await adminCall(gh, admin, "GET", "/v1.0/tenants")).status, 200);
    assert.equal((await adminCall(gh, admin, "GET", "/gateway/apis")).status, 200);
    const management = `/${gh.management.tenantId}/v1.0`;
    const app = await adminCall(
      gh,
      admin,
      "GET",
      `${management}/applications(appId='${gh.management.gatewayClientAppId}')`,
    );
    assert.equal(app.status, 200);
    assert.equal((app.body as { displayName: string }).displayName, MANAGEMENT.gatewayClientName);
    const patched = await adminCall(
      gh,
      admin,
      "PATCH",
      `${management}/applications/${(app.body as { id: string }).id}`,
      {
        displayName: "Mine",
      },
    );
    assert.equal(patched.status, 403);
    const gatewaySp = (
      await adminCall(gh, admin, "GET", `${management}/servicePrincipals(appId='${gh.management.gatewayClientAppId}')`)
    ).body as { id: string };
    const held = (
      await adminCall(gh, admin, "GET", `${management}/servicePrincipals/${gatewaySp.id}/appRoleAssignments`)
    ).body as { value: { id: string; resourceId: string; appRoleId: string }[] };
    assert.deepEqual(
      held.value.map((a) => a.appRoleId),
      [MANAGEMENT.applicationAdministratorRoleId],
    );
    const [assignment] = held.value;
    assert.ok(assignment);
    const revoked = await adminCall(
      gh,
      admin,
      "DELETE",
      `${management}/servicePrincipals/${assignment.resourceId}/appRoleAssignedTo/${assignment.id}`,
    );
    assert.equal(revoked.status, 403);
  });
});

describe("the gateway client's bootstrap", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "gatehouse-gateway-identity-"));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = () => startEntraGatehouse({ dataDir, overrides: { tls: { mode: "insecure" } } });

  test("is created once: a restart keeps the client and its credentials file", async () => {
    const first = await start();
    const { gatewayClientAppId } = first.management;
    const file = await readFile(join(dataDir, GATEWAY_FILE), "utf8");
    assert.doesNotMatch(file, /secretText|"secret"/, "the secret is sealed");
    await first.stop();
    const second = await start();
    try {
      assert.equal(second.management.gatewayClientAppId, gatewayClientAppId);
      assert.equal(await readFile(join(dataDir, GATEWAY_FILE), "utf8"), file);
      assert.ok(decodeJwt(await managementToken(second, "gateway")).roles);
    } finally {
      await second.stop();
    }
  });

  test("a store made before the gateway client gets the role and the client at the next start", async () => {
    // Make the store look like one from before: no role, no client, no setting, no file.
    const masterKey = await loadMasterKey(dataDir);
    const store = await Store.open(undefined, dataDir);
    const registry = new Registry(store, masterKey.derive("client-secret-pepper"));
    const settings = await store.read(async (repos) => ({
      resource: await repos.settings.get(MANAGEMENT.settings.resource),
      gateway: await repos.settings.get(MANAGEMENT.settings.gatewayClient),
    }));
    await registry.deleteApplication(settings.gateway as string);
    const resource = await store.read((repos) => repos.applications.getByAppId(settings.resource as string));
    assert.ok(resource);
    const others = resource.appRoles.filter((r) => r.id !== MANAGEMENT.applicationAdministratorRoleId);
    const role = resource.appRoles.find((r) => r.id === MANAGEMENT.applicationAdministratorRoleId);
    assert.ok(role);
    await registry.updateApplication(resource.id, { appRoles: [...others, { ...role, isEnabled: false }] });
    await registry.updateApplication(resource.id, { appRoles: others });
    await store.db.deleteFrom("settings").where("name", "=", MANAGEMENT.settings.gatewayClient).execute();
    await store.close();
    await unlink(join(dataDir, GATEWAY_FILE));

    const upgraded = await start();
    try {
      assert.notEqual(upgraded.management.gatewayClientAppId, settings.gateway);
      const token = await managementToken(upgraded, "gateway");
      assert.deepEqual(decodeJwt(token).roles, [MANAGEMENT.applicationAdministratorRole]);
      assert.equal((await adminCall(upgraded, token, "GET", `/${EXAMPLE.tenantId}/v1.0/applications`)).status, 200);
      const admin = await managementToken(upgraded, "admin");
      assert.deepEqual(decodeJwt(admin).roles, [MANAGEMENT.adminRole]);
    } finally {
      await upgraded.stop();
    }
  });
});
