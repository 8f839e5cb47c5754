/**
 * Every reader is linear in its document: eight times the operations take about eight times as long (a quadratic
 * step would take 64 times). Documents stay within the 4 MiB an import takes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { importApiDocument, MAX_DOCUMENT_BYTES } from "../../src/gateway/model/apis/import/index.js";

const SMALL = 500;
const FACTOR = 8;
/** Linear is about FACTOR; quadratic about FACTOR². */
const MAX_RATIO = FACTOR * 3;

function openApi(n: number): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    schemas[`Item${i}`] = { type: "object", properties: { id: { type: "integer" } }, example: { id: i } };
    paths[`/items${i}/{id}`] = {
      get: {
        operationId: `getItem${i}`,
        parameters: [
          { $ref: "#/components/parameters/Id" },
          { name: "q", in: "query", required: true, schema: { type: "string" } },
        ],
        responses: {
          "200": {
            description: "OK",
            content: { "application/json": { schema: { $ref: `#/components/schemas/Item${i}` } } },
          },
        },
      },
    };
  }
  return {
    openapi: "3.0.1",
    info: { title: "Scale", version: "1" },
    paths,
    components: {
      parameters: { Id: { name: "id", in: "path", required: true, schema: { type: "integer" } } },
      schemas,
    },
  };
}

function swagger(n: number): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    paths[`/items${i}/{id}`] = {
      post: {
        operationId: `addItem${i}`,
        parameters: [{ $ref: "#/parameters/Id" }, { name: "body", in: "body", schema: { $ref: "#/definitions/Item" } }],
        responses: { "201": { description: "Created", schema: { $ref: "#/definitions/Item" } } },
      },
    };
  }
  return {
    swagger: "2.0",
    info: { title: "Scale", version: "1" },
    host: "h.example",
    schemes: ["https"],
    paths,
    parameters: { Id: { name: "id", in: "path", required: true, type: "integer" } },
    definitions: { Item: { type: "object" } },
  };
}

function wsdl(n: number): string {
  const parts = (f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join("");
  return `<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="urn:s" targetNamespace="urn:s">
${parts((i) => `<wsdl:message name="M${i}"><wsdl:part name="p" element="tns:E${i}"/></wsdl:message>`)}
<wsdl:portType name="P">${parts((i) => `<wsdl:operation name="Op${i}"><wsdl:input message="tns:M${i}"/><wsdl:output message="tns:M${i}"/></wsdl:operation>`)}</wsdl:portType>
<wsdl:binding name="B" type="tns:P"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
${parts((i) => `<wsdl:operation name="Op${i}"><soap:operation soapAction="urn:s/Op${i}"/><wsdl:input><soap:body use="literal"/></wsdl:input></wsdl:operation>`)}
</wsdl:binding>
<wsdl:service name="S"><wsdl:port name="E" binding="tns:B"><soap:address location="http://127.0.0.1:9/s"/></wsdl:port></wsdl:service>
</wsdl:definitions>`;
}

const cases: [reader: string, format: string, document: (n: number) => string][] = [
  ["OpenAPI JSON", "openapi+json", (n) => JSON.stringify(openApi(n))],
  ["OpenAPI YAML", "openapi", (n) => stringify(openApi(n), { aliasDuplicateObjects: false })],
  ["Swagger JSON", "swagger-json", (n) => JSON.stringify(swagger(n))],
  ["WSDL", "wsdl", wsdl],
];

/** The median of `rounds` imports. */
async function millis(format: string, value: string, operations: number, rounds: number): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = process.hrtime.bigint();
    const api = await importApiDocument({ format, value });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    assert.equal(api.operations.length, operations);
  }
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)] as number;
}

describe("import time grows linearly with the document", () => {
  for (const [reader, format, document] of cases) {
    it(`${reader}: ${SMALL * FACTOR} operations take at most ${MAX_RATIO} times as long as ${SMALL}`, async () => {
      const small = document(SMALL);
      const large = document(SMALL * FACTOR);
      assert.ok(Buffer.byteLength(large) <= MAX_DOCUMENT_BYTES, `${Buffer.byteLength(large)} bytes`);
      await millis(format, small, SMALL, 1); // warm up
      const smallTime = await millis(format, small, SMALL, 3);
      // Noise only makes one large run slower, which errs towards failing: one is enough.
      const largeTime = await millis(format, large, SMALL * FACTOR, 1);
      const ratio = largeTime / Math.max(smallTime, 1);
      assert.ok(ratio < MAX_RATIO, `${smallTime.toFixed(1)} ms → ${largeTime.toFixed(1)} ms: ×${ratio.toFixed(1)}`);
    });
  }
});
