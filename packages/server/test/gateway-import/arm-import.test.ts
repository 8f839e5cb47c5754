/**
 * API import and export through the admin listener with Microsoft's own client, @azure/arm-apimanagement: an OpenAPI 3
 * document and a WSDL imported with `api.beginCreateOrUpdateAndWait` (format and value), their operations called
 * through the gateway against a real backend, exported with `apiExport.get` and compared, mock-response answering
 * from an imported example, a link imported from a local server, and the formats Gatehouse does not read refused.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { ApiManagementClient, type ApiCreateOrUpdateParameter } from "@azure/arm-apimanagement";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { RestError } from "@azure/core-rest-pipeline";
import { startDemoBackends, type DemoBackends, type EchoReply } from "../../src/demo/backends/index.js";
import { importApiDocument, MAX_DOCUMENT_BYTES, type ImportedApi } from "../../src/gateway/model/apis/import/index.js";
import { startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { call } from "../helpers/gateway.js";
import { fixture, importFixture } from "./helpers.js";
import { SCALE_DOCUMENTS } from "./scale-documents.js";

const GROUP = "rg1";
const SERVICE = "apim1";

let gh: TestGatehouse;
let backends: DemoBackends;
let client: ApiManagementClient;
let documents: Server;
let documentsUrl: string;

/** The admin token, as a TokenCredential: what @azure/identity would hand the client. */
const credential = (): TokenCredential => ({
  getToken: async (): Promise<AccessToken> => ({
    token: await gh.adminToken(),
    expiresOnTimestamp: Date.now() + 30 * 60 * 1000,
  }),
});

/** The bike share document with a server relative to where it is served. */
const relativeServer = () => {
  const document = JSON.parse(fixture("bike-share.openapi.json")) as { servers: { url: string }[] };
  return JSON.stringify({ ...document, servers: [{ url: "../share/v2" }] });
};

/** Serves the fixtures at /{name} (the relative one at /docs/relative.json), and a 404 for anything else. */
async function serveDocuments(): Promise<Server> {
  const server = createServer((request, response) => {
    const name = (request.url ?? "/").slice(1);
    try {
      const text = name === "docs/relative.json" ? relativeServer() : fixture(name);
      response.writeHead(200, { "content-type": name.endsWith(".json") ? "application/json" : "text/plain" });
      response.end(text);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

before(async () => {
  gh = await startTestGatehouse({ overrides: { demo: false } });
  backends = await startDemoBackends({ host: "127.0.0.1" });
  documents = await serveDocuments();
  documentsUrl = `http://127.0.0.1:${(documents.address() as AddressInfo).port}`;
  client = new ApiManagementClient(credential(), "00000000-0000-0000-0000-000000000000", {
    $host: gh.adminUrl,
    endpoint: gh.adminUrl,
    tlsOptions: { ca: readFileSync(gh.caPath ?? "", "utf8") },
  });
});

after(async () => {
  await new Promise((resolve) => documents.close(resolve));
  await backends.close();
  await gh.stop();
});

const importApi = (apiId: string, parameters: ApiCreateOrUpdateParameter) =>
  client.api.beginCreateOrUpdateAndWait(GROUP, SERVICE, apiId, parameters);

async function operationsOf(apiId: string) {
  const operations = [];
  for await (const operation of client.apiOperation.listByApi(GROUP, SERVICE, apiId)) operations.push(operation);
  return operations;
}

/** The imported operations as the client reads them back, in the reader's shape. */
async function storedOperations(apiId: string): Promise<ImportedApi["operations"]> {
  return (await operationsOf(apiId)).map((operation) => ({
    name: operation.name ?? "",
    displayName: operation.displayName ?? "",
    method: operation.method ?? "",
    urlTemplate: operation.urlTemplate ?? "",
    description: operation.description ?? null,
    templateParameters: operation.templateParameters ?? [],
    request: operation.request as ImportedApi["operations"][number]["request"],
    responses: operation.responses as ImportedApi["operations"][number]["responses"],
  })) as ImportedApi["operations"];
}

const byName = <T extends { name: string }>(items: readonly T[]) =>
  [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** A refusal the client throws: status, ARM code and a message matching `message`. */
async function refused(attempt: Promise<unknown>, status: number, code: string, message: RegExp): Promise<void> {
  await assert.rejects(attempt, (error: unknown) => {
    assert.ok(error instanceof RestError, String(error));
    assert.equal(error.statusCode, status);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

describe("OpenAPI 3 through @azure/arm-apimanagement", () => {
  it("imports the document: its operations, and the title and description the body leaves out", async () => {
    const api = await importApi("plants", {
      format: "openapi",
      value: fixture("plant-store.openapi.yaml"),
      path: "plants",
      serviceUrl: `${backends.echoUrl}/v1`,
      subscriptionRequired: false,
    });
    assert.equal(api.displayName, "Greenhouse Plant Store");
    assert.equal(api.description, "Plants, their photos and the orders that ship them.");
    assert.equal(api.serviceUrl, `${backends.echoUrl}/v1`);
    const expected = await importFixture("plant-store.openapi.yaml", "openapi");
    assert.deepEqual(byName(await storedOperations("plants")), byName(expected.operations));
  });

  it("calls an imported operation through the gateway", async () => {
    const reply = await call(gh, `${gh.gatewayUrl}/plants/plants/17?expand=photos`, {
      headers: { "x-trace": "1" },
    });
    assert.equal(reply.status, 200, reply.text);
    const echoed = reply.json<EchoReply>();
    assert.equal(echoed.method, "GET");
    assert.equal(echoed.path, "/v1/plants/17");
    assert.deepEqual(echoed.query, { expand: ["photos"] });
  });

  it("exports the API as OpenAPI JSON (the document as value) and through a link, both importing back the same", async () => {
    const inline = await client.apiExport.get(GROUP, SERVICE, "plants", "openapi+json", "true");
    assert.equal(inline.exportResultFormat, "openapi+json");
    const document = inline.value as unknown as { openapi: string; info: { title: string } };
    assert.equal(document.openapi, "3.0.1");
    assert.equal(document.info.title, "Greenhouse Plant Store");

    const linked = await client.apiExport.get(GROUP, SERVICE, "plants", "openapi-link", "true");
    assert.equal(linked.exportResultFormat, "openapi-link");
    const link = linked.value?.link ?? "";
    assert.match(link, /\/apis\/plants\/exports\/openapi\?expires=\d+&sig=/);
    // The link needs no token, as API Management's SAS link does.
    const download = await call(gh, link);
    assert.equal(download.status, 200);
    assert.match(String(download.headers["content-type"]), /^application\/vnd\.oai\.openapi; charset=utf-8/);
    const original = await importFixture("plant-store.openapi.yaml", "openapi");
    for (const [format, value] of [
      ["openapi+json", JSON.stringify(document)],
      ["openapi", download.text],
    ] as const) {
      const again = await importApiDocument({ format, value });
      assert.deepEqual(byName(again.operations), byName(original.operations), format);
      assert.deepEqual(again.schemas, original.schemas, format);
      assert.equal(again.serviceUrl, `${backends.echoUrl}/v1`);
    }

    const tampered = await call(
      gh,
      link.replace(/sig=./, (s) => (s.endsWith("A") ? "sig=B" : "sig=A")),
    );
    assert.equal(tampered.status, 403);
    assert.equal(tampered.json<{ error: { code: string } }>().error.code, "AuthorizationFailed");
    assert.equal((await call(gh, link.replace(/\?.*/, ""))).status, 401, "no signature: a token is needed");
  });

  it("mock-response answers from the imported example", async () => {
    await client.apiOperationPolicy.createOrUpdate(GROUP, SERVICE, "plants", "getplant", "policy", {
      format: "rawxml",
      value:
        '<policies><inbound><base /><mock-response status-code="200" content-type="application/json" /></inbound>' +
        "<backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>",
    });
    const reply = await call(gh, `${gh.gatewayUrl}/plants/plants/4`);
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers["content-type"]), /^application\/json/);
    assert.deepEqual(reply.json(), { id: 17, name: "Boston fern", light: "low" });
  });

  it("imports again over the API: the new document's operations replace the old, with their policies", async () => {
    // The same document again: the operation keeps its policy, which still loads against it.
    await importApi("plants", {
      format: "openapi",
      value: fixture("plant-store.openapi.yaml"),
      path: "plants",
      serviceUrl: `${backends.echoUrl}/v1`,
      subscriptionRequired: false,
    });
    const kept = await client.apiOperationPolicy.get(GROUP, SERVICE, "plants", "getplant", "policy");
    assert.match(kept.value ?? "", /mock-response/);

    const api = await importApi("plants", {
      format: "openapi+json",
      value: fixture("bike-share.openapi.json"),
      path: "plants",
      displayName: "Bikes on the plant path",
      subscriptionRequired: false,
    });
    assert.equal(api.displayName, "Bikes on the plant path");
    assert.equal(api.serviceUrl, "https://api.bikes.example.org/share");
    const expected = await importFixture("bike-share.openapi.json", "openapi+json");
    assert.deepEqual(
      (await operationsOf("plants")).map((o) => o.name).sort(),
      expected.operations.map((o) => o.name).sort(),
    );
    await refused(
      client.apiOperationPolicy.get(GROUP, SERVICE, "plants", "getplant", "policy"),
      404,
      "ResourceNotFound",
      /Operation not found/,
    );
  });
});

describe("WSDL through @azure/arm-apimanagement", () => {
  it("imports a SOAP pass-through API and calls an action through the gateway", async () => {
    const api = await importApi("rates", {
      format: "wsdl",
      value: fixture("currency-rates.wsdl"),
      wsdlSelector: { wsdlServiceName: "CurrencyRates", wsdlEndpointName: "RatesSoap" },
      soapApiType: "soap",
      path: "rates",
      serviceUrl: `${backends.echoUrl}/rates.asmx`,
      subscriptionRequired: false,
    });
    assert.equal(api.displayName, "CurrencyRates");
    assert.equal(api.apiType, "soap");
    const expected = await importFixture("currency-rates.wsdl", "wsdl", {
      wsdlSelector: { wsdlServiceName: "CurrencyRates", wsdlEndpointName: "RatesSoap" },
    });
    assert.deepEqual(byName(await storedOperations("rates")), byName(expected.operations));

    const envelope = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetRate xmlns="urn:example:currency-rates"><from>EUR</from><to>USD</to></GetRate></soap:Body></soap:Envelope>`;
    const reply = await call(gh, `${gh.gatewayUrl}/rates`, {
      method: "POST",
      headers: { "content-type": "text/xml; charset=utf-8", soapaction: '"urn:example:currency-rates/GetRate"' },
      body: envelope,
    });
    assert.equal(reply.status, 200, reply.text);
    const echoed = reply.json<EchoReply>();
    assert.match(echoed.path, /^\/rates\.asmx\/?$/);
    assert.equal(echoed.body, envelope);
    assert.equal(echoed.headers.soapaction, '"urn:example:currency-rates/GetRate"');

    const unknown = await call(gh, `${gh.gatewayUrl}/rates`, {
      method: "POST",
      headers: { "content-type": "text/xml", soapaction: "urn:example:currency-rates/Nope" },
      body: envelope,
    });
    assert.equal(unknown.status, 404);
  });

  it("exports the WSDL it was imported from, inline and through a link", async () => {
    const inline = await client.apiExport.get(GROUP, SERVICE, "rates", "wsdl", "true");
    assert.equal(inline.exportResultFormat, "wsdl");
    const linked = await client.apiExport.get(GROUP, SERVICE, "rates", "wsdl-link", "true");
    assert.equal(linked.exportResultFormat, "wsdl-link+xml");
    const download = await call(gh, linked.value?.link ?? "");
    assert.equal(download.status, 200);
    assert.match(String(download.headers["content-type"]), /^application\/wsdl\+xml/);
    assert.equal(download.text, fixture("currency-rates.wsdl"));
  });

  it("refuses wsdl of an API that was not imported from one, as the export and as its link", async () => {
    for (const format of ["wsdl", "wsdl-link"]) {
      await refused(
        client.apiExport.get(GROUP, SERVICE, "plants", format, "true"),
        400,
        "ValidationError",
        /^Only a SOAP API imported from a WSDL document can be exported as 'wsdl'\.$/,
      );
    }
  });
});

describe("links and refusals", () => {
  it("imports a link from a local server, relative servers resolved against it", async () => {
    const api = await importApi("bikes", {
      format: "openapi+json-link",
      value: `${documentsUrl}/bike-share.openapi.json`,
      path: "bikes",
    });
    assert.equal(api.displayName, "Riverside Bike Share");
    assert.equal(api.serviceUrl, "https://api.bikes.example.org/share");
    const expected = await importFixture("bike-share.openapi.json", "openapi+json");
    assert.deepEqual(byName(await storedOperations("bikes")), byName(expected.operations));

    const relative = await importApi("bikes", {
      format: "openapi+json-link",
      value: `${documentsUrl}/docs/relative.json`,
      path: "bikes",
    });
    assert.equal(relative.serviceUrl, `${documentsUrl}/share/v2`);
  });

  it("takes an inline document of up to 4 MiB, thousands of operations in one write; a larger one is refused", async () => {
    const [, format, document] = SCALE_DOCUMENTS[0] ?? ["", "", () => ""];
    const operations = (bytes: number) => Math.floor(bytes / (document(100).length / 100));
    const value = document(operations(3.8 * 1024 * 1024));
    assert.ok(value.length > 3.5 * 1024 * 1024 && value.length < MAX_DOCUMENT_BYTES, `${value.length} bytes`);
    await importApi("large", { format, value, path: "large" });
    assert.equal((await operationsOf("large")).length, operations(3.8 * 1024 * 1024));
    await refused(
      importApi("larger", { format, value: document(operations(4.2 * 1024 * 1024)), path: "larger" }),
      400,
      "ValidationError",
      /^The document is \d+ bytes long; an imported document may be at most 4194304 bytes \(4 MiB\)\.$/,
    );
    await refused(
      importApi("largest", { format, value: document(operations(8.5 * 1024 * 1024)), path: "largest" }),
      413,
      "RequestEntityTooLarge",
      /^The request body is too large\.$/,
    );
  });

  it("a link that cannot be downloaded is a 400 naming it, and nothing is created", async () => {
    await refused(
      importApi("missing", { format: "openapi-link", value: `${documentsUrl}/missing.yaml`, path: "missing" }),
      400,
      "ValidationError",
      /^Unable to download the document from 'http:\/\/127\.0\.0\.1:\d+\/missing\.yaml': the server answered 404\.$/,
    );
    await refused(client.api.get(GROUP, SERVICE, "missing"), 404, "ResourceNotFound", /Api not found/);
  });

  it("a format Gatehouse does not read is a 400 that names it, never a silent success", async () => {
    for (const format of ["wadl-xml", "graphql-link", "odata"]) {
      await refused(
        importApi("unread", { format, value: "<application/>", path: "unread", displayName: "Unread" }),
        400,
        "ValidationError",
        new RegExp(`^The format '${format}' is not supported: Gatehouse imports openapi, openapi\\+json, `),
      );
    }
    await refused(client.api.get(GROUP, SERVICE, "unread"), 404, "ResourceNotFound", /Api not found/);
    await refused(
      client.apiExport.get(GROUP, SERVICE, "bikes", "wadl-link", "true"),
      400,
      "ValidationError",
      /^The export format 'wadl-link' is not supported: Gatehouse exports openapi, openapi\+json, swagger-json, wsdl, openapi-link, openapi\+json-link, swagger-link, wsdl-link\.$/,
    );
  });

  it("the import options alone, or half of an import, are refused", async () => {
    await refused(
      importApi("half", { value: "openapi: 3.0.0", path: "half", displayName: "Half" }),
      400,
      "ValidationError",
      /^Property 'format' is required with 'value'\.$/,
    );
    await refused(
      importApi("half", { format: "openapi", path: "half", displayName: "Half" }),
      400,
      "ValidationError",
      /^Property 'value' is required with 'format'\.$/,
    );
    await refused(
      importApi("half", {
        path: "half",
        displayName: "Half",
        wsdlSelector: { wsdlServiceName: "CurrencyRates" },
      }),
      400,
      "ValidationError",
      /^Property 'wsdlSelector' applies only to an import \(format and value\)\.$/,
    );
    await refused(
      importApi("half", { path: "half" }),
      400,
      "ValidationError",
      /^Property 'displayName' is required\.$/,
    );
  });
});
