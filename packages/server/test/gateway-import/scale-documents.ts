/**
 * API documents of n operations for each format an import reads, for the linear-time test and the parser benchmark
 * (bench/parsers/run.ts).
 */
import { stringify } from "yaml";

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

/** Each reader, the format it is imported as, and a document of n operations. */
export const SCALE_DOCUMENTS: [reader: string, format: string, document: (n: number) => string][] = [
  ["OpenAPI JSON", "openapi+json", (n) => JSON.stringify(openApi(n))],
  ["OpenAPI YAML", "openapi", (n) => stringify(openApi(n), { aliasDuplicateObjects: false })],
  ["Swagger JSON", "swagger-json", (n) => JSON.stringify(swagger(n))],
  ["WSDL", "wsdl", wsdl],
];
