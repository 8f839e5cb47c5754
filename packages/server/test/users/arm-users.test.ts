import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startAdminHarness, type AdminHarness } from "../admin/helpers.js";
import { ARM, assertArmError, put, SHORT, type Page, type Resource } from "../admin-gateway/helpers.js";
import { KeptNotices } from "./links.js";

let h: AdminHarness;
const notices = new KeptNotices();
before(async () => {
  h = await startAdminHarness({ notifier: notices });
});
after(async () => {
  await h.close();
});

const PASSWORD = "correct horse battery";

describe("ARM users", () => {
  test("the built-in administrator is user 1 and cannot be deleted", async () => {
    const admin = await h.call<Resource>("GET", `${ARM}/users/1`);
    assert.equal(admin.status, 200, admin.text);
    assert.equal(admin.json.properties.firstName, "Administrator");
    assert.equal(admin.json.properties.state, "active");
    const refused = await h.call("DELETE", `${SHORT}/users/1`);
    assert.match(assertArmError(refused, 409, "Conflict").message, /built-in administrator/);
  });

  test("create, read, update, list and delete; the password is never returned", async () => {
    const created = await put(h, `${ARM}/users/dev`, {
      properties: { email: "Dev@Contoso.example", firstName: "Dana", lastName: "Dev", password: PASSWORD },
    });
    assert.equal(created.id, `${ARM}/users/dev`);
    assert.equal(created.type, "Microsoft.ApiManagement/service/users");
    const { registrationDate, groups, ...rest } = created.properties as Record<string, unknown>;
    assert.deepEqual(
      (groups as { displayName: string; builtIn: boolean }[]).map((g) => [g.displayName, g.builtIn]),
      [["Developers", true]],
    );
    assert.match(String(registrationDate), /^\d{4}-\d{2}-\d{2}T/);
    assert.deepEqual(rest, {
      email: "Dev@Contoso.example",
      firstName: "Dana",
      lastName: "Dev",
      state: "active",
      note: null,
      identities: [{ provider: "Basic", id: "Dev@Contoso.example" }],
    });
    assert.doesNotMatch(JSON.stringify(created), /password|scrypt/i);

    const head = await h.call("HEAD", `${SHORT}/users/dev`);
    assert.equal(head.status, 200);
    assert.ok(head.headers.get("etag"));

    const patched = await h.call<Resource>("PATCH", `${SHORT}/users/dev`, {
      body: { properties: { note: "beta tester", state: "blocked" } },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.json.properties.note, "beta tester");
    assert.equal(patched.json.properties.registrationDate, registrationDate);

    const list = await h.call<Page>("GET", `${SHORT}/users?$filter=${encodeURIComponent("state eq 'blocked'")}`);
    assert.deepEqual(
      list.json.value.map((u) => u.name),
      ["dev"],
    );

    // Emails are unique without regard to case.
    const twin = await h.call("PUT", `${SHORT}/users/twin`, {
      body: { properties: { email: "dev@contoso.EXAMPLE", firstName: "T", lastName: "Win" } },
    });
    assert.match(assertArmError(twin, 409, "Conflict").message, /already exists/);

    assert.equal((await h.call("DELETE", `${SHORT}/users/dev`)).status, 200);
    assert.equal((await h.call("DELETE", `${SHORT}/users/dev`)).status, 204);
    assertArmError(await h.call("GET", `${SHORT}/users/dev`), 404, "ResourceNotFound");
  });

  test("what API Management refuses is refused, naming the property", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ email: "not-an-email", firstName: "A", lastName: "B" }, "email"],
      [{ email: "a@b.example", firstName: "", lastName: "B" }, "firstName"],
      [{ email: "a@b.example", firstName: "A", lastName: "B", password: "short" }, "password"],
      [{ email: "a@b.example", firstName: "A", lastName: "B", state: "gone" }, "state"],
      [
        { email: "a@b.example", firstName: "A", lastName: "B", identities: [{ provider: "Aad", id: "x" }] },
        "identities",
      ],
    ];
    for (const [properties, target] of cases) {
      const response = await h.call("PUT", `${SHORT}/users/bad`, { body: { properties } });
      const error = assertArmError(response, 400, "ValidationError");
      assert.equal(error.details[0]?.target, target, response.text);
      assert.doesNotMatch(response.text, /short/, "the password is never quoted");
    }
    const notify = await h.call("PUT", `${SHORT}/users/bad?notify=true`, {
      body: { properties: { email: "a@b.example", firstName: "A", lastName: "B" } },
    });
    assert.equal(assertArmError(notify, 400, "ValidationError").details[0]?.target, "notify");
  });

  test("confirmation: invite creates a pending user and returns the invitation link once", async () => {
    const response = await h.call<Resource>("PUT", `${SHORT}/users/invited`, {
      body: {
        properties: { email: "invited@contoso.example", firstName: "In", lastName: "Vited", confirmation: "invite" },
      },
    });
    assert.equal(response.status, 201, response.text);
    assert.equal(response.json.properties.state, "pending");
    const link = response.headers.get("gatehouse-invitation-link") ?? "";
    assert.equal(link, notices.lastLink("invited"));
    assert.match(link, /\/developer\/confirm-invitation#userid=invited&ticketid=/);
    assert.ok(link.startsWith(h.gatehouse.adminUrl), link);

    const again = await h.call<{ value: string; expiresAt: string }>(
      "POST",
      `${SHORT}/users/invited/generateInvitationUrl`,
    );
    assert.equal(again.status, 200, again.text);
    assert.notEqual(again.json.value, link);
    assert.equal(again.headers.get("cache-control"), "no-store");
    const reset = await h.call("POST", `${SHORT}/users/nobody/generatePasswordResetUrl`);
    assertArmError(reset, 404, "ResourceNotFound");
  });
});
