/**
 * What an import refuses, and how: unsupported formats and options name the property; documents that cannot be read
 * are "Parsing error(s): …"; constructs API Management does not import are refused by name; every refusal is the
 * ARM layer's 400 ValidationError with the property as target.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toArmError } from "../../src/admin/apim/errors.js";
import {
  DocumentParseError,
  DocumentTooLargeError,
  ImportOptionError,
  importApiDocument,
  MAX_DOCUMENT_BYTES,
  UnsupportedConstructError,
  UnsupportedFormatError,
} from "../../src/gateway/model/apis/import/index.js";
import { fixture, refused } from "./helpers.js";

const openapi = (extra: Record<string, unknown>): string =>
  JSON.stringify({ openapi: "3.0.1", info: { title: "T", version: "1" }, paths: {}, ...extra });

const ok = { responses: { "200": { description: "OK" } } };

describe("formats and options", () => {
  for (const format of ["wadl-xml", "wadl-link-json", "graphql-link", "raml", "constructor", "__proto__"]) {
    it(`refuses format '${format}' by name`, () =>
      refused(
        importApiDocument({ format, value: "x" }),
        UnsupportedFormatError,
        new RegExp(`^The format '${format}' is not supported: Gatehouse imports openapi, openapi\\+json`),
        "format",
      ));
  }

  it("takes format names in any case, as ARM does", async () => {
    const api = await importApiDocument({ format: "OpenApi+Json", value: openapi({}) });
    assert.equal(api.document.format, "openapi+json");
  });

  it("refuses wsdlSelector with an OpenAPI format", () =>
    refused(
      importApiDocument({ format: "openapi", value: openapi({}), wsdlSelector: { wsdlServiceName: "S" } }),
      ImportOptionError,
      /wsdlSelector applies only to the formats wsdl and wsdl-link/,
      "wsdlSelector",
    ));

  it("refuses SOAP to REST (apiType http with a WSDL) and apiType soap with OpenAPI", async () => {
    await refused(
      importApiDocument({ format: "wsdl", value: fixture("currency-rates.wsdl"), apiType: "http" }),
      ImportOptionError,
      /SOAP to REST .* is not supported/,
      "apiType",
    );
    await refused(
      importApiDocument({ format: "openapi", value: openapi({}), apiType: "soap" }),
      ImportOptionError,
      /apiType 'soap' needs a WSDL document/,
      "apiType",
    );
  });

  it("refuses a translateRequiredQueryParameters that is neither template nor query", () =>
    refused(
      importApiDocument({
        format: "openapi",
        value: openapi({}),
        translateRequiredQueryParameters: "path" as "query",
      }),
      ImportOptionError,
      /must be 'template' or 'query'/,
      "translateRequiredQueryParameters",
    ));
});

describe("documents that cannot be read", () => {
  const cases: [title: string, format: string, value: string, message: RegExp][] = [
    ["empty", "openapi", "  \n", /^Parsing error\(s\): The document is empty/],
    ["not JSON", "openapi+json", "{ openapi: 3 }", /^Parsing error\(s\): The document is not valid JSON/],
    ["not YAML", "openapi", "openapi: 3.0.1\ninfo: [unclosed", /^Parsing error\(s\): The document is not valid YAML/],
    ["a duplicate YAML key", "openapi", "openapi: 3.0.1\nopenapi: 3.0.2\n", /not valid YAML: Map keys must be unique/],
    ["a list", "openapi+json", "[1, 2]", /not an OpenAPI or Swagger document/],
    ["neither OpenAPI nor Swagger", "openapi+json", '{"info": {}}', /neither OpenAPI 3 .* nor Swagger 2.0/],
    ["OpenAPI 4", "openapi+json", '{"openapi": "4.0.0"}', /The OpenAPI version "4.0.0" is not supported/],
    ["Swagger 1.2", "swagger-json", '{"swagger": "1.2"}', /The Swagger version "1.2" is not 2.0/],
    ["no info", "openapi+json", '{"openapi": "3.0.0", "paths": {}}', /'info' must be an object/],
    ["no title", "openapi+json", '{"openapi": "3.0.0", "info": {"version": "1"}}', /'info.title' is required/],
    [
      "a summary that is no string",
      "openapi+json",
      openapi({ paths: { "/a": { get: { ...ok, summary: 42 } } } }),
      /'paths.\/a.get.summary' must be a string/,
    ],
    [
      "a parameter in a place that does not exist",
      "openapi+json",
      openapi({ paths: { "/a": { get: { ...ok, parameters: [{ name: "x", in: "body" }] } } } }),
      /'paths.\/a.get.parameters\[0\].in' must be one of path, query, header or cookie/,
    ],
    [
      "a path parameter missing from the template",
      "openapi+json",
      openapi({ paths: { "/a": { get: { ...ok, parameters: [{ name: "id", in: "path", required: true }] } } } }),
      /GET \/a: the path parameter 'id' is not part of the URL template/,
    ],
    [
      "a path that does not start with /",
      "openapi+json",
      openapi({ paths: { a: { get: ok } } }),
      /The path 'a' does not start with '\/'/,
    ],
    [
      "template parameters named alike",
      "openapi+json",
      openapi({
        paths: {
          "/a/{Id}": {
            get: {
              ...ok,
              parameters: [
                { name: "Id", in: "path", required: true },
                { name: "id", in: "query", required: true },
              ],
            },
          },
        },
      }),
      /the template parameter 'id' is named twice; names must be unique across the path and the query/,
    ],
    [
      "a required query parameter no template can name",
      "openapi+json",
      openapi({
        paths: { "/a": { get: { ...ok, parameters: [{ name: "filter[name]", in: "query", required: true }] } } },
      }),
      /'filter\[name\]' cannot be a template parameter name .* translateRequiredQueryParameters 'query'/,
    ],
    [
      "a path segment only part of which is a parameter",
      "openapi+json",
      openapi({
        paths: { "/a/{id}.json": { get: { ...ok, parameters: [{ name: "id", in: "path", required: true }] } } },
      }),
      /GET \/a\/\{id\}.json: .*is not a valid template segment/,
    ],
    [
      "two operations with the same method and template",
      "openapi+json",
      openapi({ paths: { "/a/{x}": { get: ok }, "/a/{y}": { get: ok } } }),
      /^Parsing error\(s\): Operation with the same method and URL template already exists: GET, \/a\/\{y\}$/,
    ],
    [
      "a $ref that resolves to nothing",
      "openapi+json",
      openapi({ paths: { "/a": { get: { ...ok, parameters: [{ $ref: "#/components/parameters/Nope" }] } } } }),
      /The \$ref '#\/components\/parameters\/Nope' does not resolve in the document/,
    ],
    [
      "$refs that refer to each other",
      "openapi+json",
      openapi({
        components: { schemas: { A: { $ref: "#/components/schemas/B" }, B: { $ref: "#/components/schemas/A" } } },
      }),
      /The \$ref '#\/components\/schemas\/[AB]' refers to itself/,
    ],
    ["a recursive YAML alias", "openapi", "openapi: 3.0.1\ninfo: &i\n  title: T\n  self: *i\n", /contains itself/],
  ];
  for (const [title, format, value, message] of cases) {
    it(`refuses ${title}`, () => refused(importApiDocument({ format, value }), DocumentParseError, message, "value"));
  }
});

describe("constructs API Management does not import", () => {
  it("refuses a $ref to another file, naming it", () =>
    refused(
      importApiDocument({
        format: "openapi+json",
        value: openapi({ paths: { "/a": { get: { ...ok, parameters: [{ $ref: "common.yaml#/parameters/Id" }] } } } }),
      }),
      UnsupportedConstructError,
      /^The \$ref 'common.yaml#\/parameters\/Id' points to another file: \$ref pointers can't reference external files/,
      "value",
    ));

  it("refuses a $ref to an anchor", () =>
    refused(
      importApiDocument({
        format: "openapi+json",
        value: openapi({ components: { schemas: { A: { $ref: "#pet" } } } }),
      }),
      UnsupportedConstructError,
      /'#pet' is not a JSON pointer into the document/,
    ));

  it("does not take a $ref inside an example for a reference", async () => {
    const value = openapi({
      paths: {
        "/a": {
          get: {
            responses: {
              "200": { description: "OK", content: { "application/json": { example: { $ref: "other.json" } } } },
            },
          },
        },
      },
    });
    const api = await importApiDocument({ format: "openapi+json", value });
    assert.deepEqual(api.operations[0]?.responses[0]?.representations[0]?.examples, {
      default: { value: { $ref: "other.json" } },
    });
  });
});

describe("limits", () => {
  it("refuses a document over 4 MiB", () =>
    refused(
      importApiDocument({ format: "openapi", value: `openapi: 3.0.1\n#${"x".repeat(MAX_DOCUMENT_BYTES)}` }),
      DocumentTooLargeError,
      /an imported document may be at most 4194304 bytes \(4 MiB\)/,
      "value",
    ));

  it("refuses JSON nested too deeply", () =>
    refused(
      importApiDocument({
        format: "openapi+json",
        value: `{"openapi": "3.0.1", "x": ${"[".repeat(5000)}${"]".repeat(5000)}}`,
      }),
      DocumentTooLargeError,
      /nests deeper than 256 levels/,
    ));

  it("refuses a YAML alias bomb", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `${"abcdefghij"[i]}: &${"abcdefghij"[i]} [${`*${"abcdefghij"[i - 1]}, `.repeat(9)}*${"abcdefghij"[i - 1]}]`,
      );
    return refused(
      importApiDocument({ format: "openapi", value: `openapi: 3.0.1\n${bomb.join("\n")}\n` }),
      DocumentTooLargeError,
      /Excessive alias count/,
    );
  });
});

describe("refusals as API Management's ValidationError", () => {
  it("maps to 400 ValidationError with the property as target", async () => {
    const error = await importApiDocument({ format: "wadl-xml", value: "<application/>" }).catch((e: unknown) => e);
    const arm = toArmError(error);
    assert.equal(arm?.status, 400);
    assert.equal(arm?.code, "ValidationError");
    assert.deepEqual(arm?.details, [{ code: "ValidationError", target: "format", message: (error as Error).message }]);
  });
});
