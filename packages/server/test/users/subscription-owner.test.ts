import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startAdminHarness, type AdminHarness } from "../admin/helpers.js";
import { ARM, assertArmError, put, SHORT, type Page, type Resource } from "../admin-gateway/helpers.js";

let h: AdminHarness;

/** Answers who the caller's subscription belongs to, as a policy sees it. */
const WHO_AM_I = `<policies><inbound><return-response><set-status code="200" reason="OK" /><set-body>@{
  var user = context.User;
  if (user == null) { return "nobody"; }
  return user.Id + "|" + user.Email + "|" + user.FirstName + " " + user.LastName + "|" + user.Note + "|" +
    string.Join(",", user.Groups.Select(g => g.Name)) + "|" + user.Identities.First().Provider + ":" +
    user.Identities.First().Id + "|" + user.RegistrationDate.Year;
}</set-body></return-response></inbound><backend /><outbound /><on-error /></policies>`;

async function keyOf(sid: string): Promise<string> {
  const keys = await h.call<{ primaryKey: string }>("POST", `${SHORT}/subscriptions/${sid}/listSecrets`);
  return keys.json.primaryKey;
}

async function call(key: string): Promise<{ status: number; body: string }> {
  await h.gatehouse.reloadGateway();
  const response = await fetch(`${h.gatehouse.gatewayUrl}/who/me`, { headers: { "ocp-apim-subscription-key": key } });
  return { status: response.status, body: await response.text() };
}

before(async () => {
  h = await startAdminHarness();
  await put(h, `${SHORT}/apis/who`, { properties: { displayName: "Who", path: "who", protocols: ["http", "https"] } });
  await put(h, `${SHORT}/apis/who/operations/me`, {
    properties: { displayName: "Me", method: "GET", urlTemplate: "/me" },
  });
  await put(h, `${SHORT}/apis/who/policies/policy`, { properties: { format: "rawxml", value: WHO_AM_I } });
  await put(h, `${SHORT}/products/starter`, { properties: { displayName: "Starter", state: "published" } });
  await h.call("PUT", `${SHORT}/products/starter/apis/who`);
  await put(h, `${SHORT}/users/dev`, {
    properties: { email: "dev@contoso.example", firstName: "Dana", lastName: "Dev", note: "beta" },
  });
  await put(h, `${SHORT}/groups/partners`, { properties: { displayName: "Partners" } });
  await h.call("PUT", `${SHORT}/groups/partners/users/dev`);
});
after(async () => {
  await h.close();
});

describe("subscriptions owned by users", () => {
  test("ownerId is validated, shown, filterable and listed under the user", async () => {
    const owned = await put(h, `${ARM}/subscriptions/dev-starter`, {
      properties: { displayName: "Dev's", scope: "/products/starter", ownerId: `${ARM}/users/dev` },
    });
    assert.equal(owned.properties.ownerId, "/users/dev");
    const standalone = await put(h, `${SHORT}/subscriptions/standalone`, {
      properties: { displayName: "Standalone", scope: "/products/starter" },
    });
    assert.equal("ownerId" in standalone.properties, false);

    for (const [ownerId, message] of [
      ["/users/nobody", /does not exist/],
      ["/groups/partners", /must be \/users\/\{userId\}/],
    ] as const) {
      const response = await h.call("PUT", `${SHORT}/subscriptions/bad`, {
        body: { properties: { displayName: "Bad", scope: "/apis", ownerId } },
      });
      const error = assertArmError(response, 400, "ValidationError");
      assert.equal(error.details[0]?.target, "ownerId");
      assert.match(error.message, message);
    }

    const filtered = await h.call<Page>(
      "GET",
      `${SHORT}/subscriptions?$filter=${encodeURIComponent("ownerId eq '/users/dev'")}`,
    );
    assert.deepEqual(
      filtered.json.value.map((s) => s.name),
      ["dev-starter"],
    );
    const ofDev = await h.call<Page>("GET", `${ARM}/users/dev/subscriptions`);
    assert.equal(ofDev.status, 200, ofDev.text);
    assert.deepEqual(
      ofDev.json.value.map((s) => [s.id, s.type]),
      [[`${ARM}/users/dev/subscriptions/dev-starter`, "Microsoft.ApiManagement/service/users/subscriptions"]],
    );
    assertArmError(await h.call("GET", `${SHORT}/users/nobody/subscriptions`), 404, "ResourceNotFound");
  });

  test("context.User is the calling subscription's owner; a blocked owner's keys stop working", async () => {
    const year = new Date().getUTCFullYear();
    const owned = await call(await keyOf("dev-starter"));
    assert.equal(owned.status, 200, owned.body);
    assert.equal(
      owned.body,
      `dev|dev@contoso.example|Dana Dev|beta|Developers,Partners|Basic:dev@contoso.example|${year}`,
    );
    assert.deepEqual(await call(await keyOf("standalone")), { status: 200, body: "nobody" });

    const key = await keyOf("dev-starter");
    await h.call("PATCH", `${SHORT}/users/dev`, { body: { properties: { state: "blocked" } } });
    assert.equal((await call(key)).status, 401);
    await h.call("PATCH", `${SHORT}/users/dev`, { body: { properties: { state: "active" } } });
    assert.equal((await call(key)).status, 200);
  });

  test("deleting a user deletes their subscriptions, unless told not to", async () => {
    await put(h, `${SHORT}/users/temp`, {
      properties: { email: "temp@contoso.example", firstName: "T", lastName: "T" },
    });
    await put(h, `${SHORT}/subscriptions/temp-sub`, {
      properties: { displayName: "Temp", scope: "/apis", ownerId: "/users/temp" },
    });
    const kept = await h.call("DELETE", `${SHORT}/users/temp?deleteSubscriptions=false`);
    assert.match(assertArmError(kept, 409, "Conflict").message, /temp-sub/);
    assert.equal((await h.call("DELETE", `${SHORT}/users/temp?deleteSubscriptions=true`)).status, 200);
    assertArmError(await h.call("GET", `${SHORT}/subscriptions/temp-sub`), 404, "ResourceNotFound");
    const wrong = await h.call("DELETE", `${SHORT}/users/dev?deleteSubscriptions=maybe`);
    assert.equal(assertArmError(wrong, 400, "ValidationError").details[0]?.target, "deleteSubscriptions");
    assert.equal((await h.call<Resource>("GET", `${SHORT}/users/dev`)).status, 200);
  });
});
