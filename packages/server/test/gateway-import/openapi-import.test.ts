/**
 * OpenAPI 3.0 (YAML) and 3.1 (JSON) documents imported as API Management imports them: operation names, URL
 * templates with required query parameters, parameters by location, bodies with examples and schema references.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { importApiDocument, OPENAPI_COMPONENTS, type ImportedApi } from "../../src/gateway/model/apis/import/index.js";
import { fixture, importFixture, operation } from "./helpers.js";

describe("OpenAPI 3.0 YAML: the plant store", async () => {
  const api: ImportedApi = await importFixture("plant-store.openapi.yaml", "openapi");

  it("takes the title, description and first HTTPS server (variables at their defaults)", () => {
    assert.equal(api.displayName, "Greenhouse Plant Store");
    assert.equal(api.description, "Plants, their photos and the orders that ship them.");
    assert.equal(api.serviceUrl, "https://eu.plants.example.net/v1");
    assert.equal(api.apiType, "http");
    assert.deepEqual(api.document, { format: "openapi", text: fixture("plant-store.openapi.yaml") });
  });

  it("makes one operation per method, named from operationId as API Management normalises it", () => {
    assert.deepEqual(
      api.operations.map((o) => [o.name, o.method, o.urlTemplate, o.displayName]),
      [
        ["listplants", "GET", "/plants", "List plants"],
        ["addplant", "POST", "/plants", "Add a plant"],
        ["findplantsbylight", "GET", "/plants/findByLight?light={light}", "Find plants by light"],
        ["getplant", "GET", "/plants/{plantId}", "Get a plant"],
        ["updateplant", "PUT", "/plants/{plantId}", "Replace a plant"],
        ["delete-plants-plantid", "DELETE", "/plants/{plantId}", "Remove a plant"],
        ["checkplant", "HEAD", "/plants/{plantId}", "checkPlant"],
        ["uploadplantphoto", "POST", "/plants/{plantId}/photo", "Upload a photo"],
        ["place-order", "POST", "/orders", "Place an order"],
        ["getorder", "GET", "/orders/{orderId}", "Get an order"],
        ["getinventory", "GET", "/inventory", "Stock by light level"],
      ],
    );
    assert.equal(operation(api, "listplants").description, "Plants in stock, newest first.");
  });

  it("turns a required query parameter into a template parameter and keeps optional ones as query parameters", () => {
    const find = operation(api, "findplantsbylight");
    assert.deepEqual(find.templateParameters, [
      {
        name: "light",
        type: "string",
        required: true,
        description: "The light the plant needs.",
        values: ["low", "medium", "bright"],
      },
    ]);
    assert.deepEqual(find.request.queryParameters, [{ name: "petSafe", type: "boolean", required: false, values: [] }]);
  });

  it("resolves parameter $refs (also a $ref to a $ref) and path-level parameters", () => {
    const list = operation(api, "listplants");
    assert.deepEqual(list.request.queryParameters, [
      {
        name: "limit",
        type: "integer",
        required: false,
        description: "How many plants to return.",
        defaultValue: "20",
        values: [],
      },
      { name: "cursor", type: "string", required: false, description: "Where the page starts.", values: [] },
    ]);
    for (const name of ["getplant", "updateplant", "delete-plants-plantid", "uploadplantphoto"]) {
      assert.deepEqual(operation(api, name).templateParameters, [
        { name: "plantId", type: "integer", required: true, description: "The plant's number.", values: [] },
      ]);
    }
  });

  it("keeps header parameters and leaves cookie parameters out", () => {
    const order = operation(api, "getorder");
    assert.deepEqual(order.request.headers, [
      {
        name: "X-Request-Id",
        type: "string",
        required: false,
        description: "Correlates the call in the store's logs.",
        values: [],
      },
    ]);
    assert.deepEqual(order.request.queryParameters, []);
  });

  it("reads a request body $ref with its media types, example and schema reference", () => {
    assert.deepEqual(operation(api, "addplant").request, {
      description: "A new plant.",
      queryParameters: [],
      headers: [],
      representations: [
        {
          contentType: "application/json",
          examples: { default: { value: { name: "Snake plant", light: "low" } } },
          schemaId: "openapi-components",
          typeName: "Plant",
        },
        { contentType: "application/xml", schemaId: "openapi-components", typeName: "Plant" },
      ],
    });
  });

  it("keeps named examples (a $ref'd one too) and a schema's own example", () => {
    const [ok] = operation(api, "getplant").responses;
    assert.deepEqual(ok?.representations[0]?.examples, {
      fern: { value: { id: 17, name: "Boston fern", light: "low" }, description: "A fern" },
      cactus: { value: { id: 4, name: "Golden barrel cactus", light: "bright" }, description: "A cactus" },
    });
    const [order] = operation(api, "getorder").responses;
    assert.deepEqual(order?.representations[0]?.examples, {
      default: { value: { id: 9001, plantId: 17, quantity: 2, status: "placed" } },
    });
    const [inventory] = operation(api, "getinventory").responses;
    assert.deepEqual(inventory?.representations[0]?.examples, {
      default: { value: { low: 12, medium: 30, bright: 7 } },
    });
  });

  it("reads responses with headers and response $refs, and skips `default` (no status code to hold it)", () => {
    assert.deepEqual(operation(api, "addplant").responses, [
      {
        statusCode: 201,
        description: "Created",
        representations: [{ contentType: "application/json", schemaId: "openapi-components", typeName: "Plant" }],
        headers: [
          { name: "Location", type: "string", required: true, description: "Where the new plant is.", values: [] },
        ],
      },
      {
        statusCode: 400,
        description: "The plant is not valid",
        representations: [
          { contentType: "application/problem+json", schemaId: "openapi-components", typeName: "Problem" },
        ],
        headers: [],
      },
    ]);
    assert.deepEqual(
      operation(api, "listplants").responses.map((r) => r.statusCode),
      [200],
    );
  });

  it("discards the request body of GET, HEAD and OPTIONS operations", () => {
    assert.deepEqual(operation(api, "checkplant").request.representations, []);
  });

  it("derives form parameters from a multipart body's object schema", () => {
    const [photo] = operation(api, "uploadplantphoto").request.representations;
    assert.deepEqual(photo?.formParameters, [
      { name: "file", type: "string", required: true, description: "The image.", values: [] },
      { name: "caption", type: "string", required: false, values: [] },
    ]);
  });

  it("keeps the named schemas and adds inline body schemas under generated names", () => {
    assert.equal(api.schemas.length, 1);
    const [schema] = api.schemas;
    assert.equal(schema?.id, "openapi-components");
    assert.equal(schema?.contentType, OPENAPI_COMPONENTS);
    assert.ok(schema && "components" in schema.document);
    const names = Object.keys(schema.document.components.schemas);
    assert.deepEqual(names.slice(0, 5), ["Light", "Plant", "PlantPage", "Order", "Problem"]);
    assert.ok(names.includes("updateplant-request"));
    assert.ok(names.includes("findplantsbylight-response-200"));
    assert.deepEqual(operation(api, "updateplant").request.representations[0]?.typeName, "updateplant-request");
    // A recursive schema stays a reference to itself, never expanded.
    assert.deepEqual(
      (schema.document.components.schemas.Plant as { properties: { companions: unknown } }).properties.companions,
      { type: "array", items: { $ref: "#/components/schemas/Plant" } },
    );
  });

  it("with translateRequiredQueryParameters 'query', keeps required query parameters out of the template", async () => {
    const queried = await importFixture("plant-store.openapi.yaml", "openapi", {
      translateRequiredQueryParameters: "query",
    });
    const find = operation(queried, "findplantsbylight");
    assert.equal(find.urlTemplate, "/plants/findByLight");
    assert.deepEqual(find.templateParameters, []);
    assert.deepEqual(
      find.request.queryParameters.map((p) => [p.name, p.required]),
      [
        ["light", true],
        ["petSafe", false],
      ],
    );
  });

  it("reads the same document given as JSON with format openapi", async () => {
    const { parse } = await import("yaml");
    const json = JSON.stringify(parse(fixture("plant-store.openapi.yaml")));
    const fromJson = await importApiDocument({ format: "openapi", value: json });
    assert.deepEqual(fromJson.operations, api.operations);
    assert.deepEqual(fromJson.schemas, api.schemas);
  });
});

describe("OpenAPI 3.1 JSON: the bike share", async () => {
  const api: ImportedApi = await importFixture("bike-share.openapi.json", "openapi+json");

  it("reads the API and its operations, x-ms-paths included", () => {
    assert.equal(api.displayName, "Riverside Bike Share");
    assert.equal(api.description, undefined);
    assert.equal(api.serviceUrl, "https://api.bikes.example.org/share");
    assert.deepEqual(
      api.operations.map((o) => [o.name, o.method, o.urlTemplate]),
      [
        ["liststations", "GET", "/stations?near={near}"],
        ["getstation", "GET", "/stations/{stationId}"],
        ["listbikesatstation", "GET", "/stations/{stationId}/bikes?kind={kind}"],
        ["listrentals", "GET", "/rentals"],
        ["startrental", "POST", "/rentals"],
        ["cancelrental", "DELETE", "/rentals/{rentalId}"],
        ["endrental", "PATCH", "/rentals/{rentalId}"],
        ["rentalsummary", "GET", "/rentals?view=summary"],
      ],
    );
  });

  it("takes 3.1 type lists and $ref'd parameter schemas", () => {
    assert.deepEqual(operation(api, "liststations").request.queryParameters, [
      { name: "radius", type: "integer", required: false, defaultValue: "500", values: [] },
    ]);
    assert.deepEqual(operation(api, "listbikesatstation").templateParameters, [
      { name: "stationId", type: "string", required: true, values: [] },
      { name: "kind", type: "string", required: true, values: ["classic", "electric", "cargo"] },
    ]);
    assert.deepEqual(operation(api, "listrentals").request.headers, [
      { name: "Authorization", type: "string", required: true, values: [] },
    ]);
  });

  it("takes a 3.1 schema's `examples` list, and form parameters from a $ref'd schema", () => {
    const [station] = operation(api, "getstation").responses;
    assert.deepEqual(station?.representations[0]?.examples, {
      default: { value: { id: "st-1", name: "Old Bridge", free: 4 } },
    });
    const [, form] = operation(api, "startrental").request.representations;
    assert.deepEqual(form, {
      contentType: "application/x-www-form-urlencoded",
      schemaId: "openapi-components",
      typeName: "RentalRequest",
      formParameters: [
        { name: "bikeId", type: "string", required: true, description: "The bike to take.", values: [] },
        { name: "plan", type: "string", required: false, defaultValue: "single", values: ["single", "day"] },
      ],
    });
  });

  it("names an operation without summary by its operationId", () => {
    assert.equal(operation(api, "cancelrental").displayName, "cancelRental");
  });
});

describe("documents without operationIds", () => {
  const document = (paths: Record<string, unknown>) =>
    JSON.stringify({ openapi: "3.0.1", info: { title: "T", version: "1" }, paths });
  const ok = { responses: { "200": { description: "OK" } } };

  it("names operations from method and template, de-duplicated with -1, -2 …", async () => {
    const api = await importApiDocument({
      format: "openapi+json",
      value: document({
        "/foo/{bar}": {
          get: {
            ...ok,
            parameters: [
              { name: "bar", in: "path", required: true },
              { name: "buzz", in: "query", required: true },
            ],
          },
        },
        "/a.b": { get: { ...ok, operationId: "Same Name" }, put: { ...ok, operationId: "same_name" } },
        "/c": { post: { ...ok, operationId: "same-name" } },
      }),
    });
    assert.deepEqual(
      api.operations.map((o) => [o.name, o.displayName]),
      [
        ["get-foo-bar-buzz-buzz", "Get - /foo/{bar}?buzz={buzz}"],
        ["same-name", "Same Name"],
        ["same-name-1", "same_name"],
        ["same-name-2", "same-name"],
      ],
    );
  });

  it("cuts long names to 76 characters, leaving room for the suffix", async () => {
    const long = "x".repeat(100);
    const api = await importApiDocument({
      format: "openapi+json",
      value: document({ "/a": { get: { ...ok, operationId: long } }, "/b": { get: { ...ok, operationId: long } } }),
    });
    assert.deepEqual(
      api.operations.map((o) => o.name),
      ["x".repeat(76), `${"x".repeat(76)}-1`],
    );
  });
});
