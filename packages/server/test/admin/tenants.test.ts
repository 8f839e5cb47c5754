import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { AppRoleAssignmentResource, ServicePrincipalResource, TenantResource } from "../../src/admin/schemas.js";
import { DEFAULT_TENANT_SETTING } from "../../src/config/reconcile.js";
import { assertGraphError, startAdminHarness, type AdminHarness } from "./helpers.js";

type List<T> = { "@odata.context": string; value: T[] };

let h: AdminHarness;
before(async () => {
  h = await startAdminHarness();
});
after(async () => {
  await h.close();
});

const createTenant = async (body: Record<string, unknown>) => {
  const response = await h.call<TenantResource>("POST", "/v1.0/tenants", { body });
  assert.equal(response.status, 201, response.text);
  return response.json;
};

describe("tenants and the tenant scope of Graph routes", () => {
  test("only the management tenant: /v1.0 routes ask for an explicit tenant", async () => {
    const listed = await h.call<List<TenantResource>>("GET", "/v1.0/tenants");
    assert.deepEqual(
      listed.json.value.map((t) => t.id),
      [h.admin.tenantId],
    );
    assert.match(
      assertGraphError(await h.call("GET", "/v1.0/applications"), 400, "Request_BadRequest"),
      /\/\{tenantId\}\/v1\.0/,
    );
    const management = await h.call<List<unknown>>("GET", `/${h.admin.tenantId}/v1.0/applications`);
    assert.equal(management.status, 200);
    assert.equal(management.json.value.length, 2, "the management API and the bootstrap client");
  });

  test("create, read by GUID or domain, rename, and the single other tenant becomes the default", async () => {
    const id = randomUUID();
    const tenant = await createTenant({ id, displayName: "Fabrikam", verifiedDomains: [{ name: "Fabrikam.Example" }] });
    assert.deepEqual(tenant, {
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#tenants/$entity",
      id,
      displayName: "Fabrikam",
      verifiedDomains: [{ name: "fabrikam.example", isDefault: true }],
      createdDateTime: tenant.createdDateTime,
    });
    assert.equal((await h.call<TenantResource>("GET", "/v1.0/tenants/fabrikam.example")).json.id, id);
    const rename = await h.call("PATCH", `/v1.0/tenants/${id}`, {
      body: { displayName: "Fabrikam Ltd", domains: ["fabrikam.example", "fabrikam.test"] },
    });
    assert.equal(rename.status, 204, rename.text);
    const organization = await h.call<List<TenantResource>>("GET", "/v1.0/organization");
    assert.equal(organization.json["@odata.context"], "https://graph.microsoft.com/v1.0/$metadata#organization");
    assert.deepEqual(
      organization.json.value.map((t) => [t.id, t.displayName, t.verifiedDomains.length]),
      [[id, "Fabrikam Ltd", 2]],
    );
    const app = await h.call<{ id: string }>("POST", "/v1.0/applications", { body: { displayName: "In Fabrikam" } });
    assert.equal(app.status, 201);
    assert.equal((await h.call("GET", `/fabrikam.test/v1.0/applications/${app.json.id}`)).status, 200);

    assertGraphError(await createTenantRaw({ id, displayName: "Again" }), 400, "Request_BadRequest");
    assertGraphError(
      await createTenantRaw({ displayName: "Taken", domains: ["fabrikam.test"] }),
      400,
      "Request_BadRequest",
    );
    assertGraphError(
      await createTenantRaw({ displayName: "Both", domains: ["a.example"], verifiedDomains: [{ name: "b.example" }] }),
      400,
      "Request_BadRequest",
    );
  });

  test("several tenants: /v1.0 needs the default.tenantId setting, objects stay in their tenant", async () => {
    const second = await createTenant({ displayName: "Northwind", domains: ["northwind.example"] });
    assertGraphError(await h.call("GET", "/v1.0/applications"), 400, "Request_BadRequest");
    assertGraphError(await h.call("GET", `/${randomUUID()}/v1.0/applications`), 404, "Request_ResourceNotFound");
    assertGraphError(await h.call("GET", "/unknown.example/v1.0/applications"), 404, "Request_ResourceNotFound");

    const app = await h.call<{ id: string }>("POST", "/northwind.example/v1.0/applications", {
      body: { displayName: "In Northwind" },
    });
    assert.equal(app.status, 201, app.text);
    assertGraphError(
      await h.call("GET", `/fabrikam.example/v1.0/applications/${app.json.id}`),
      404,
      "Request_ResourceNotFound",
    );

    await h.gatehouse.registry.setSetting(DEFAULT_TENANT_SETTING, second.id);
    const listed = await h.call<List<{ id: string }>>("GET", "/v1.0/applications");
    assert.deepEqual(
      listed.json.value.map((a) => a.id),
      [app.json.id],
    );

    assert.equal((await h.call("DELETE", `/v1.0/tenants/${second.id}`)).status, 204);
    assertGraphError(await h.call("GET", `/v1.0/tenants/${second.id}`), 404, "Request_ResourceNotFound");
    // The setting names a deleted tenant: the single remaining one is the default again.
    assert.equal((await h.call("GET", "/v1.0/applications")).status, 200);
  });
});

describe("the built-in management objects are read-only", () => {
  test("PATCH, DELETE and credentials on them: 403; reading works", async () => {
    const { management } = h.gatehouse;
    const mgmt = `/${management.tenantId}/v1.0`;
    for (const appId of [management.resourceAppId, management.clientAppId]) {
      const app = await h.call<{ id: string }>("GET", `${mgmt}/applications(appId='${appId}')`);
      assert.equal(app.status, 200, app.text);
      const path = `${mgmt}/applications/${app.json.id}`;
      assertGraphError(
        await h.call("PATCH", path, { body: { displayName: "Mine" } }),
        403,
        "Authorization_RequestDenied",
      );
      assertGraphError(await h.call("DELETE", path), 403, "Authorization_RequestDenied");
      assertGraphError(await h.call("POST", `${path}/addPassword`, { body: {} }), 403, "Authorization_RequestDenied");
      const sp = await h.call<ServicePrincipalResource>("GET", `${mgmt}/servicePrincipals(appId='${appId}')`);
      assert.equal(sp.status, 200, sp.text);
      const spPath = `${mgmt}/servicePrincipals/${sp.json.id}`;
      assertGraphError(
        await h.call("PATCH", spPath, { body: { accountEnabled: false } }),
        403,
        "Authorization_RequestDenied",
      );
      assertGraphError(await h.call("DELETE", spPath), 403, "Authorization_RequestDenied");
    }
    assertGraphError(
      await h.call("DELETE", `/v1.0/tenants/${management.tenantId}`),
      403,
      "Authorization_RequestDenied",
    );

    const resourceSp = await h.call<ServicePrincipalResource>(
      "GET",
      `${mgmt}/servicePrincipals(appId='${management.resourceAppId}')`,
    );
    assert.deepEqual(
      resourceSp.json.appRoles.map((r) => r.value),
      ["Gatehouse.Admin", "Gatehouse.ApplicationAdministrator"],
    );
    const grants = await h.call<List<AppRoleAssignmentResource>>(
      "GET",
      `${mgmt}/servicePrincipals/${resourceSp.json.id}/appRoleAssignedTo`,
    );
    // The gateway's managed identity holds its role in the application tenant, not here.
    assert.equal(grants.json.value.length, 1, "the bootstrap admin's");
    for (const grant of grants.json.value) {
      assertGraphError(
        await h.call("DELETE", `${mgmt}/servicePrincipals/${resourceSp.json.id}/appRoleAssignedTo/${grant.id}`),
        403,
        "Authorization_RequestDenied",
      );
    }
    assert.equal((await h.call("GET", "/v1.0/tenants")).status, 200, "the admin token still works");
  });
});

function createTenantRaw(body: Record<string, unknown>) {
  return h.call("POST", "/v1.0/tenants", { body });
}
