import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { EXAMPLE, EXAMPLE_CONFIG } from "../helpers/gatehouse.js";
import { startAdminHarness, type AdminHarness } from "../admin/helpers.js";
import { RESOURCE } from "./helpers.js";
import { GATEWAY_RESOURCE_ID } from "../../src/admin/gateway-identity.js";

const UAI =
  "/subscriptions/5555/resourceGroups/orders/providers/Microsoft.ManagedIdentity/userAssignedIdentities/billing";

interface Identity {
  id: string;
  name: string;
  type: string;
  location: string;
  tags: Record<string, string>;
  properties: { tenantId: string; principalId: string; clientId: string };
}
interface Host {
  id: string;
  name: string;
  properties: { tenantId: string; resourceId: string; imds: boolean; identityHeader?: string };
  identity: {
    type: string;
    principalId?: string;
    tenantId?: string;
    userAssignedIdentities?: Record<string, { principalId: string; clientId: string }>;
  };
}

describe("managed identities through the admin API (ARM and Graph)", () => {
  let h: AdminHarness;
  before(async () => {
    process.env.CLIENT_APP_SECRET = EXAMPLE.secret;
    h = await startAdminHarness({ configFile: await configFile() });
  });
  after(async () => h.close());

  async function configFile() {
    const { mkdtemp } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const dir = await mkdtemp(join(tmpdir(), "gatehouse-mi-admin-"));
    const file = join(dir, "config.yaml");
    await writeFile(file, EXAMPLE_CONFIG);
    return file;
  }

  it("creates a user-assigned identity with ARM's shape, in the default tenant, and lists it", async () => {
    const put = await h.call<Identity>("PUT", `${UAI}?api-version=2023-01-31`, {
      body: { location: "westeurope", tags: { team: "billing" } },
    });
    assert.equal(put.status, 201, put.text);
    assert.equal(put.json.id, UAI);
    assert.equal(put.json.name, "billing");
    assert.equal(put.json.type, "Microsoft.ManagedIdentity/userAssignedIdentities");
    assert.equal(put.json.properties.tenantId, EXAMPLE.tenantId);
    const again = await h.call<Identity>("PUT", UAI, { body: { location: "westeurope" } });
    assert.equal(again.status, 200);
    assert.equal(again.json.properties.clientId, put.json.properties.clientId);
    assert.deepEqual(again.json.tags, {});
    const read = await h.call<Identity>("GET", UAI);
    assert.deepEqual(read.json, again.json);
    const byGroup = await h.call<{ value: Identity[] }>(
      "GET",
      "/subscriptions/5555/resourceGroups/orders/providers/Microsoft.ManagedIdentity/userAssignedIdentities",
    );
    assert.deepEqual(
      byGroup.json.value.map((i) => i.name),
      ["billing"],
    );
    const other = await h.call<{ value: Identity[] }>(
      "GET",
      "/subscriptions/6666/providers/Microsoft.ManagedIdentity/userAssignedIdentities",
    );
    assert.deepEqual(other.json.value, []);
    const missing = await h.call<{ error: { code: string } }>("GET", UAI.replace("billing", "nobody"));
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, "ResourceNotFound");
    const badName = await h.call<{ error: { code: string; message: string } }>("PUT", UAI.replace("billing", "x"), {
      body: {},
    });
    assert.equal(badName.status, 400);
    assert.match(badName.json.error.message, /3 to 128/);
  });

  it("creates a host with the identity block, grants a role through Graph, and its header gets a token", async () => {
    const identity = (await h.call<Identity>("GET", UAI)).json;
    const put = await h.call<Host>("PUT", "/identity/hosts/orders-api", {
      body: {
        identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [UAI]: {} } },
      },
    });
    assert.equal(put.status, 201, put.text);
    const header = put.json.properties.identityHeader as string;
    assert.equal(typeof header, "string");
    assert.equal(put.json.identity.type, "SystemAssigned, UserAssigned");
    assert.deepEqual(put.json.identity.userAssignedIdentities, {
      [UAI]: { principalId: identity.properties.principalId, clientId: identity.properties.clientId },
    });
    const read = await h.call<Host>("GET", "/identity/hosts/orders-api");
    assert.equal(read.json.properties.identityHeader, undefined);
    const systemId = read.json.identity.principalId as string;

    const sps = await h.call<{ value: { id: string; servicePrincipalType: string; alternativeNames: string[] }[] }>(
      "GET",
      "/v1.0/servicePrincipals?$filter=servicePrincipalType eq 'ManagedIdentity'",
    );
    assert.deepEqual(
      sps.json.value
        .map((sp) => sp.alternativeNames)
        // The gateway's own identity (admin/gateway-identity.ts) lives in the application tenant too.
        .filter(([, resourceId]) => resourceId !== GATEWAY_RESOURCE_ID)
        .sort(),
      [
        ["isExplicit=False", put.json.id],
        ["isExplicit=True", UAI],
      ].sort(),
    );
    const apps = await h.call<{ value: { servicePrincipalType: string }[] }>(
      "GET",
      "/v1.0/servicePrincipals?$filter=servicePrincipalType eq 'Application'",
    );
    assert.ok(apps.json.value.length >= 2);

    const resourceSp = await h.call<{ id: string; appRoles: { id: string; value: string }[] }>(
      "GET",
      `/v1.0/servicePrincipals(appId='${EXAMPLE.resourceAppId}')`,
    );
    const role = resourceSp.json.appRoles.find((r) => r.value === "APIAccess");
    const grant = await h.call("POST", `/v1.0/servicePrincipals/${systemId}/appRoleAssignments`, {
      body: { principalId: systemId, resourceId: resourceSp.json.id, appRoleId: role?.id },
    });
    assert.equal(grant.status, 201, grant.text);

    const token = await fetch(
      `${h.gatehouse.identityUrl}/msi/token?api-version=2019-08-01&resource=${encodeURIComponent(RESOURCE)}`,
      { headers: { "x-identity-header": header } },
    );
    assert.equal(token.status, 200);
    const body = (await token.json()) as { access_token: string; client_id: string };
    const claims = JSON.parse(Buffer.from(body.access_token.split(".")[1] as string, "base64url").toString()) as {
      roles: string[];
      oid: string;
    };
    assert.deepEqual(claims.roles, ["APIAccess"]);
    assert.equal(claims.oid, systemId);

    const refused = await h.call<{ error: { message: string } }>("DELETE", `/v1.0/servicePrincipals/${systemId}`);
    assert.equal(refused.status, 400);
    assert.match(refused.json.error.message, /deleted with the identity/);

    const rotated = await h.call<{ identityHeader: string }>("POST", "/identity/hosts/orders-api/rotateHeader");
    assert.equal(rotated.status, 200);
    const old = await fetch(`${h.gatehouse.identityUrl}/msi/token?api-version=2019-08-01&resource=${RESOURCE}`, {
      headers: { "x-identity-header": header },
    });
    assert.equal(old.status, 401);

    const replaced = await h.call<Host>("PUT", "/identity/hosts/orders-api", { body: { identity: { type: "None" } } });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.json.identity.type, "None");
    assert.equal((await h.call("GET", `/v1.0/servicePrincipals/${systemId}`)).status, 404);
    assert.equal((await h.call("DELETE", "/identity/hosts/orders-api")).status, 200);
    assert.equal((await h.call("DELETE", "/identity/hosts/orders-api")).status, 204);
    assert.equal((await h.call("DELETE", UAI)).status, 200);
  });
});
