/**
 * Swagger 2.0 documents: the service URL from schemes, host and basePath; body and formData parameters as request
 * representations of each consumed type; responses with one representation per produced type and its example.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { importApiDocument, SWAGGER_DEFINITIONS, type ImportedApi } from "../../src/gateway/model/apis/import/index.js";
import { fixture, importFixture, operation } from "./helpers.js";

describe("Swagger 2.0: the weather stations", async () => {
  const api: ImportedApi = await importFixture("weather-stations.swagger.json", "swagger-json");

  it("takes title, description and the HTTPS scheme with host and basePath", () => {
    assert.equal(api.displayName, "Weather Stations");
    assert.equal(api.description, "Readings from the county's weather stations.");
    assert.equal(api.serviceUrl, "https://weather.example.com/api/v3");
    assert.deepEqual(api.document, { format: "swagger-json", text: fixture("weather-stations.swagger.json") });
  });

  it("makes the operations, required query parameters in the template", () => {
    assert.deepEqual(
      api.operations.map((o) => [o.name, o.method, o.urlTemplate, o.displayName]),
      [
        ["stations-list", "GET", "/stations", "List stations"],
        ["stations-create", "POST", "/stations", "Register a station"],
        ["stations-get", "GET", "/stations/{stationId}", "Get a station"],
        ["stations-retire", "DELETE", "/stations/{stationId}", "Retire a station"],
        ["readings-list", "GET", "/stations/{stationId}/readings?date={date}", "Readings of a day"],
        ["readings-submit", "POST", "/stations/{stationId}/readings", "Submit a reading"],
        ["get-alerts", "GET", "/alerts", "Current alerts"],
      ],
    );
    assert.deepEqual(operation(api, "readings-list").templateParameters, [
      {
        name: "stationId",
        type: "string",
        required: true,
        description: "The station's code, e.g. WS-014.",
        values: [],
      },
      { name: "date", type: "string", required: true, values: [] },
    ]);
    assert.deepEqual(operation(api, "readings-list").request.queryParameters, [
      { name: "unit", type: "string", required: false, defaultValue: "metric", values: ["metric", "imperial"] },
    ]);
    assert.deepEqual(operation(api, "stations-list").request.queryParameters, [
      { name: "county", type: "string", required: false, values: [] },
      { name: "active", type: "boolean", required: false, defaultValue: "true", values: [] },
    ]);
  });

  it("makes a body parameter the representation of each consumed type, with the schema's example", () => {
    assert.deepEqual(operation(api, "stations-create").request, {
      description: "The new station.",
      queryParameters: [],
      headers: [],
      representations: [
        {
          contentType: "application/json",
          examples: { default: { value: { id: "WS-020", name: "Lake Shore", elevation: 88 } } },
          schemaId: "swagger-definitions",
          typeName: "Station",
        },
      ],
    });
  });

  it("makes formData parameters form parameters, and keeps the operation's headers", () => {
    assert.deepEqual(operation(api, "readings-submit").request, {
      queryParameters: [],
      headers: [{ name: "X-Station-Token", type: "string", required: true, values: [] }],
      representations: [
        {
          contentType: "application/x-www-form-urlencoded",
          formParameters: [
            { name: "temperature", type: "number", required: true, values: [] },
            { name: "humidity", type: "integer", required: false, description: "Percent.", values: [] },
          ],
        },
      ],
    });
  });

  it("gives each produced type its own example, and reads response headers and $ref'd responses", () => {
    const [readings] = operation(api, "readings-list").responses;
    assert.deepEqual(
      readings?.representations.map((r) => [r.contentType, r.examples]),
      [
        ["application/json", { default: { value: [{ time: "06:00", temperature: 7.5 }] } }],
        ["text/csv", { default: { value: "time,temperature\n06:00,7.5\n" } }],
      ],
    );
    const [station, missing] = operation(api, "stations-get").responses;
    assert.deepEqual(station?.headers, [
      { name: "ETag", type: "string", required: false, description: "The station's version.", values: [] },
    ]);
    assert.deepEqual(missing, { statusCode: 404, description: "No such station", representations: [], headers: [] });
    assert.deepEqual(operation(api, "stations-create").responses[1], {
      statusCode: 400,
      description: "The station is not valid",
      representations: [],
      headers: [],
    });
  });

  it("keeps the definitions as the API's schema, inline response schemas added", () => {
    const [schema] = api.schemas;
    assert.equal(schema?.contentType, SWAGGER_DEFINITIONS);
    assert.ok(schema && "definitions" in schema.document);
    assert.deepEqual(Object.keys(schema.document.definitions), [
      "Station",
      "Reading",
      "stations-list-response-200",
      "readings-list-response-200",
      "get-alerts-response-200",
    ]);
    const [alerts] = operation(api, "get-alerts").responses;
    assert.deepEqual(alerts?.representations, [
      {
        contentType: "application/json",
        examples: { default: { value: ["Frost warning"] } },
        schemaId: "swagger-definitions",
        typeName: "get-alerts-response-200",
      },
    ]);
  });
});

describe("Swagger 2.0 service URLs", () => {
  const swagger = (extra: Record<string, unknown>) =>
    JSON.stringify({ swagger: "2.0", info: { title: "T", version: "1" }, paths: {}, ...extra });

  it("uses the only scheme given, and / for a missing basePath", async () => {
    const api = await importApiDocument({
      format: "swagger-json",
      value: swagger({ host: "h.example:8080", schemes: ["http"] }),
    });
    assert.equal(api.serviceUrl, "http://h.example:8080");
  });

  it("has no service URL when the document names no host or no scheme", async () => {
    const noHost = await importApiDocument({ format: "swagger-json", value: swagger({ schemes: ["https"] }) });
    assert.equal(noHost.serviceUrl, undefined);
    const noScheme = await importApiDocument({ format: "swagger-json", value: swagger({ host: "h.example" }) });
    assert.equal(noScheme.serviceUrl, undefined);
  });

  it("reads Swagger 2.0 given as openapi+json too", async () => {
    const api = await importApiDocument({ format: "openapi+json", value: fixture("weather-stations.swagger.json") });
    assert.equal(api.operations.length, 7);
    assert.equal(api.document.format, "openapi+json");
  });
});
