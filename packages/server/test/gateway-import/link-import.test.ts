/**
 * `*-link` imports download the document from a real HTTP server on loopback: redirects followed (and bounded), the
 * size and time capped, failures refused with API Management-like messages that never show the link's query.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  fetchDocument,
  importApiDocument,
  LinkFetchError,
  MAX_DOCUMENT_BYTES,
} from "../../src/gateway/model/apis/import/index.js";
import { fixture, refused } from "./helpers.js";

const RELATIVE_SERVER = JSON.stringify({
  openapi: "3.0.1",
  info: { title: "Relative", version: "1" },
  servers: [{ url: "/api/v2/" }],
  paths: { "/ping": { get: { operationId: "ping", responses: { "204": { description: "Pong" } } } } },
});

let server: Server;
let base: string;
const pending = new Set<() => void>();

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const hop = /^\/hop\/(\d+)$/.exec(url.pathname);
    if (hop) {
      const left = Number(hop[1]);
      res.writeHead(302, { location: left === 0 ? "/docs/plant-store.yaml" : `/hop/${left - 1}` }).end();
    } else if (url.pathname === "/docs/plant-store.yaml") {
      res.writeHead(200, { "content-type": "application/yaml" }).end(fixture("plant-store.openapi.yaml"));
    } else if (url.pathname === "/docs/weather.json") {
      res.writeHead(200, { "content-type": "application/json" }).end(fixture("weather-stations.swagger.json"));
    } else if (url.pathname === "/docs/rates.wsdl") {
      res.writeHead(200, { "content-type": "text/xml" }).end(fixture("currency-rates.wsdl"));
    } else if (url.pathname === "/docs/relative.wsdl") {
      const relative = fixture("currency-rates.wsdl").replace(
        "http://127.0.0.1:8089/currency/admin.asmx",
        "admin.asmx",
      );
      res.writeHead(200, { "content-type": "text/xml" }).end(relative);
    } else if (url.pathname === "/docs/relative.json") {
      res.writeHead(200, { "content-type": "application/json" }).end(RELATIVE_SERVER);
    } else if (url.pathname === "/declared-large") {
      res.writeHead(200, { "content-length": String(MAX_DOCUMENT_BYTES + 1) }).end();
    } else if (url.pathname === "/streamed-large") {
      // No length announced: the cap applies while reading.
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const more = () => {
        while (sent <= MAX_DOCUMENT_BYTES) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", more);
        }
        res.end();
      };
      more();
    } else if (url.pathname === "/slow") {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"openapi": ');
      pending.add(() => res.end());
    } else if (url.pathname === "/latin1") {
      res.writeHead(200, { "content-type": "text/xml" }).end(Buffer.from([0x3c, 0x61, 0xe9, 0x2f, 0x3e]));
    } else if (url.pathname === "/to-ftp") {
      res.writeHead(301, { location: "ftp://127.0.0.1/doc" }).end();
    } else {
      res.writeHead(404).end("not here");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const finish of pending) finish();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("link formats", () => {
  it("openapi-link downloads and reads the YAML, and stores it as openapi", async () => {
    const api = await importApiDocument({ format: "openapi-link", value: `${base}/docs/plant-store.yaml` });
    assert.equal(api.operations.length, 11);
    assert.deepEqual(api.document, { format: "openapi", text: fixture("plant-store.openapi.yaml") });
  });

  it("swagger-link-json and openapi+json-link read JSON", async () => {
    const swagger = await importApiDocument({ format: "swagger-link-json", value: `${base}/docs/weather.json` });
    assert.equal(swagger.document.format, "swagger-json");
    assert.equal(swagger.operations.length, 7);
    const openapi = await importApiDocument({ format: "openapi+json-link", value: `${base}/docs/relative.json` });
    assert.equal(openapi.document.format, "openapi+json");
  });

  it("wsdl-link reads the WSDL with the selector", async () => {
    const api = await importApiDocument({
      format: "wsdl-link",
      value: `${base}/docs/rates.wsdl`,
      wsdlSelector: { wsdlServiceName: "CurrencyRates", wsdlEndpointName: "RatesSoap" },
    });
    assert.equal(api.apiType, "soap");
    assert.equal(api.document.format, "wsdl");
    assert.equal(api.operations.length, 3);
  });

  it("resolves a relative server URL against the URL the document came from", async () => {
    const api = await importApiDocument({ format: "openapi+json-link", value: `${base}/docs/relative.json?sig=abc` });
    assert.equal(api.serviceUrl, `${base}/api/v2`);
  });

  it("resolves a relative SOAP address against the URL the WSDL came from", async () => {
    const api = await importApiDocument({
      format: "wsdl-link",
      value: `${base}/docs/relative.wsdl`,
      wsdlSelector: { wsdlServiceName: "CurrencyAdmin" },
    });
    assert.equal(api.serviceUrl, `${base}/docs/admin.asmx`);
  });

  it("follows redirects, and tells where the document was found", async () => {
    const fetched = await fetchDocument(`${base}/hop/3`);
    assert.equal(fetched.url, `${base}/docs/plant-store.yaml`);
    assert.equal(fetched.text, fixture("plant-store.openapi.yaml"));
  });
});

describe("link failures", () => {
  it("refuses more than the allowed redirects", () =>
    refused(
      fetchDocument(`${base}/hop/9`, { maxRedirects: 5 }),
      LinkFetchError,
      /^Unable to download the document from 'http:\/\/127.0.0.1:\d+\/hop\/4': more than 5 redirects\.$/,
      "value",
    ));

  it("refuses an answer other than 200, without the link's query in the message", async () => {
    const error = await importApiDocument({ format: "openapi-link", value: `${base}/gone?sig=SECRET` }).catch(
      (e: unknown) => e,
    );
    assert.ok(error instanceof LinkFetchError);
    assert.equal(error.failure, "status");
    assert.equal(error.message, `Unable to download the document from '${base}/gone': the server answered 404.`);
  });

  it("refuses a document announced as larger than 4 MiB", () =>
    refused(fetchDocument(`${base}/declared-large`), LinkFetchError, /the document is larger than 4194304 bytes/));

  it("refuses a document that turns out larger than 4 MiB while it is read", () =>
    refused(fetchDocument(`${base}/streamed-large`), LinkFetchError, /the document is larger than 4194304 bytes/));

  it("gives up when the whole download takes longer than the time cap", async () => {
    const started = Date.now();
    await refused(
      fetchDocument(`${base}/slow`, { timeoutMs: 300 }),
      LinkFetchError,
      /: no complete answer within 0.3 seconds\.$/,
    );
    assert.ok(Date.now() - started < 3000);
  });

  it("refuses a document that is not UTF-8", () =>
    refused(fetchDocument(`${base}/latin1`), LinkFetchError, /the document is not UTF-8 text/));

  it("refuses links and redirects that are not http or https", async () => {
    await refused(
      importApiDocument({ format: "wsdl-link", value: "file:///etc/passwd" }),
      LinkFetchError,
      /^The link is not an absolute http or https URL\.$/,
    );
    await refused(importApiDocument({ format: "wsdl-link", value: "rates.wsdl" }), LinkFetchError, /not an absolute/);
    await refused(
      fetchDocument(`${base}/to-ftp`),
      LinkFetchError,
      /\/to-ftp': it redirects to a URL that is not an absolute http or https URL/,
    );
  });

  it("names the network failure when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await refused(fetchDocument(`http://127.0.0.1:${port}/doc`), LinkFetchError, /: ECONNREFUSED\.$/);
  });
});
