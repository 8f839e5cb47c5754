/** ARM's PATCH of user-assigned identities and hosts, and ARM's 404 for unknown paths below their prefixes. */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { EXAMPLE, EXAMPLE_CONFIG } from "../helpers/gatehouse.js";
import { startAdminHarness, type AdminHarness } from "../admin/helpers.js";

const GROUP = "/subscriptions/7777/resourceGroups/shop/providers/Microsoft.ManagedIdentity";
const FIRST = `${GROUP}/userAssignedIdentities/first`;
const SECOND = `${GROUP}/userAssignedIdentities/second`;

interface Identity {
  location: string;
  tags: Record<string, string>;
  properties: { clientId: string; principalId: string };
}
interface Host {
  properties: { resourceId: string; imds: boolean };
  identity: { type: string; principalId?: string; userAssignedIdentities?: Record<string, unknown> };
}
interface ArmError {
  error: { code: string; message: string; target?: string; details?: { target?: string; message: string }[] };
}

describe("managed identities: ARM updates and not-found answers", () => {
  let h: AdminHarness;
  let dir: string;
  before(async () => {
    process.env.CLIENT_APP_SECRET = EXAMPLE.secret;
    dir = await mkdtemp(join(tmpdir(), "gatehouse-mi-arm-"));
    const configFile = join(dir, "config.yaml");
    await writeFile(configFile, EXAMPLE_CONFIG);
    h = await startAdminHarness({ configFile });
  });
  after(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers unknown paths below the managed-identity prefixes with ARM's 404, and other paths with Graph's", async () => {
    for (const [method, path] of [
      ["GET", "/subscriptions/7777/providers/Microsoft.ManagedIdentity/unknown"],
      ["GET", `${GROUP}/userAssignedIdentities/first/extra`],
      ["DELETE", `${GROUP}/federatedThings/x`],
      ["GET", "/SUBSCRIPTIONS/7777/providers/microsoft.managedidentity/unknown"],
      ["GET", "/identity/hosts/orders/unknown/deeper"],
      ["POST", "/identity/hosts/orders/unknown"],
    ] as const) {
      const response = await h.call<ArmError>(method, path);
      assert.equal(response.status, 404, `${method} ${path}: ${response.text}`);
      assert.deepEqual(
        response.json.error,
        {
          code: "ResourceNotFound",
          message: "The requested URI does not represent any resource on the server.",
          details: [],
        },
        `${method} ${path}`,
      );
    }
    const graph = await h.call<ArmError>("GET", "/v1.0/nothingHere");
    assert.equal(graph.status, 404);
    assert.equal(graph.json.error.code, "Request_ResourceNotFound");
    const unauthenticated = await h.call<ArmError>("GET", "/identity/hosts/orders/unknown", { token: null });
    assert.equal(unauthenticated.status, 401, unauthenticated.text);
    assert.equal(typeof unauthenticated.json.error.code, "string");
  });

  it("PATCH on a user-assigned identity replaces the given tags and location and keeps its ids", async () => {
    const created = await h.call<Identity>("PUT", FIRST, { body: { location: "westeurope", tags: { team: "a" } } });
    assert.equal(created.status, 201, created.text);
    const retagged = await h.call<Identity>("PATCH", FIRST, { body: { tags: { team: "b", cost: "42" } } });
    assert.equal(retagged.status, 200, retagged.text);
    assert.deepEqual(retagged.json.tags, { team: "b", cost: "42" });
    assert.equal(retagged.json.location, "westeurope");
    assert.equal(retagged.json.properties.clientId, created.json.properties.clientId);
    const moved = await h.call<Identity>("PATCH", FIRST, { body: { location: "northeurope" } });
    assert.equal(moved.json.location, "northeurope");
    assert.deepEqual(moved.json.tags, { team: "b", cost: "42" });
    assert.deepEqual((await h.call<Identity>("GET", FIRST)).json, moved.json);

    const missing = await h.call<ArmError>("PATCH", SECOND.replace("second", "nobody"), { body: { tags: {} } });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, "ResourceNotFound");
    const bad = await h.call<ArmError>("PATCH", FIRST, { body: { tags: { team: 5 } } });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json.error.code, "ValidationError");
  });

  it("PATCH on a host changes the given properties and attaches ({}) or detaches (null) identities", async () => {
    const second = await h.call<Identity>("PUT", SECOND, { body: {} });
    assert.equal(second.status, 201);
    const created = await h.call<Host>("PUT", "/identity/hosts/shop-api", {
      body: { identity: { type: "SystemAssigned" } },
    });
    assert.equal(created.status, 201, created.text);
    const systemId = created.json.identity.principalId;

    const imds = await h.call<Host>("PATCH", "/identity/hosts/shop-api", { body: { properties: { imds: true } } });
    assert.equal(imds.status, 200, imds.text);
    assert.equal(imds.json.properties.imds, true);
    assert.equal(imds.json.identity.type, "SystemAssigned");
    assert.equal(imds.json.identity.principalId, systemId);

    const attach = (entries: Record<string, object | null>, type = "SystemAssigned, UserAssigned") =>
      h.call<Host & ArmError>("PATCH", "/identity/hosts/shop-api", {
        body: { identity: { type, userAssignedIdentities: entries } },
      });
    const one = await attach({ [FIRST]: {} });
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(Object.keys(one.json.identity.userAssignedIdentities ?? {}), [FIRST]);
    const both = await attach({ [SECOND.toLowerCase()]: {} });
    assert.deepEqual(Object.keys(both.json.identity.userAssignedIdentities ?? {}).sort(), [FIRST, SECOND].sort());
    const detached = await attach({ [FIRST.toUpperCase()]: null });
    assert.deepEqual(Object.keys(detached.json.identity.userAssignedIdentities ?? {}), [SECOND]);
    assert.equal(detached.json.identity.principalId, systemId, "the system-assigned identity is kept");

    const emptied = await attach({ [SECOND]: null });
    assert.equal(emptied.status, 400);
    assert.equal(emptied.json.error.code, "ValidationError");
    const wrongType = await attach({ [FIRST]: {} }, "SystemAssigned");
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.json.error.message, /only when identity\.type includes UserAssigned/);

    const onlySystem = await h.call<Host>("PATCH", "/identity/hosts/shop-api", {
      body: { identity: { type: "SystemAssigned" } },
    });
    assert.equal(onlySystem.json.identity.type, "SystemAssigned");
    assert.equal(onlySystem.json.identity.userAssignedIdentities, undefined);
    assert.equal(onlySystem.json.properties.imds, true, "properties left out are kept");

    const tenant = await h.call<ArmError>("PATCH", "/identity/hosts/shop-api", {
      body: { properties: { tenantId: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" } },
    });
    assert.equal(tenant.status, 400);
    assert.match(tenant.json.error.message, /tenant of a host cannot change/);
    assert.notEqual(EXAMPLE.tenantId, "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
    const missing = await h.call<ArmError>("PATCH", "/identity/hosts/nobody", { body: {} });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, "ResourceNotFound");
    assert.equal((await h.call("DELETE", "/identity/hosts/shop-api")).status, 200);
  });
});
