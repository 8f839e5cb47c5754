import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startAdminHarness, type AdminHarness } from "../admin/helpers.js";
import { ARM, assertArmError, put, SHORT, type Page, type Resource } from "./helpers.js";

let h: AdminHarness;
before(async () => {
  h = await startAdminHarness();
  for (const name of ["echo", "orders"]) {
    await put(h, `${SHORT}/apis/${name}`, { properties: { displayName: name, path: name } });
  }
});
after(async () => {
  await h.close();
});

const KEY = /^[0-9a-f]{32}$/;

describe("ARM products and their APIs", () => {
  test("product CRUD with APIM's defaults", async () => {
    const created = await put(h, `${ARM}/products/starter`, { properties: { displayName: "Starter" } });
    assert.deepEqual(created, {
      id: `${ARM}/products/starter`,
      type: "Microsoft.ApiManagement/service/products",
      name: "starter",
      properties: {
        displayName: "Starter",
        description: null,
        terms: null,
        subscriptionRequired: true,
        approvalRequired: false,
        subscriptionsLimit: null,
        state: "notPublished",
        authenticationType: ["subscription-key"],
      },
    });
    const patched = await h.call<Resource>("PATCH", `${SHORT}/products/starter`, {
      body: { properties: { state: "published", subscriptionsLimit: 5, terms: "Be nice." } },
    });
    assert.deepEqual(patched.json.properties, {
      ...created.properties,
      state: "published",
      subscriptionsLimit: 5,
      terms: "Be nice.",
    });
    const bad = await h.call("PATCH", `${SHORT}/products/starter`, { body: { properties: { state: "open" } } });
    assert.equal(assertArmError(bad, 400, "ValidationError").details[0]?.target, "state");
    await put(h, `${SHORT}/products/unlimited`, { properties: { displayName: "Unlimited", state: "published" } });
    const list = await h.call<Page>("GET", `${SHORT}/products?$filter=${encodeURIComponent("state eq 'published'")}`);
    assert.deepEqual(
      list.json.value.map((p) => p.name),
      ["starter", "unlimited"],
    );
    assert.equal(
      assertArmError(await h.call("GET", `${SHORT}/products/nope`), 404, "ResourceNotFound").message,
      "Product not found.",
    );
  });

  test("linking APIs: PUT 201 then 200 (the API contract), list, DELETE 200 then 204", async () => {
    const link = await h.call<Resource>("PUT", `${ARM}/products/starter/apis/echo?api-version=2022-08-01`);
    assert.equal(link.status, 201, link.text);
    assert.equal(link.json.id, `${ARM}/products/starter/apis/echo`);
    assert.equal(link.json.type, "Microsoft.ApiManagement/service/products/apis");
    assert.equal(link.json.name, "echo");
    const api = await h.call<Resource>("GET", `${ARM}/apis/echo`);
    assert.deepEqual(link.json.properties, api.json.properties);
    assert.equal((await h.call("PUT", `${SHORT}/products/starter/apis/echo`, { body: {} })).status, 200);
    assert.equal((await h.call("PUT", `${SHORT}/products/starter/apis/orders`)).status, 201);

    const listed = await h.call<Page>("GET", `${SHORT}/products/starter/apis`);
    assert.deepEqual(
      listed.json.value.map((a) => a.id),
      ["/gateway/products/starter/apis/echo", "/gateway/products/starter/apis/orders"],
    );
    assert.equal(listed.json.count, 2);
    assert.equal(
      assertArmError(await h.call("PUT", `${SHORT}/products/starter/apis/nope`), 404, "ResourceNotFound").message,
      "Api not found.",
    );
    assert.equal(
      assertArmError(await h.call("GET", `${SHORT}/products/nope/apis`), 404, "ResourceNotFound").message,
      "Product not found.",
    );
    assertArmError(await h.call("GET", `${SHORT}/products/starter/apis/echo`), 405, "MethodNotAllowed");

    assert.equal((await h.call("DELETE", `${SHORT}/products/starter/apis/orders`)).status, 200);
    assert.equal((await h.call("DELETE", `${SHORT}/products/starter/apis/orders`)).status, 204);
    assert.equal((await h.call<Page>("GET", `${SHORT}/products/starter/apis`)).json.count, 1);
  });
});

describe("ARM subscriptions", () => {
  test("PUT generates keys that GET never shows; listSecrets returns them", async () => {
    const created = await put(h, `${ARM}/subscriptions/demo`, {
      properties: {
        displayName: "Demo",
        scope: `${ARM}/products/starter`,
        ownerId: "/users/1",
      },
    });
    assert.deepEqual(created, {
      id: `${ARM}/subscriptions/demo`,
      type: "Microsoft.ApiManagement/service/subscriptions",
      name: "demo",
      properties: {
        scope: "/products/starter",
        ownerId: "/users/1",
        displayName: "Demo",
        state: "active",
        allowTracing: false,
        createdDate: created.properties.createdDate,
        startDate: null,
        expirationDate: null,
      },
    });
    assert.ok(!Number.isNaN(Date.parse(String(created.properties.createdDate))));

    const secrets = await h.call<{ primaryKey: string; secondaryKey: string }>(
      "POST",
      `${ARM}/subscriptions/demo/listSecrets?api-version=2022-08-01`,
    );
    assert.equal(secrets.status, 200, secrets.text);
    assert.deepEqual(Object.keys(secrets.json), ["primaryKey", "secondaryKey"]);
    assert.match(secrets.json.primaryKey, KEY);
    assert.match(secrets.json.secondaryKey, KEY);
    assert.notEqual(secrets.json.primaryKey, secrets.json.secondaryKey);
    assert.equal(secrets.headers.get("cache-control"), "no-store");

    const read = await h.call("GET", `${SHORT}/subscriptions/demo`);
    const list = await h.call("GET", `${SHORT}/subscriptions`);
    for (const response of [read, list]) {
      assert.equal(response.status, 200);
      assert.ok(!response.text.includes(secrets.json.primaryKey), "no key on GET");
      assert.ok(!response.text.includes(secrets.json.secondaryKey), "no key on GET");
      assert.doesNotMatch(response.text, /primaryKey|secondaryKey/);
    }
  });

  test("regenerating a key changes it and only it", async () => {
    const keys = async () =>
      (await h.call<{ primaryKey: string; secondaryKey: string }>("POST", `${SHORT}/subscriptions/demo/listSecrets`))
        .json;
    const before = await keys();
    const primary = await h.call("POST", `${SHORT}/subscriptions/demo/regeneratePrimaryKey`);
    assert.equal(primary.status, 204, primary.text);
    assert.equal(primary.text, "");
    const afterPrimary = await keys();
    assert.match(afterPrimary.primaryKey, KEY);
    assert.notEqual(afterPrimary.primaryKey, before.primaryKey);
    assert.equal(afterPrimary.secondaryKey, before.secondaryKey);
    assert.equal((await h.call("POST", `${SHORT}/subscriptions/demo/regenerateSecondaryKey`)).status, 204);
    const afterSecondary = await keys();
    assert.equal(afterSecondary.primaryKey, afterPrimary.primaryKey);
    assert.notEqual(afterSecondary.secondaryKey, before.secondaryKey);
    assert.equal(
      assertArmError(await h.call("POST", `${SHORT}/subscriptions/nope/regeneratePrimaryKey`), 404, "ResourceNotFound")
        .message,
      "Subscription not found.",
    );
    assertArmError(await h.call("POST", `${SHORT}/subscriptions/nope/listSecrets`), 404, "ResourceNotFound");
  });

  test("given keys, scopes in every form, PATCH, state and validation", async () => {
    const all = await put(h, `${SHORT}/subscriptions/all-apis`, {
      properties: {
        displayName: "All",
        scope: "/apis",
        primaryKey: "primary-key-0001-abcd",
        secondaryKey: "secondary-key-0001-abcd",
      },
    });
    assert.equal(all.properties.scope, "/apis");
    const one = await put(h, `${SHORT}/subscriptions/one-api`, {
      properties: { displayName: "One", scope: `${ARM}/apis/echo`, state: "suspended", allowTracing: true },
    });
    assert.deepEqual(
      [one.properties.scope, one.properties.state, one.properties.allowTracing],
      ["/apis/echo", "suspended", true],
    );
    const keys = await h.call("POST", `${SHORT}/subscriptions/all-apis/listSecrets`);
    assert.deepEqual(keys.json, { primaryKey: "primary-key-0001-abcd", secondaryKey: "secondary-key-0001-abcd" });

    const patched = await h.call<Resource>("PATCH", `${SHORT}/subscriptions/one-api`, {
      body: {
        properties: { state: "active", expirationDate: "2030-01-01T00:00:00Z", primaryKey: "patched-key-0001-abcd" },
      },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(
      [patched.json.properties.state, patched.json.properties.expirationDate, patched.json.properties.scope],
      ["active", "2030-01-01T00:00:00.000Z", "/apis/echo"],
    );
    assert.doesNotMatch(patched.text, /patched-key-0001-abcd/);
    const patchedKeys = await h.call<{ primaryKey: string }>("POST", `${SHORT}/subscriptions/one-api/listSecrets`);
    assert.equal(patchedKeys.json.primaryKey, "patched-key-0001-abcd");

    const filtered = await h.call<Page>(
      "GET",
      `${SHORT}/subscriptions?$filter=${encodeURIComponent("scope eq '/apis'")}`,
    );
    assert.deepEqual(
      filtered.json.value.map((s) => s.name),
      ["all-apis"],
    );

    const badScope = await h.call("PUT", `${SHORT}/subscriptions/x`, {
      body: { properties: { displayName: "X", scope: "/groups/g" } },
    });
    assert.equal(assertArmError(badScope, 400, "ValidationError").details[0]?.target, "scope");
    const noScope = await h.call("PUT", `${SHORT}/subscriptions/x`, { body: { properties: { displayName: "X" } } });
    assert.equal(assertArmError(noScope, 400, "ValidationError").message, "Property 'scope' is required.");
    const taken = await h.call("PUT", `${SHORT}/subscriptions/x`, {
      body: { properties: { displayName: "X", scope: "/apis", primaryKey: "primary-key-0001-abcd" } },
    });
    const conflict = assertArmError(taken, 409, "Conflict");
    assert.doesNotMatch(conflict.message, /primary-key-0001-abcd/, "the key is not echoed");
    const missingProduct = await h.call("PUT", `${SHORT}/subscriptions/x`, {
      body: { properties: { displayName: "X", scope: "/products/nope" } },
    });
    assert.equal(assertArmError(missingProduct, 400, "ValidationError").details[0]?.target, "scope");

    assert.equal((await h.call("DELETE", `${SHORT}/subscriptions/one-api`)).status, 200);
    assert.equal((await h.call("DELETE", `${SHORT}/subscriptions/one-api`)).status, 204);
  });
});

describe("ARM named values", () => {
  test("plain values are shown; secret ones only through listValue", async () => {
    const plain = await put(h, `${ARM}/namedValues/tenant-id`, {
      properties: { displayName: "TenantId", value: "contoso", tags: ["ids"] },
    });
    assert.deepEqual(plain, {
      id: `${ARM}/namedValues/tenant-id`,
      type: "Microsoft.ApiManagement/service/namedValues",
      name: "tenant-id",
      properties: { displayName: "TenantId", value: "contoso", secret: false, tags: ["ids"] },
    });
    const secret = await put(h, `${SHORT}/namedValues/backend-key`, {
      properties: { displayName: "backend-key", value: "s3cr3t-value", secret: true },
    });
    assert.deepEqual(secret.properties, { displayName: "backend-key", secret: true, tags: [] });

    for (const path of [`${SHORT}/namedValues/backend-key`, `${SHORT}/namedValues`]) {
      const response = await h.call("GET", path);
      assert.equal(response.status, 200);
      assert.doesNotMatch(response.text, /s3cr3t-value/);
    }
    const list = await h.call<Page>("GET", `${SHORT}/namedValues`);
    assert.deepEqual(
      list.json.value.map((nv) => [nv.name, nv.properties.value]),
      [
        ["backend-key", undefined],
        ["tenant-id", "contoso"],
      ],
    );
    const value = await h.call("POST", `${SHORT}/namedValues/backend-key/listValue`);
    assert.equal(value.status, 200);
    assert.deepEqual(value.json, { value: "s3cr3t-value" });
    assert.equal(value.headers.get("cache-control"), "no-store");
    assert.deepEqual((await h.call("POST", `${SHORT}/namedValues/tenant-id/listValue`)).json, { value: "contoso" });

    const hidden = await h.call<Resource>("PATCH", `${SHORT}/namedValues/tenant-id`, {
      body: { properties: { secret: true } },
    });
    assert.deepEqual(hidden.json.properties, { displayName: "TenantId", secret: true, tags: ["ids"] });
    assert.deepEqual((await h.call("POST", `${SHORT}/namedValues/tenant-id/listValue`)).json, { value: "contoso" });
    assertArmError(await h.call("POST", `${SHORT}/namedValues/nope/listValue`), 404, "ResourceNotFound");
  });

  test("validation, and a named value a policy uses cannot be deleted", async () => {
    const badName = await h.call("PUT", `${SHORT}/namedValues/x`, {
      body: { properties: { displayName: "has space", value: "v" } },
    });
    assert.equal(assertArmError(badName, 400, "ValidationError").details[0]?.target, "displayName");
    assertArmError(
      await h.call("PUT", `${SHORT}/namedValues/x`, { body: { properties: { displayName: "x" } } }),
      400,
      "ValidationError",
    );
    const policy = `<policies><inbound><set-header name="x-key" exists-action="override"><value>{{backend-key}}</value></set-header></inbound></policies>`;
    await put(h, `${SHORT}/apis/echo/policies/policy`, { properties: { value: policy } });
    assertArmError(await h.call("DELETE", `${SHORT}/namedValues/backend-key`), 409, "Conflict");
    await h.call("DELETE", `${SHORT}/apis/echo/policies/policy`);
    assert.equal((await h.call("DELETE", `${SHORT}/namedValues/backend-key`)).status, 200);
    assert.equal(
      assertArmError(await h.call("GET", `${SHORT}/namedValues/backend-key`), 404, "ResourceNotFound").message,
      "NamedValue not found.",
    );
  });
});

describe("ARM backends", () => {
  test("CRUD with credentials and TLS settings", async () => {
    const created = await put(h, `${ARM}/backends/numbers`, {
      properties: {
        url: "http://127.0.0.1:7001/soap",
        protocol: "soap",
        title: "Numbers",
        credentials: { header: { "x-key": ["{{tenant-id}}"] } },
      },
    });
    assert.deepEqual(created, {
      id: `${ARM}/backends/numbers`,
      type: "Microsoft.ApiManagement/service/backends",
      name: "numbers",
      properties: {
        url: "http://127.0.0.1:7001/soap",
        protocol: "soap",
        title: "Numbers",
        description: null,
        credentials: { header: { "x-key": ["{{tenant-id}}"] } },
        tls: { validateCertificateChain: true, validateCertificateName: true },
      },
    });
    const patched = await h.call<Resource>("PATCH", `${SHORT}/backends/numbers`, {
      body: { properties: { tls: { validateCertificateChain: false }, description: "SOAP" } },
    });
    assert.deepEqual(patched.json.properties, {
      ...created.properties,
      description: "SOAP",
      tls: { validateCertificateChain: false, validateCertificateName: true },
    });
    const bad = await h.call("PUT", `${SHORT}/backends/x`, {
      body: { properties: { url: "ftp://x", protocol: "http" } },
    });
    assert.equal(assertArmError(bad, 400, "ValidationError").details[0]?.target, "url");
    assert.equal((await h.call<Page>("GET", `${SHORT}/backends`)).json.count, 1);
    assert.equal((await h.call("DELETE", `${SHORT}/backends/numbers`)).status, 200);
    assert.equal(
      assertArmError(await h.call("GET", `${SHORT}/backends/numbers`), 404, "ResourceNotFound").message,
      "Backend not found.",
    );
  });
});
