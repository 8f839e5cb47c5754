import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startAdminHarness, type AdminHarness } from "../admin/helpers.js";
import { ARM, assertArmError, put, SHORT, type Page, type Resource } from "../admin-gateway/helpers.js";

let h: AdminHarness;
before(async () => {
  h = await startAdminHarness();
  await put(h, `${SHORT}/users/ann`, { properties: { email: "ann@contoso.example", firstName: "Ann", lastName: "A" } });
  await put(h, `${SHORT}/users/bob`, {
    properties: { email: "bob@contoso.example", firstName: "Bob", lastName: "B", state: "blocked" },
  });
});
after(async () => {
  await h.close();
});

const names = (page: Page) => page.value.map((item) => item.name);

describe("ARM groups", () => {
  test("the built-in groups exist, are read-only and their members are the system's", async () => {
    const list = await h.call<Page>("GET", `${ARM}/groups`);
    assert.deepEqual(names(list.json), ["administrators", "developers", "guests"]);
    const developers = await h.call<Resource>("GET", `${SHORT}/groups/developers`);
    assert.deepEqual(developers.json.properties, {
      displayName: "Developers",
      description: developers.json.properties.description,
      builtIn: true,
      type: "system",
      externalId: null,
    });
    for (const [method, body] of [
      ["PUT", { properties: { displayName: "Mine" } }],
      ["PATCH", { properties: { displayName: "Mine" } }],
      ["DELETE", undefined],
    ] as const) {
      const response = await h.call(method, `${SHORT}/groups/developers`, { body });
      assert.match(assertArmError(response, 405, "MethodNotAllowed").message, /built-in group/);
    }
    // Every active user is a developer; the administrators are the built-in administrator.
    const members = await h.call<Page>("GET", `${SHORT}/groups/developers/users`);
    assert.deepEqual(names(members.json), ["1", "ann"]);
    assert.deepEqual(names((await h.call<Page>("GET", `${SHORT}/groups/administrators/users`)).json), ["1"]);
    assert.deepEqual(names((await h.call<Page>("GET", `${SHORT}/groups/guests/users`)).json), []);
    const refused = await h.call("PUT", `${SHORT}/groups/administrators/users/ann`);
    assert.match(assertArmError(refused, 405, "MethodNotAllowed").message, /managed by the system/);
  });

  test("custom and external groups, their members, and a user's groups", async () => {
    const created = await put(h, `${ARM}/groups/partners`, {
      properties: { displayName: "Partners", description: "Contoso's partners" },
    });
    assert.deepEqual(created.properties, {
      displayName: "Partners",
      description: "Contoso's partners",
      builtIn: false,
      type: "custom",
      externalId: null,
    });
    const system = await h.call("PUT", `${SHORT}/groups/mine`, {
      body: { properties: { displayName: "Mine", type: "system" } },
    });
    assert.equal(assertArmError(system, 400, "ValidationError").details[0]?.target, "type");
    const external = await h.call("PUT", `${SHORT}/groups/aad`, {
      body: { properties: { displayName: "AAD", type: "external" } },
    });
    assert.equal(assertArmError(external, 400, "ValidationError").details[0]?.target, "externalId");
    await put(h, `${SHORT}/groups/aad`, {
      properties: { displayName: "AAD", type: "external", externalId: "aad://contoso.example/groups/1234" },
    });

    const added = await h.call<Resource>("PUT", `${ARM}/groups/partners/users/ann`);
    assert.equal(added.status, 201, added.text);
    assert.equal(added.json.id, `${ARM}/users/ann`);
    const groupsOfAnn = (added.json.properties.groups as { displayName: string }[]).map((g) => g.displayName);
    assert.deepEqual(groupsOfAnn, ["Developers", "Partners"]);
    assert.equal((await h.call("PUT", `${ARM}/groups/partners/users/ann`)).status, 200);
    assert.equal((await h.call("HEAD", `${SHORT}/groups/partners/users/ann`)).status, 204);
    assert.equal((await h.call("HEAD", `${SHORT}/groups/partners/users/bob`)).status, 404);
    assertArmError(await h.call("GET", `${SHORT}/groups/partners/users/ann`), 405, "MethodNotAllowed");
    assertArmError(await h.call("PUT", `${SHORT}/groups/partners/users/nobody`), 404, "ResourceNotFound");

    const ofAnn = await h.call<Page>("GET", `${SHORT}/users/ann/groups`);
    assert.deepEqual(names(ofAnn.json), ["developers", "partners"]);
    assert.equal(ofAnn.json.value[1]?.id, `${SHORT}/groups/partners`);

    assert.equal((await h.call("DELETE", `${SHORT}/groups/partners/users/ann`)).status, 200);
    assert.equal((await h.call("DELETE", `${SHORT}/groups/partners/users/ann`)).status, 204);
    await h.call("PUT", `${SHORT}/groups/partners/users/ann`);
    // Deleting the group ends its memberships.
    assert.equal((await h.call("DELETE", `${SHORT}/groups/partners`)).status, 200);
    assert.deepEqual(names((await h.call<Page>("GET", `${SHORT}/users/ann/groups`)).json), ["developers"]);
  });

  test("product visibility: a new product is visible to administrators; groups are added and removed", async () => {
    await put(h, `${SHORT}/products/starter`, { properties: { displayName: "Starter" } });
    const initial = await h.call<Page>("GET", `${ARM}/products/starter/groups`);
    assert.deepEqual(names(initial.json), ["administrators"]);
    const link = await h.call<Resource>("PUT", `${ARM}/products/starter/groups/developers`);
    assert.equal(link.status, 201, link.text);
    assert.equal(link.json.id, `${ARM}/groups/developers`);
    assert.equal((await h.call("PUT", `${ARM}/products/starter/groups/developers`)).status, 200);
    assert.deepEqual(names((await h.call<Page>("GET", `${SHORT}/products/starter/groups`)).json), [
      "administrators",
      "developers",
    ]);
    assertArmError(await h.call("PUT", `${SHORT}/products/starter/groups/nope`), 404, "ResourceNotFound");
    assertArmError(await h.call("GET", `${SHORT}/products/nope/groups`), 404, "ResourceNotFound");
    assert.equal((await h.call("DELETE", `${SHORT}/products/starter/groups/developers`)).status, 200);
    assert.equal((await h.call("DELETE", `${SHORT}/products/starter/groups/developers`)).status, 204);
  });
});
