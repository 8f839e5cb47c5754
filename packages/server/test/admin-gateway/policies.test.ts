import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DEFAULT_GLOBAL_POLICY } from "../../src/gateway/model/policies/types.js";
import { startAdminHarness, type AdminHarness } from "../admin/helpers.js";
import { ARM, assertArmError, put, SHORT, type Page, type Resource } from "./helpers.js";

let h: AdminHarness;
before(async () => {
  h = await startAdminHarness();
  await put(h, `${SHORT}/apis/teapot`, {
    properties: { displayName: "Teapot", path: "teapot", protocols: ["http", "https"], subscriptionRequired: false },
  });
  await put(h, `${SHORT}/apis/teapot/operations/brew`, {
    properties: { displayName: "Brew", method: "GET", urlTemplate: "/brew" },
  });
  await put(h, `${SHORT}/products/starter`, { properties: { displayName: "Starter" } });
});
after(async () => {
  await h.close();
});

const TEAPOT = `<policies>
  <inbound>
    <base />
    <return-response>
      <set-status code="418" reason="I'm a teapot" />
    </return-response>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
</policies>`;

const PASS_THROUGH =
  "<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound></policies>";

type Policy = Resource<{ value: string; format: string }>;

describe("ARM policies", () => {
  test("the global policy is APIM's default until set; PUT replaces it (200), DELETE restores it", async () => {
    const initial = await h.call<Policy>("GET", `${ARM}/policies/policy?api-version=2022-08-01`);
    assert.equal(initial.status, 200, initial.text);
    assert.deepEqual(initial.json, {
      id: `${ARM}/policies/policy`,
      type: "Microsoft.ApiManagement/service/policies",
      name: "policy",
      properties: { value: DEFAULT_GLOBAL_POLICY, format: "xml" },
    });
    const list = await h.call<Page>("GET", `${ARM}/policies`);
    assert.deepEqual(list.json, { value: [initial.json], count: 1, nextLink: null });

    const global = PASS_THROUGH.replace("<backend><base /></backend>", "<backend><forward-request /></backend>");
    const replaced = await put<Policy["properties"]>(
      h,
      `${SHORT}/policies/policy`,
      { properties: { value: global } },
      200,
    );
    assert.deepEqual(replaced.properties, { value: global, format: "xml" });
    assert.equal((await h.call<Policy>("GET", `${SHORT}/policies/policy`)).json.properties.value, global);

    assert.equal((await h.call("DELETE", `${SHORT}/policies/policy`)).status, 200);
    assert.equal(
      (await h.call<Policy>("GET", `${SHORT}/policies/policy`)).json.properties.value,
      DEFAULT_GLOBAL_POLICY,
    );
    assert.equal((await h.call("DELETE", `${SHORT}/policies/policy`)).status, 204, "nothing set: nothing deleted");
  });

  test("API, operation and product policies: JSON or raw XML bodies, raw XML out, ?format=rawxml", async () => {
    const api = await put<Policy["properties"]>(h, `${ARM}/apis/teapot/policies/policy`, {
      properties: { value: PASS_THROUGH, format: "rawxml" },
    });
    assert.deepEqual(api, {
      id: `${ARM}/apis/teapot/policies/policy`,
      type: "Microsoft.ApiManagement/service/apis/policies",
      name: "policy",
      properties: { value: PASS_THROUGH, format: "rawxml" },
    });
    const operation = await h.call<Policy>("PUT", `${SHORT}/apis/teapot/operations/brew/policies/policy`, {
      rawBody: TEAPOT,
      headers: { "content-type": "application/vnd.ms-azure-apim.policy.raw+xml" },
    });
    assert.equal(operation.status, 201, operation.text);
    assert.deepEqual(operation.json.properties, { value: TEAPOT, format: "rawxml" });
    assert.equal(operation.json.type, "Microsoft.ApiManagement/service/apis/operations/policies");

    const product = await h.call<Policy>("PUT", `${SHORT}/products/starter/policies/policy`, {
      rawBody: PASS_THROUGH,
      headers: { "content-type": "application/xml; charset=utf-8" },
    });
    assert.equal(product.status, 201, product.text);
    assert.deepEqual(product.json.properties, { value: PASS_THROUGH, format: "xml" });
    assert.equal(product.json.id, "/gateway/products/starter/policies/policy");

    const raw = await h.call<Policy>("GET", `${SHORT}/apis/teapot/operations/brew/policies/policy?format=rawxml`);
    assert.deepEqual(raw.json.properties, { value: TEAPOT, format: "rawxml" });
    const xml = await h.call<Policy>("GET", `${SHORT}/apis/teapot/operations/brew/policies/policy`);
    assert.deepEqual(xml.json.properties, { value: TEAPOT, format: "xml" });
    assert.equal(raw.headers.get("etag"), xml.headers.get("etag"), "the tag is the document's, whatever the format");
    assertArmError(await h.call("GET", `${SHORT}/apis/teapot/policies/policy?format=xml-link`), 400, "ValidationError");

    const lists = await h.call<Page>("GET", `${SHORT}/apis/teapot/operations/brew/policies`);
    assert.deepEqual(
      lists.json.value.map((p) => p.name),
      ["policy"],
    );
    const again = await put(h, `${SHORT}/apis/teapot/policies/policy`, { properties: { value: PASS_THROUGH } }, 200);
    assert.deepEqual(again.properties, { value: PASS_THROUGH, format: "xml" });
  });

  test("a policy set through the admin API changes what the gateway answers", async () => {
    let status = 0;
    for (let i = 0; i < 40 && status !== 418; i++) {
      status = (await fetch(`${h.gatehouse.gatewayUrl}/teapot/brew`)).status;
      if (status !== 418) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(status, 418);
  });

  test("a document that does not load is refused with its line and column", async () => {
    const broken =
      '<policies>\n  <inbound>\n    <set-header name="x" exists-action="sometimes" />\n  </inbound>\n</policies>';
    const error = assertArmError(
      await h.call("PUT", `${SHORT}/apis/teapot/policies/policy`, { body: { properties: { value: broken } } }),
      400,
      "ValidationError",
    );
    assert.match(error.message, /line 3, column \d+/);
    assert.equal(error.details.length, 1);
    assert.match(error.details[0]?.message ?? "", /line 3, column \d+/);
    const unknown = assertArmError(
      await h.call("PUT", `${SHORT}/policies/policy`, {
        rawBody: "<policies>\n<inbound><no-such-policy /></inbound></policies>",
        headers: { "content-type": "application/vnd.ms-azure-apim.policy.raw+xml" },
      }),
      400,
      "ValidationError",
    );
    assert.match(unknown.message, /no-such-policy.*line 2, column \d+/);
    const malformed = assertArmError(
      await h.call("PUT", `${SHORT}/policies/policy`, { body: { properties: { value: "<policies><inbound>" } } }),
      400,
      "ValidationError",
    );
    assert.match(malformed.message, /line 1, column \d+/);
    assert.equal(
      (await h.call<Policy>("GET", `${SHORT}/apis/teapot/policies/policy`)).json.properties.value,
      PASS_THROUGH,
    );
  });

  test("bodies: link formats, a JSON string and a missing value are refused", async () => {
    const link = await h.call("PUT", `${SHORT}/apis/teapot/policies/policy`, {
      body: { properties: { value: "https://example.invalid/policy.xml", format: "xml-link" } },
    });
    assert.equal(assertArmError(link, 400, "ValidationError").details[0]?.target, "format");
    assertArmError(
      await h.call("PUT", `${SHORT}/apis/teapot/policies/policy`, { body: PASS_THROUGH }),
      400,
      "ValidationError",
    );
    assertArmError(
      await h.call("PUT", `${SHORT}/apis/teapot/policies/policy`, { body: { properties: { format: "xml" } } }),
      400,
      "ValidationError",
    );
  });

  test("missing owners and policies are 404; DELETE is 200 then 204; If-Match is honoured", async () => {
    assert.equal(
      assertArmError(await h.call("GET", `${SHORT}/apis/nope/policies/policy`), 404, "ResourceNotFound").message,
      "Api not found.",
    );
    assert.equal(
      assertArmError(
        await h.call("PUT", `${SHORT}/products/nope/policies/policy`, {
          body: { properties: { value: PASS_THROUGH } },
        }),
        404,
        "ResourceNotFound",
      ).message,
      "Product not found.",
    );
    assert.equal(
      assertArmError(await h.call("GET", `${SHORT}/apis/teapot/operations/nope/policies`), 404, "ResourceNotFound")
        .message,
      "Operation not found.",
    );

    const etag = (await h.call("GET", `${SHORT}/products/starter/policies/policy`)).headers.get("etag") ?? "";
    assertArmError(
      await h.call("DELETE", `${SHORT}/products/starter/policies/policy`, { headers: { "if-match": '"stale"' } }),
      412,
      "PreconditionFailed",
    );
    const deleted = await h.call("DELETE", `${SHORT}/products/starter/policies/policy`, {
      headers: { "if-match": etag },
    });
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal(
      assertArmError(await h.call("GET", `${SHORT}/products/starter/policies/policy`), 404, "ResourceNotFound").message,
      "Policy not found.",
    );
    assert.deepEqual((await h.call<Page>("GET", `${SHORT}/products/starter/policies`)).json, {
      value: [],
      count: 0,
      nextLink: null,
    });
    assert.equal((await h.call("DELETE", `${SHORT}/products/starter/policies/policy`)).status, 204);
  });
});
