import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startAdminHarness, type AdminHarness } from "../admin/helpers.js";
import { put, SHORT } from "../admin-gateway/helpers.js";
import { KeptNotices, ticketOf } from "./links.js";

let h: AdminHarness;
const notices = new KeptNotices();
const PASSWORDS = { dev: "dev password 1", other: "other password 1", blocked: "blocked password 1" };

interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  json: T;
}

/** Calls the developer API with the given Authorization (none when undefined). */
async function dev<T = Record<string, unknown>>(
  method: string,
  path: string,
  authorization?: string,
  body?: unknown,
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (authorization) headers.authorization = authorization;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${h.gatehouse.adminUrl}/developer${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: (text ? JSON.parse(text) : {}) as T };
}

const basic = (email: string, password: string) => `Basic ${Buffer.from(`${email}:${password}`).toString("base64")}`;

/** Every token handed out in this file, for the scan of what is stored. */
const handedOut: string[] = [];

/** The token of an Ocp-Apim-Sas-Token header, as the portal sends it back. */
function sasOf(answer: Answer<unknown>): string {
  const header = answer.headers.get("ocp-apim-sas-token") ?? "";
  const token = /^token="([^"]+)",refresh="true"$/.exec(header)?.[1];
  assert.ok(token, `no token in ${JSON.stringify(header)}`);
  handedOut.push(token);
  return `SharedAccessSignature ${token}`;
}

async function signIn(email: string, password: string): Promise<string> {
  const answer = await dev("GET", "/identity", basic(email, password));
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  return sasOf(answer);
}

function assertError(answer: Answer<unknown>, status: number, code: string): string {
  assert.equal(answer.status, status, JSON.stringify(answer.json));
  const { error } = answer.json as { error: { code: string; message: string; details: unknown[] } };
  assert.equal(error.code, code);
  assert.ok(Array.isArray(error.details));
  return error.message;
}

const names = (answer: Answer<unknown>) => (answer.json as { value: { name: string }[] }).value.map((v) => v.name);

async function gatewayCall(key: string): Promise<{ status: number; body: string }> {
  await h.gatehouse.reloadGateway();
  const response = await fetch(`${h.gatehouse.gatewayUrl}/echo/hello`, {
    headers: { "ocp-apim-subscription-key": key },
  });
  return { status: response.status, body: await response.text() };
}

before(async () => {
  h = await startAdminHarness({ notifier: notices });
  await put(h, `${SHORT}/apis/echo-api`, { properties: { displayName: "Echo", path: "echo", protocols: ["http"] } });
  await put(h, `${SHORT}/apis/echo-api/operations/hello`, {
    properties: { displayName: "Hello", method: "GET", urlTemplate: "/hello" },
  });
  await put(h, `${SHORT}/apis/echo-api/policies/policy`, {
    properties: {
      format: "rawxml",
      value: `<policies><inbound><return-response><set-status code="200" reason="OK" /><set-body>@(context.User?.Email ?? "nobody")</set-body></return-response></inbound><backend /><outbound /><on-error /></policies>`,
    },
  });
  await put(h, `${SHORT}/apis/internal`, { properties: { displayName: "Internal", path: "internal" } });
  await put(h, `${SHORT}/groups/partners`, { properties: { displayName: "Partners" } });
  const products: [string, Record<string, unknown>, string[], string][] = [
    ["starter", { state: "published", subscriptionsLimit: 1, terms: "Be nice." }, ["developers"], "echo-api"],
    ["gold", { state: "published", approvalRequired: true }, ["partners"], "echo-api"],
    ["hidden", { state: "published" }, [], "internal"],
    ["draft", { state: "notPublished" }, ["developers"], "internal"],
  ];
  for (const [name, properties, groups, api] of products) {
    await put(h, `${SHORT}/products/${name}`, { properties: { displayName: name, ...properties } });
    await h.call("PUT", `${SHORT}/products/${name}/apis/${api}`);
    for (const group of groups) await h.call("PUT", `${SHORT}/products/${name}/groups/${group}`);
  }
  for (const [name, state] of [
    ["dev", "active"],
    ["other", "active"],
    ["blocked", "blocked"],
  ] as const) {
    await put(h, `${SHORT}/users/${name}`, {
      properties: {
        email: `${name}@contoso.example`,
        firstName: name,
        lastName: "User",
        state,
        password: PASSWORDS[name],
      },
    });
  }
});
after(async () => {
  await h.close();
});

describe("developer API", () => {
  test("sign-in with Basic: a token in Ocp-Apim-Sas-Token; wrong passwords and unknown emails read the same", async () => {
    const answer = await dev("GET", "/identity", basic("DEV@contoso.example", PASSWORDS.dev));
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, { id: "dev", provider: "Basic" });
    assert.match(
      answer.headers.get("ocp-apim-sas-token") ?? "",
      /^token="dev&\d{12}&[A-Za-z0-9+/]{86}==",refresh="true"$/,
    );
    const token = sasOf(answer);
    assert.deepEqual((await dev("GET", "/identity", token)).json, { id: "dev", provider: "Basic" });

    const wrong = assertError(
      await dev("GET", "/identity", basic("dev@contoso.example", "nope nope")),
      401,
      "Unauthorized",
    );
    const unknown = assertError(
      await dev("GET", "/identity", basic("who@contoso.example", "nope nope")),
      401,
      "Unauthorized",
    );
    assert.equal(wrong, "Please provide a valid email and password.");
    assert.equal(unknown, wrong);
    assertError(await dev("GET", "/identity"), 401, "Unauthorized");
    assertError(await dev("GET", "/users/dev", basic("dev@contoso.example", PASSWORDS.dev)), 401, "Unauthorized");
    assertError(await dev("GET", "/users/dev", "SharedAccessSignature dev&202001010000&forged"), 401, "Unauthorized");
  });

  test("the administrator's users/{id}/token is a developer API token until its expiry", async () => {
    const expiry = new Date(Date.now() + 2 * 3600_000);
    const issued = await h.call<{ value: string }>("POST", `${SHORT}/users/dev/token`, {
      body: { properties: { keyType: "primary", expiry: expiry.toISOString() } },
    });
    assert.equal(issued.status, 200, issued.text);
    const stamp = expiry.toISOString().slice(0, 16).replace(/[-T:]/g, "");
    assert.match(issued.json.value, new RegExp(`^dev&${stamp}&`));
    handedOut.push(issued.json.value);
    const profile = await dev("GET", "/users/dev", `SharedAccessSignature ${issued.json.value}`);
    assert.equal(profile.status, 200);
    assert.equal(profile.headers.get("ocp-apim-sas-token"), null, "not renewed: it lives until its expiry");
    const tooLong = await h.call("POST", `${SHORT}/users/dev/token`, {
      body: { properties: { keyType: "primary", expiry: new Date(Date.now() + 9 * 3600_000).toISOString() } },
    });
    assert.equal(tooLong.status, 400, tooLong.text);
    assert.match(tooLong.text, /"target":"expiry"/);
    const blocked = await h.call("POST", `${SHORT}/users/blocked/token`, {
      body: { properties: { keyType: "primary", expiry: expiry.toISOString() } },
    });
    assert.equal(blocked.status, 409, blocked.text);
  });

  test("a user sees their own profile only; another user's id is not found", async () => {
    const token = await signIn("dev@contoso.example", PASSWORDS.dev);
    const profile = await dev<Record<string, unknown>>("GET", "/users/dev", token);
    assert.equal(profile.status, 200);
    assert.equal(profile.json.id, "/users/dev");
    assert.equal(profile.json.email, "dev@contoso.example");
    assert.equal("note" in profile.json, false);
    assertError(await dev("GET", "/users/other", token), 404, "ResourceNotFound");
    assertError(await dev("GET", "/users/other/subscriptions", token), 404, "ResourceNotFound");

    const renamed = await dev<Record<string, unknown>>("PATCH", "/users/dev", token, { firstName: "Dana" });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.json.firstName, "Dana");
    const email = await dev("PATCH", "/users/dev", token, { email: "mine@contoso.example" });
    assertError(email, 400, "ValidationError");
  });

  test("products and APIs: published, visible to one of the user's groups", async () => {
    const token = await signIn("dev@contoso.example", PASSWORDS.dev);
    assert.deepEqual(names(await dev("GET", "/products", token)), ["starter"]);
    assertError(await dev("GET", "/products/gold", token), 404, "ResourceNotFound");
    assertError(await dev("GET", "/products/hidden", token), 404, "ResourceNotFound");
    assertError(await dev("GET", "/products/draft", token), 404, "ResourceNotFound");
    await h.call("PUT", `${SHORT}/groups/partners/users/dev`);
    assert.deepEqual(names(await dev("GET", "/products", token)), ["gold", "starter"]);
    assert.deepEqual(names(await dev("GET", "/products/starter/apis", token)), ["echo-api"]);
    const apis = await dev<{ value: Record<string, unknown>[] }>("GET", "/apis", token);
    assert.deepEqual(names(apis), ["echo-api"]);
    assert.equal("serviceUrl" in (apis.json.value[0] ?? {}), false, "no backend URL");
    assertError(await dev("GET", "/apis/internal", token), 404, "ResourceNotFound");
    const operations = await dev<{ value: Record<string, unknown>[] }>("GET", "/apis/echo-api/operations", token);
    assert.deepEqual(
      operations.json.value.map((o) => [o.method, o.urlTemplate]),
      [["GET", "/hello"]],
    );
    const exported = await dev<{ format: string; value: string }>(
      "GET",
      "/apis/echo-api?export=true&format=openapi",
      token,
    );
    assert.equal(exported.status, 200, JSON.stringify(exported.json));
    assert.equal(exported.json.format, "openapi");
    assert.match(exported.json.value, /^openapi: 3\./m);
    assert.match(exported.json.value, /\/hello:/);
    assertError(await dev("GET", "/apis/internal?export=true&format=openapi", token), 404, "ResourceNotFound");
  });

  test("subscriptions: terms, approval, the per-user limit, keys, and nobody else's", async () => {
    const token = await signIn("dev@contoso.example", PASSWORDS.dev);
    const path = "/users/dev/subscriptions";
    const noTerms = await dev("PUT", `${path}/mine`, token, { scope: "/products/starter", name: "Mine" });
    assertError(noTerms, 400, "ValidationError");
    const created = await dev<Record<string, unknown>>("PUT", `${path}/mine`, token, {
      scope: "/products/starter",
      name: "Mine",
      termsConsented: true,
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.deepEqual(
      { ...created.json, createdDate: undefined },
      {
        id: "/users/dev/subscriptions/mine",
        name: "Mine",
        scope: "/products/starter",
        state: "active",
        ownerId: "/users/dev",
        createdDate: undefined,
        startDate: null,
        expirationDate: null,
      },
    );
    const again = await dev("PUT", `${path}/second`, token, {
      scope: "/products/starter",
      name: "Second",
      termsConsented: true,
    });
    assert.equal(assertError(again, 400, "ValidationError"), "Subscriptions limit reached for same user");
    const gold = await dev<Record<string, unknown>>("PUT", `${path}/gold`, token, {
      scope: "/products/gold",
      name: "G",
    });
    assert.equal(gold.json.state, "submitted");
    assertError(
      await dev("PUT", `${path}/hidden`, token, { scope: "/products/hidden", name: "H" }),
      404,
      "ResourceNotFound",
    );
    assertError(await dev("PUT", `${path}/all`, token, { scope: "/apis", name: "All" }), 400, "ValidationError");
    assertError(await dev("PUT", `${path}/mine`, token, { scope: "/products/gold", name: "M" }), 409, "Conflict");
    assert.deepEqual(names(await dev("GET", path, token)), ["G", "Mine"]);

    const keys = await dev<{ primaryKey: string; secondaryKey: string }>("POST", `${path}/mine/listSecrets`, token);
    assert.equal(keys.status, 200);
    assert.equal(keys.headers.get("cache-control"), "no-store");
    assert.deepEqual(await gatewayCall(keys.json.primaryKey), { status: 200, body: "dev@contoso.example" });
    assert.equal((await dev("POST", `${path}/mine/regeneratePrimaryKey`, token)).status, 204);
    const regenerated = await dev<{ primaryKey: string }>("POST", `${path}/mine/listSecrets`, token);
    assert.notEqual(regenerated.json.primaryKey, keys.json.primaryKey);
    assert.equal((await gatewayCall(keys.json.primaryKey)).status, 401);
    assert.equal((await gatewayCall(keys.json.secondaryKey)).status, 200);

    // Another user sees none of it.
    const other = await signIn("other@contoso.example", PASSWORDS.other);
    assert.deepEqual(names(await dev("GET", "/users/other/subscriptions", other)), []);
    assertError(await dev("POST", `${path}/mine/listSecrets`, other), 404, "ResourceNotFound");
    assertError(await dev("POST", "/users/other/subscriptions/mine/listSecrets", other), 404, "ResourceNotFound");

    const cancelled = await dev<Record<string, unknown>>("PATCH", `${path}/mine`, token, { state: "cancelled" });
    assert.equal(cancelled.json.state, "cancelled");
    assert.equal((await gatewayCall(keys.json.secondaryKey)).status, 401);
    assertError(await dev("PATCH", `${path}/gold`, token, { state: "active" }), 400, "ValidationError");
    // The cancelled subscription no longer holds the product's one place.
    const replacement = await dev("PUT", `${path}/next`, token, {
      scope: "/products/starter",
      name: "Next",
      termsConsented: true,
    });
    assert.equal(replacement.status, 201);
  });

  test("changing the password needs the current one, ends other sessions and hands out a new token", async () => {
    const first = await signIn("other@contoso.example", PASSWORDS.other);
    const second = await signIn("other@contoso.example", PASSWORDS.other);
    const missing = await dev("PATCH", "/users/other", first, { password: "a new password" });
    assertError(missing, 400, "ValidationError");
    const wrong = await dev("PATCH", "/users/other", first, { password: "a new password", currentPassword: "guess" });
    assertError(wrong, 401, "Unauthorized");
    const short = await dev("PATCH", "/users/other", first, { password: "short", currentPassword: PASSWORDS.other });
    assertError(short, 400, "ValidationError");
    const changed = await dev("PATCH", "/users/other", first, {
      password: "a new password",
      currentPassword: PASSWORDS.other,
    });
    assert.equal(changed.status, 200);
    const fresh = sasOf(changed);
    assertError(await dev("GET", "/users/other", second), 401, "Unauthorized");
    assertError(await dev("GET", "/users/other", first), 401, "Unauthorized");
    assert.equal((await dev("GET", "/users/other", fresh)).status, 200);
    await signIn("other@contoso.example", "a new password");

    assert.equal((await dev("DELETE", "/identity", fresh)).status, 204);
    assertError(await dev("GET", "/users/other", fresh), 401, "Unauthorized");
  });

  test("a blocked user can do nothing; blocking ends their sessions", async () => {
    assert.match(
      assertError(await dev("GET", "/identity", basic("blocked@contoso.example", PASSWORDS.blocked)), 403, "Forbidden"),
      /blocked/,
    );
    const token = await signIn("dev@contoso.example", PASSWORDS.dev);
    await h.call("PATCH", `${SHORT}/users/dev`, { body: { properties: { state: "blocked" } } });
    assertError(await dev("GET", "/products", token), 401, "Unauthorized");
    assertError(await dev("GET", "/identity", basic("dev@contoso.example", PASSWORDS.dev)), 403, "Forbidden");
    await h.call("PATCH", `${SHORT}/users/dev`, { body: { properties: { state: "active" } } });
    assertError(await dev("GET", "/products", token), 401, "Unauthorized");
    await signIn("dev@contoso.example", PASSWORDS.dev);
  });

  test("an invitation link sets the first password once and activates the user", async () => {
    const created = await h.call("PUT", `${SHORT}/users/invited`, {
      body: {
        properties: { email: "invited@contoso.example", firstName: "In", lastName: "Vited", confirmation: "invite" },
      },
    });
    const { userId, authorization } = ticketOf(created.headers.get("gatehouse-invitation-link") ?? "");
    assert.equal(userId, "invited");
    assertError(
      await dev("GET", "/identity", basic("invited@contoso.example", "anything at all")),
      401,
      "Unauthorized",
    );
    const accepted = await dev<Record<string, unknown>>("PATCH", "/users/invited", authorization, {
      password: "my first password",
    });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.json));
    assert.equal(accepted.json.state, "active");
    assert.equal((await dev("GET", "/users/invited", sasOf(accepted))).status, 200);
    const reused = await dev("PATCH", "/users/invited", authorization, { password: "another password" });
    assertError(reused, 401, "Unauthorized");
    // A ticket is bound to its user.
    const invitedAgain = await h.call<{ value: string }>("POST", `${SHORT}/users/invited/generateInvitationUrl`);
    const moved = await dev("PATCH", "/users/dev", ticketOf(invitedAgain.json.value).authorization, {
      password: "taken over!",
    });
    assertError(moved, 401, "Unauthorized");
  });

  test("forgot password: a reset link goes to the notifier only for an active account", async () => {
    const before = notices.notices.length;
    assert.equal(
      (await dev("POST", "/confirmations/password", undefined, { to: "nobody@contoso.example" })).status,
      204,
    );
    assert.equal(notices.notices.length, before);
    assert.equal((await dev("POST", "/confirmations/password", undefined, { to: "DEV@contoso.example" })).status, 204);
    const { authorization } = ticketOf(notices.lastLink("dev"));
    const reset = await dev("PATCH", "/users/dev", authorization, { password: "reset password 1" });
    assert.equal(reset.status, 200);
    await signIn("dev@contoso.example", "reset password 1");

    // Requests for one email from one address are throttled as failed sign-ins are.
    let answer: Answer<unknown> | undefined;
    for (let i = 0; i < 21; i++) {
      answer = await dev("POST", "/confirmations/password", undefined, { to: "flood@contoso.example" });
    }
    assertError(answer as Answer<unknown>, 429, "TooManyRequests");
    assert.match(answer?.headers.get("retry-after") ?? "", /^\d+$/);
  });

  test("no password, token or link secret is stored in plaintext", async () => {
    const db = h.gatehouse.store.db;
    const [users, sessions, tickets] = await Promise.all([
      db.selectFrom("gateway_users").selectAll().execute(),
      db.selectFrom("developer_sessions").selectAll().execute(),
      db.selectFrom("one_time_tickets").selectAll().execute(),
    ]);
    assert.ok(sessions.length > 0 && users.some((u) => u.password_hash?.startsWith("$scrypt$")));
    const stored = JSON.stringify([users, sessions, tickets]);
    const passwords = [...Object.values(PASSWORDS), "a new password", "my first password", "reset password 1"];
    // A token's secret is its last part; a link's secret is its ticket.
    const secrets = [
      ...handedOut.map((token) => token.split("&")[2] ?? token),
      ...notices.notices.map((n) => new URLSearchParams(new URL(n.link).hash.slice(1)).get("ticket") ?? n.link),
    ];
    assert.ok(secrets.length > 10);
    for (const secret of [...passwords, ...secrets]) {
      assert.ok(!stored.includes(secret), "a secret is stored in plaintext");
    }
  });
});
