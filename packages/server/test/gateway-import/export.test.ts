/**
 * Export as API Management answers `?export=true&format=…`: OpenAPI 3 (YAML and JSON) and Swagger 2 written from
 * the API and its operations, which import again to the same operations; `wsdl` gives back the imported document.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import {
  exportApiDocument,
  ExportError,
  importApiDocument,
  UnsupportedFormatError,
  type ExportableApi,
  type ImportedApi,
} from "../../src/gateway/model/apis/import/index.js";
import { apiFrom } from "../../src/gateway/model/apis/validation.js";
import { operationFrom } from "../../src/gateway/model/operations/validation.js";
import { fixture, importFixture, refused } from "./helpers.js";

/** The API entity an import makes, as phase 2 will store it. */
const stored = (imported: ImportedApi): ExportableApi => ({
  displayName: imported.displayName ?? "API",
  description: imported.description ?? null,
  serviceUrl: imported.serviceUrl ?? null,
  apiType: imported.apiType,
  subscriptionRequired: true,
  subscriptionKeyParameterNames: { header: "Ocp-Apim-Subscription-Key", query: "subscription-key" },
  document: imported.document,
});

async function roundTrip(imported: ImportedApi, format: string): Promise<ImportedApi> {
  const value = exportApiDocument(stored(imported), imported.operations, format, { schemas: imported.schemas });
  return importApiDocument({ format, value });
}

describe("round trips: import(export(x)) has x's operations", () => {
  const cases: [fixture: string, importFormat: string, exportFormats: string[]][] = [
    ["plant-store.openapi.yaml", "openapi", ["openapi", "openapi+json"]],
    ["bike-share.openapi.json", "openapi+json", ["openapi", "openapi+json"]],
    ["weather-stations.swagger.json", "swagger-json", ["swagger-json"]],
  ];
  for (const [name, importFormat, exportFormats] of cases) {
    for (const format of exportFormats) {
      it(`${name} through ${format}`, async () => {
        const imported = await importFixture(name, importFormat);
        const again = await roundTrip(imported, format);
        assert.deepEqual(again.operations, imported.operations);
        assert.deepEqual(again.schemas, imported.schemas);
        assert.equal(again.displayName, imported.displayName);
        assert.equal(again.description, imported.description);
        assert.equal(again.serviceUrl, imported.serviceUrl);
      });
    }
  }

  it("keeps a SOAP API's actions through OpenAPI (in x-ms-paths, as their query tells them apart)", async () => {
    const imported = await importFixture("currency-rates.wsdl", "wsdl", {
      wsdlSelector: { wsdlServiceName: "CurrencyRates", wsdlEndpointName: "RatesSoap" },
    });
    const document = JSON.parse(exportApiDocument(stored(imported), imported.operations, "openapi+json")) as {
      paths: object;
      "x-ms-paths": Record<string, unknown>;
    };
    assert.deepEqual(document.paths, {});
    assert.deepEqual(Object.keys(document["x-ms-paths"]), [
      "/?soapAction=urn:example:currency-rates/GetRate",
      "/?soapAction=urn:example:currency-rates/ListCurrencies",
      "/?soapAction=urn:example:currency-rates/Convert",
    ]);
    const again = await importApiDocument({ format: "openapi+json", value: JSON.stringify(document) });
    assert.deepEqual(
      again.operations.map((o) => [o.name, o.method, o.urlTemplate]),
      imported.operations.map((o) => [o.name, o.method, o.urlTemplate]),
    );
  });

  it("converts between dialects: a Swagger API exported as OpenAPI 3 keeps its operations and schema references", async () => {
    const imported = await importFixture("weather-stations.swagger.json", "swagger-json");
    const document = exportApiDocument(stored(imported), imported.operations, "openapi+json", {
      schemas: imported.schemas,
    });
    const again = await importApiDocument({ format: "openapi+json", value: document });
    assert.deepEqual(
      again.operations.map((o) => [o.name, o.method, o.urlTemplate, o.templateParameters]),
      imported.operations.map((o) => [o.name, o.method, o.urlTemplate, o.templateParameters]),
    );
    const [schema] = again.schemas;
    assert.ok(schema && "components" in schema.document);
    assert.deepEqual((schema.document.components.schemas["stations-list-response-200"] as { items: unknown }).items, {
      $ref: "#/components/schemas/Station",
    });
  });
});

describe("the documents written", () => {
  it("OpenAPI 3.0.1 as API Management writes it: operationId, summary, servers and subscription key schemes", async () => {
    const imported = await importFixture("plant-store.openapi.yaml", "openapi");
    const document = parse(
      exportApiDocument(stored(imported), imported.operations, "openapi", {
        schemas: imported.schemas,
        serverUrl: "https://gateway.example/plants",
      }),
    ) as Record<string, unknown> & { paths: Record<string, Record<string, Record<string, unknown>>> };
    assert.equal(document.openapi, "3.0.1");
    assert.deepEqual(document.info, {
      title: "Greenhouse Plant Store",
      description: "Plants, their photos and the orders that ship them.",
      version: "1.0",
    });
    assert.deepEqual(document.servers, [{ url: "https://gateway.example/plants" }]);
    assert.deepEqual(document.security, [{ apiKeyHeader: [] }, { apiKeyQuery: [] }]);
    assert.deepEqual((document.components as { securitySchemes: unknown }).securitySchemes, {
      apiKeyHeader: { type: "apiKey", name: "Ocp-Apim-Subscription-Key", in: "header" },
      apiKeyQuery: { type: "apiKey", name: "subscription-key", in: "query" },
    });
    const find = document.paths["/plants/findByLight"]?.get;
    assert.equal(find?.operationId, "findplantsbylight");
    assert.equal(find?.summary, "Find plants by light");
    assert.deepEqual(find?.parameters, [
      {
        name: "light",
        in: "query",
        required: true,
        description: "The light the plant needs.",
        schema: { type: "string", enum: ["low", "medium", "bright"] },
      },
      { name: "petSafe", in: "query", required: false, schema: { type: "boolean" } },
    ]);
    assert.deepEqual(document.paths["/plants"]?.get?.parameters, [
      {
        name: "limit",
        in: "query",
        required: false,
        description: "How many plants to return.",
        schema: { type: "integer", default: 20 },
      },
      {
        name: "cursor",
        in: "query",
        required: false,
        description: "Where the page starts.",
        schema: { type: "string" },
      },
    ]);
  });

  it("Swagger 2.0 with host, basePath and schemes from the service URL", async () => {
    const imported = await importFixture("weather-stations.swagger.json", "swagger-json");
    const document = JSON.parse(
      exportApiDocument({ ...stored(imported), subscriptionRequired: false }, imported.operations, "swagger-json"),
    ) as Record<string, unknown>;
    assert.equal(document.swagger, "2.0");
    assert.equal(document.host, "weather.example.com");
    assert.equal(document.basePath, "/api/v3");
    assert.deepEqual(document.schemes, ["https"]);
    assert.equal(document.security, undefined);
    assert.equal(document.definitions, undefined); // no schemas given
  });

  it("exports an API that was never imported, its operations as the gateway stores them", () => {
    const api = apiFrom("echo", { displayName: "Echo", path: "echo", subscriptionRequired: false });
    const operation = operationFrom(api, "echo", {
      displayName: "Echo",
      method: "POST",
      urlTemplate: "/echo/{id}",
      responses: [
        { statusCode: 200, representations: [{ contentType: "text/plain", examples: { default: { value: "hi" } } }] },
      ],
    });
    const document = JSON.parse(exportApiDocument(api, [operation], "openapi+json")) as {
      paths: Record<string, { post: unknown }>;
    };
    assert.deepEqual(document.paths["/echo/{id}"]?.post, {
      summary: "Echo",
      operationId: "echo",
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      responses: { "200": { description: "", content: { "text/plain": { examples: { default: { value: "hi" } } } } } },
    });
  });

  it("wsdl gives back the WSDL a SOAP API was imported from", async () => {
    const imported = await importFixture("currency-rates.wsdl", "wsdl", {
      wsdlSelector: { wsdlServiceName: "CurrencyAdmin" },
    });
    assert.equal(exportApiDocument(stored(imported), imported.operations, "wsdl"), fixture("currency-rates.wsdl"));
  });
});

describe("exports refused", () => {
  it("wsdl of an API not imported from a WSDL", async () => {
    const imported = await importFixture("plant-store.openapi.yaml", "openapi");
    await refused(
      () => exportApiDocument(stored(imported), imported.operations, "wsdl"),
      ExportError,
      /^Only a SOAP API imported from a WSDL document can be exported as 'wsdl'\.$/,
      "format",
    );
  });

  it("a format Gatehouse does not write", () =>
    refused(
      () =>
        exportApiDocument(
          stored({ apiType: "http", operations: [], schemas: [], document: { format: "openapi", text: "" } }),
          [],
          "wadl-xml",
        ),
      UnsupportedFormatError,
      /^The export format 'wadl-xml' is not supported: Gatehouse exports openapi, openapi\+json, swagger-json, wsdl\.$/,
      "format",
    ));

  it("an operation for any method, which OpenAPI cannot describe", () =>
    refused(
      () =>
        exportApiDocument(
          stored({ apiType: "http", operations: [], schemas: [], document: { format: "openapi", text: "" } }),
          [
            operationFrom(apiFrom("all", { displayName: "All", path: "all" }), "all", {
              displayName: "All",
              method: "*",
              urlTemplate: "/*",
            }),
          ],
          "openapi",
        ),
      ExportError,
      /The operation 'all' has the method '\*', which an OpenAPI document cannot describe/,
    ));
});
