import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startAdminHarness, type AdminHarness } from "../admin/helpers.js";
import { ARM, assertArmError, put, SHORT, type Page, type Resource } from "./helpers.js";

let h: AdminHarness;
before(async () => {
  h = await startAdminHarness();
});
after(async () => {
  await h.close();
});

const DEFAULT_KEY_NAMES = { header: "Ocp-Apim-Subscription-Key", query: "subscription-key" };

describe("ARM apis and operations", () => {
  test("a property Gatehouse does not model is refused naming it, unless its value means 'not used'", async () => {
    const base = { displayName: "Versioned", path: "versioned" };
    for (const [name, value] of [
      ["apiVersionSetId", "/apiVersionSets/orders"],
      ["apiVersion", "v2"],
      ["apiRevision", "3"],
      ["isCurrent", false],
      ["sourceApiId", "/apis/echo"],
      ["authenticationSettings", { oAuth2: { authorizationServerId: "contoso" } }],
    ] as const) {
      const response = await h.call("PUT", `${SHORT}/apis/versioned`, {
        body: { properties: { ...base, [name]: value } },
      });
      const error = assertArmError(response, 400, "ValidationError");
      assert.equal(error.details[0]?.target, name, response.text);
      assert.match(error.details[0]?.message ?? "", new RegExp(`Property '${name}' is not supported`));
    }
    assert.equal((await h.call("GET", `${SHORT}/apis/versioned`)).status, 404, "nothing was stored");
    const created = await put(h, `${SHORT}/apis/versioned`, {
      properties: {
        ...base,
        apiVersionSetId: null,
        apiRevision: "1",
        isCurrent: true,
        authenticationSettings: { oAuth2: null, openid: null, oAuth2AuthenticationSettings: [] },
      },
    });
    assert.equal(created.name, "versioned");
    const patched = await h.call("PATCH", `${SHORT}/apis/versioned`, { body: { properties: { apiVersion: "v2" } } });
    assert.equal(assertArmError(patched, 400, "ValidationError").details[0]?.target, "apiVersion");
    assert.equal((await h.call("DELETE", `${SHORT}/apis/versioned`)).status, 200);
  });

  test("PUT creates (201) then replaces (200), in APIM's envelope on either prefix", async () => {
    const created = await put(h, `${ARM}/apis/echo?api-version=2022-08-01`, {
      properties: {
        displayName: "Echo API",
        path: "echo",
        serviceUrl: "http://127.0.0.1:7001/api",
        protocols: ["https"],
      },
    });
    assert.deepEqual(created, {
      id: `${ARM}/apis/echo`,
      type: "Microsoft.ApiManagement/service/apis",
      name: "echo",
      properties: {
        displayName: "Echo API",
        apiRevision: "1",
        description: null,
        subscriptionRequired: true,
        serviceUrl: "http://127.0.0.1:7001/api",
        path: "echo",
        protocols: ["https"],
        subscriptionKeyParameterNames: DEFAULT_KEY_NAMES,
        isCurrent: true,
        type: "http",
      },
    });

    // What a client read, sent back with its read-only properties: accepted, and a replace (absent → defaults).
    const replaced = await put(
      h,
      `${SHORT}/apis/echo`,
      {
        ...created,
        properties: { ...created.properties, serviceUrl: null, subscriptionRequired: false, type: "soap" },
      },
      200,
    );
    assert.equal(replaced.id, "/gateway/apis/echo");
    assert.deepEqual(replaced.properties, {
      ...created.properties,
      serviceUrl: null,
      subscriptionRequired: false,
      type: "soap",
    });

    const read = await h.call<Resource>("GET", `${ARM}/apis/echo`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.json, { ...replaced, id: `${ARM}/apis/echo` });
    assert.equal(read.headers.get("etag"), (await h.call("HEAD", `${SHORT}/apis/echo`)).headers.get("etag"));
  });

  test("the ARM prefix takes any subscription, group and service, in any case", async () => {
    const other = "/SUBSCRIPTIONS/abc/resourcegroups/other-rg/providers/microsoft.apimanagement/service/svc-2";
    const read = await h.call<Resource>("GET", `${other}/apis/echo?api-version=2024-05-01`);
    assert.equal(read.status, 200, read.text);
    assert.equal(
      read.json.id,
      "/subscriptions/abc/resourceGroups/other-rg/providers/Microsoft.ApiManagement/service/svc-2/apis/echo",
    );
  });

  test("PATCH changes only what it names; apiType is accepted as type's alias", async () => {
    const before = (await h.call<Resource>("GET", `${SHORT}/apis/echo`)).json;
    const patched = await h.call<Resource>("PATCH", `${SHORT}/apis/echo`, {
      body: {
        properties: {
          description: "Echoes",
          apiType: "http",
          subscriptionKeyParameterNames: { header: "X-Key", query: "key" },
        },
      },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(patched.json.properties, {
      ...before.properties,
      description: "Echoes",
      type: "http",
      subscriptionKeyParameterNames: { header: "X-Key", query: "key" },
    });
    const disagree = await h.call("PATCH", `${SHORT}/apis/echo`, {
      body: { properties: { type: "soap", apiType: "http" } },
    });
    assert.equal(assertArmError(disagree, 400, "ValidationError").details[0]?.target, "type");
    assert.equal((await h.call("PATCH", `${SHORT}/apis/echo`, { body: {} })).status, 200, "no properties: no change");
  });

  test("lists: count, $top/$skip with nextLink, $filter on name and displayName", async () => {
    for (const [name, displayName] of [
      ["orders", "Orders"],
      ["orders-v2", "Orders v2"],
      ["users", "Users"],
    ] as const) {
      await put(h, `${SHORT}/apis/${name}`, { properties: { displayName, path: name } });
    }
    const all = await h.call<Page>("GET", `${ARM}/apis?api-version=2022-08-01`);
    assert.deepEqual(
      all.json.value.map((a) => a.name),
      ["echo", "orders", "orders-v2", "users"],
    );
    assert.equal(all.json.count, 4);
    assert.equal(all.json.nextLink, null);
    assert.deepEqual(all.json.value[1], {
      id: `${ARM}/apis/orders`,
      type: "Microsoft.ApiManagement/service/apis",
      name: "orders",
      properties: {
        displayName: "Orders",
        apiRevision: "1",
        description: null,
        subscriptionRequired: true,
        serviceUrl: null,
        path: "orders",
        protocols: ["https"],
        subscriptionKeyParameterNames: DEFAULT_KEY_NAMES,
        isCurrent: true,
        type: "http",
      },
    });

    const first = await h.call<Page>("GET", `${SHORT}/apis?$top=3&api-version=1`);
    assert.deepEqual(
      first.json.value.map((a) => a.name),
      ["echo", "orders", "orders-v2"],
    );
    assert.equal(first.json.count, 4);
    const next = new URL(first.json.nextLink ?? "");
    assert.equal(next.searchParams.get("$skip"), "3");
    assert.equal(next.searchParams.get("$top"), "3");
    const second = await h.call<Page>("GET", `${next.pathname}${next.search}`);
    assert.deepEqual(
      second.json.value.map((a) => a.name),
      ["users"],
    );
    assert.equal(second.json.nextLink, null);

    const filtered = async (filter: string) =>
      (await h.call<Page>("GET", `${SHORT}/apis?$filter=${encodeURIComponent(filter)}`)).json.value.map((a) => a.name);
    assert.deepEqual(await filtered("contains(displayName,'ORDERS')"), ["orders", "orders-v2"]);
    assert.deepEqual(await filtered("name eq 'orders'"), ["orders"]);
    assert.deepEqual(await filtered("startswith(name,'orders') and name ne 'orders'"), ["orders-v2"]);
    assert.deepEqual(await filtered("endswith(displayName, ' V2')"), ["orders-v2"]);
    const bad = await h.call("GET", `${SHORT}/apis?$filter=${encodeURIComponent("serviceUrl gt 'x'")}`);
    assert.equal(assertArmError(bad, 400, "ValidationError").details[0]?.target, "$filter");
    assertArmError(await h.call("GET", `${SHORT}/apis?$top=0`), 400, "ValidationError");
  });

  test("operations: CRUD below their API, template parameters completed from the URL template", async () => {
    const op = await put(h, `${ARM}/apis/orders/operations/get-order`, {
      properties: {
        displayName: "Get order",
        method: "GET",
        urlTemplate: "/orders/{orderId}/lines/{line}",
        templateParameters: [{ name: "orderid", type: "integer", required: true, description: "The order" }],
        request: { queryParameters: [{ name: "expand", type: "boolean", values: ["true", "false"] }] },
        responses: [
          {
            statusCode: 200,
            description: "The order",
            representations: [{ contentType: "application/json", examples: { default: { value: { id: 1 } } } }],
          },
        ],
      },
    });
    assert.deepEqual(op, {
      id: `${ARM}/apis/orders/operations/get-order`,
      type: "Microsoft.ApiManagement/service/apis/operations",
      name: "get-order",
      properties: {
        displayName: "Get order",
        method: "GET",
        urlTemplate: "/orders/{orderId}/lines/{line}",
        templateParameters: [
          { name: "orderId", type: "integer", required: true, description: "The order", values: [] },
          { name: "line", type: "string", required: true, values: [] },
        ],
        description: null,
        request: {
          queryParameters: [{ name: "expand", type: "boolean", required: false, values: ["true", "false"] }],
          headers: [],
          representations: [],
        },
        responses: [
          {
            statusCode: 200,
            description: "The order",
            representations: [{ contentType: "application/json", examples: { default: { value: { id: 1 } } } }],
            headers: [],
          },
        ],
      },
    });
    await put(h, `${SHORT}/apis/orders/operations/create`, {
      properties: { displayName: "Create", method: "post", urlTemplate: "/orders" },
    });
    const list = await h.call<Page>("GET", `${SHORT}/apis/orders/operations`);
    assert.deepEqual(
      list.json.value.map((o) => [o.name, o.properties.method]),
      [
        ["create", "POST"],
        ["get-order", "GET"],
      ],
    );
    const patched = await h.call<Resource>("PATCH", `${SHORT}/apis/orders/operations/create`, {
      body: { properties: { description: "Places an order" } },
    });
    assert.equal(patched.json.properties.description, "Places an order");
    assert.equal(patched.json.properties.urlTemplate, "/orders");

    const stray = await h.call("PUT", `${SHORT}/apis/orders/operations/stray`, {
      body: {
        properties: {
          displayName: "Stray",
          method: "GET",
          urlTemplate: "/stray",
          templateParameters: [{ name: "id", type: "string" }],
        },
      },
    });
    assert.deepEqual(assertArmError(stray, 400, "ValidationError").details, [
      {
        code: "ValidationError",
        target: "templateParameters[0].name",
        message: "templateParameters[0].name 'id' is not a parameter of the URL template.",
      },
    ]);
    // A new template keeps the parameters the old one had that it still names.
    const moved = await h.call<Resource>("PATCH", `${SHORT}/apis/orders/operations/get-order`, {
      body: { properties: { urlTemplate: "/orders/{orderId}" } },
    });
    assert.deepEqual(moved.json.properties.templateParameters, [
      { name: "orderId", type: "integer", required: true, description: "The order", values: [] },
    ]);

    const twin = await h.call("PUT", `${SHORT}/apis/orders/operations/create-again`, {
      body: { properties: { displayName: "Again", method: "POST", urlTemplate: "/orders" } },
    });
    assert.match(assertArmError(twin, 409, "Conflict").message, /already has method POST/);
    assert.equal(
      assertArmError(await h.call("GET", `${SHORT}/apis/missing/operations`), 404, "ResourceNotFound").message,
      "Api not found.",
    );
    assert.equal(
      assertArmError(await h.call("GET", `${SHORT}/apis/orders/operations/nope`), 404, "ResourceNotFound").message,
      "Operation not found.",
    );
    const missingApi = await h.call("PUT", `${SHORT}/apis/missing/operations/x`, {
      body: { properties: { displayName: "X", method: "GET", urlTemplate: "/" } },
    });
    assert.equal(assertArmError(missingApi, 404, "ResourceNotFound").message, "Api not found.");

    assert.equal((await h.call("DELETE", `${SHORT}/apis/orders/operations/create`)).status, 200);
    assert.equal((await h.call("DELETE", `${SHORT}/apis/orders/operations/create`)).status, 204);
  });

  test("DELETE: 200, then 204 when there is nothing left; the API's operations go with it", async () => {
    const deleted = await h.call("DELETE", `${SHORT}/apis/orders`, { headers: { "if-match": "*" } });
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal(deleted.text, "");
    assert.equal((await h.call("DELETE", `${SHORT}/apis/orders`)).status, 204);
    assertArmError(await h.call("GET", `${SHORT}/apis/orders`), 404, "ResourceNotFound");
    await put(h, `${SHORT}/apis/orders`, { properties: { displayName: "Orders", path: "orders" } });
    assert.equal((await h.call<Page>("GET", `${SHORT}/apis/orders/operations`)).json.count, 0);
  });

  test("ETags: If-Match * or the current tag passes; a stale one is 412 on PUT, PATCH and DELETE", async () => {
    const first = await h.call("GET", `${SHORT}/apis/users`);
    const stale = first.headers.get("etag") ?? "";
    const patched = await h.call("PATCH", `${SHORT}/apis/users`, {
      body: { properties: { description: "People" } },
      headers: { "if-match": stale },
    });
    assert.equal(patched.status, 200, patched.text);
    const current = patched.headers.get("etag") ?? "";
    assert.notEqual(current, stale);

    const body = { properties: { displayName: "Users", path: "users" } };
    for (const [method, options] of [
      ["PUT", { body }],
      ["PATCH", { body }],
      ["DELETE", {}],
    ] as const) {
      const refused = await h.call(method, `${SHORT}/apis/users`, { ...options, headers: { "if-match": stale } });
      assertArmError(refused, 412, "PreconditionFailed");
    }
    assert.equal((await h.call<Resource>("GET", `${SHORT}/apis/users`)).json.properties.description, "People");
    const replaced = await h.call("PUT", `${SHORT}/apis/users`, { body, headers: { "if-match": current } });
    assert.equal(replaced.status, 200, replaced.text);
    const creating = await h.call("PUT", `${SHORT}/apis/new-one`, {
      body: { properties: { displayName: "New", path: "new" } },
      headers: { "if-match": current },
    });
    assertArmError(creating, 412, "PreconditionFailed");
  });

  test("validation: required and mistyped properties, names, duplicate path, malformed JSON", async () => {
    const missing = assertArmError(
      await h.call("PUT", `${SHORT}/apis/x`, { body: { properties: { path: "x" } } }),
      400,
      "ValidationError",
    );
    assert.deepEqual(missing.details, [
      { code: "ValidationError", target: "displayName", message: "Property 'displayName' is required." },
    ]);
    assert.equal(missing.message, "Property 'displayName' is required.");

    const mistyped = assertArmError(
      await h.call("PUT", `${SHORT}/apis/x`, {
        body: { properties: { displayName: "X", path: "x", subscriptionRequired: "yes", protocols: ["ftp"] } },
      }),
      400,
      "ValidationError",
    );
    assert.deepEqual(
      mistyped.details.map((d) => d.target),
      ["protocols[0]", "subscriptionRequired"].sort(),
    );
    assert.match(mistyped.message, /^One or more fields contain incorrect values: /);

    assertArmError(await h.call("PUT", `${SHORT}/apis/x`, { body: { displayName: "X" } }), 400, "ValidationError");
    const badName = await h.call("PUT", `${SHORT}/apis/${"n".repeat(81)}`, {
      body: { properties: { displayName: "X", path: "long" } },
    });
    assertArmError(badName, 400, "ValidationError");
    const badUrl = await h.call("PUT", `${SHORT}/apis/x`, {
      body: { properties: { displayName: "X", path: "x", serviceUrl: "not a url" } },
    });
    assert.equal(assertArmError(badUrl, 400, "ValidationError").details[0]?.target, "serviceUrl");

    const duplicate = await h.call("PUT", `${SHORT}/apis/echo-2`, {
      body: { properties: { displayName: "E", path: "ECHO" } },
    });
    assert.match(assertArmError(duplicate, 409, "Conflict").message, /path 'ECHO'|'echo'/i);

    const malformed = await h.call("PUT", `${SHORT}/apis/x`, { rawBody: '{"properties": ' });
    assertArmError(malformed, 400, "ValidationError");
    const text = await h.call("PUT", `${SHORT}/apis/x`, {
      rawBody: "hello",
      headers: { "content-type": "text/plain" },
    });
    assert.match(assertArmError(text, 400, "ValidationError").message, /expected object/);
    const binary = await h.call("PUT", `${SHORT}/apis/x`, {
      rawBody: "hello",
      headers: { "content-type": "application/octet-stream" },
    });
    assertArmError(binary, 415, "UnsupportedMediaType");
  });

  test("routing errors: unknown paths 404, wrong methods 405, all in ARM's shape", async () => {
    for (const path of [`${SHORT}/nothing`, `${SHORT}/apis/echo/unknown`, `${ARM}/loggers`, `${ARM}/policies/other`]) {
      assertArmError(await h.call("GET", path), 404, "ResourceNotFound");
    }
    const wrong = assertArmError(await h.call("POST", `${SHORT}/apis/echo`), 405, "MethodNotAllowed");
    assert.equal(wrong.message, "The requested resource does not support http method 'POST'.");
    assertArmError(await h.call("PATCH", `${ARM}/apis`), 405, "MethodNotAllowed");
    // Graph routes keep Graph's errors.
    const graph = await h.call<{ error: { code: string } }>("GET", "/v1.0/nothing");
    assert.equal(graph.json.error.code, "Request_ResourceNotFound");
  });
});
