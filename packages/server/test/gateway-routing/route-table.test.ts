import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_KEY_NAMES, type Api } from "../../src/gateway/model/apis/types.js";
import type { Operation } from "../../src/gateway/model/operations/types.js";
import { RouteTable } from "../../src/gateway/routing/route-table.js";
import { UrlTemplate, UrlTemplateError } from "../../src/gateway/routing/url-template.js";

const api = (name: string, path: string, apiType: Api["apiType"] = "http"): Api => ({
  name,
  displayName: name,
  description: null,
  path,
  serviceUrl: "http://127.0.0.1:1",
  protocols: ["https"],
  apiType,
  subscriptionRequired: true,
  subscriptionKeyParameterNames: DEFAULT_KEY_NAMES,
});

const op = (apiName: string, name: string, method: string, urlTemplate: string): Operation => ({
  api: apiName,
  name,
  displayName: name,
  method,
  urlTemplate,
  description: null,
  templateParameters: [],
  request: { queryParameters: [], headers: [], representations: [] },
  responses: [],
});

function table(apis: { api: Api; operations: Operation[] }[]): RouteTable<string> {
  const routes = new RouteTable<string>();
  for (const entry of apis)
    routes.add(
      entry.api,
      entry.operations.map((o) => ({ operation: o, value: o.name })),
    );
  return routes;
}

const request = (method: string, url: string, soapAction?: string) => {
  const [path = "", query = ""] = url.split("?");
  return { method, path, query: new URLSearchParams(query), soapAction };
};

describe("route table", () => {
  const routes = table([
    {
      api: api("users", "users"),
      operations: [
        op("users", "list", "GET", "/"),
        op("users", "one", "GET", "/{id}"),
        op("users", "me", "GET", "/me"),
        op("users", "orders", "GET", "/{id}/orders/{orderId}"),
        op("users", "files", "GET", "/{id}/files/*"),
        op("users", "search", "GET", "/search?q={term}&kind=full"),
        op("users", "create", "POST", "/"),
      ],
    },
    { api: api("deep", "v1/deep/api"), operations: [op("deep", "any", "GET", "/*")] },
    { api: api("root", ""), operations: [op("root", "health", "GET", "/health")] },
    {
      api: api("numbers", "numbers", "soap"),
      operations: [
        op("numbers", "words", "POST", "/?soapAction=http://www.dataaccess.com/webservicesserver/NumberToWords"),
        op("numbers", "anything", "POST", "/?soapAction={action}"),
      ],
    },
  ]);

  it("finds the API by its path suffix, case-insensitively, and the operation by method and template", () => {
    assert.equal(routes.match(request("GET", "/users"))?.operation.value, "list");
    assert.equal(routes.match(request("GET", "/Users/"))?.operation.value, "list");
    assert.equal(routes.match(request("POST", "/users"))?.operation.value, "create");
    const one = routes.match(request("GET", "/users/42"));
    assert.equal(one?.operation.value, "one");
    assert.equal(one?.params.get("id"), "42");
    assert.equal(one?.path, "/42");
  });

  it("prefers literal segments over parameters, parameters over wildcards", () => {
    assert.equal(routes.match(request("GET", "/users/me"))?.operation.value, "me");
    const orders = routes.match(request("GET", "/users/7/orders/9"));
    assert.deepEqual(
      [...(orders?.params ?? [])],
      [
        ["id", "7"],
        ["orderId", "9"],
      ],
    );
    const files = routes.match(request("GET", "/users/7/files/a/b.txt"));
    assert.equal(files?.operation.value, "files");
    assert.equal(files?.path, "/7/files/a/b.txt");
  });

  it("matches query parts of templates, capturing parameters and requiring literals", () => {
    const found = routes.match(request("GET", "/users/search?kind=full&q=ada"));
    assert.equal(found?.operation.value, "search");
    assert.equal(found?.params.get("term"), "ada");
    // Without the literal query value the template does not match; `/{id}` does.
    assert.equal(routes.match(request("GET", "/users/search?q=ada"))?.operation.value, "one");
  });

  it("decodes parameters and keeps the encoded path for the backend", () => {
    const found = routes.match(request("GET", "/users/a%20b"));
    assert.equal(found?.params.get("id"), "a b");
    assert.equal(found?.path, "/a%20b");
  });

  it("routes multi-segment API paths and the empty API path", () => {
    assert.equal(routes.match(request("GET", "/v1/deep/api/x/y"))?.operation.value, "any");
    assert.equal(routes.match(request("GET", "/health"))?.operation.value, "health");
    assert.equal(routes.match(request("GET", "/nothing-here")), undefined);
    assert.equal(routes.match(request("DELETE", "/users/1")), undefined);
  });

  it("matches SOAP pass-through operations by SOAPAction, a literal action before a captured one", () => {
    const words = routes.match(
      request("POST", "/numbers", "http://www.dataaccess.com/webservicesserver/NumberToWords"),
    );
    assert.equal(words?.operation.value, "words");
    const other = routes.match(request("POST", "/numbers", "urn:other"));
    assert.equal(other?.operation.value, "anything");
    assert.equal(other?.params.get("action"), "urn:other");
    assert.equal(routes.match(request("POST", "/numbers")), undefined);
  });

  it("rejects templates with a wildcard before the end or a malformed parameter", () => {
    assert.throws(() => UrlTemplate.parse("/a/*/b", false), UrlTemplateError);
    assert.throws(() => UrlTemplate.parse("/a/{b", false), UrlTemplateError);
  });

  it("routes correctly among 5,000 APIs", () => {
    const many = new RouteTable<string>();
    for (let i = 0; i < 5000; i++) {
      const a = api(`api-${i}`, `api-${i}`);
      many.add(a, [{ operation: op(a.name, "get", "GET", "/items/{id}"), value: `api-${i}` }]);
    }
    assert.equal(many.size, 5000);
    assert.equal(many.match(request("GET", "/api-4321/items/1"))?.operation.value, "api-4321");
    assert.equal(many.match(request("GET", "/api-0/items/1"))?.operation.value, "api-0");
  });
});
