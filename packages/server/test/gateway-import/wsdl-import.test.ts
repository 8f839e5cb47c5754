/**
 * WSDL 1.1 documents for SOAP pass-through: the endpoint wsdlSelector picks, one POST /?soapAction= operation per
 * binding operation, text/xml for SOAP 1.1 and application/soap+xml for SOAP 1.2; what API Management does not
 * import refused by name.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DocumentParseError,
  importApiDocument,
  UnsupportedConstructError,
  WsdlSelectorError,
} from "../../src/gateway/model/apis/import/index.js";
import { fixture, importFixture, refused } from "./helpers.js";

const rates = (wsdlServiceName?: string, wsdlEndpointName?: string) =>
  importFixture("currency-rates.wsdl", "wsdl", { wsdlSelector: { wsdlServiceName, wsdlEndpointName } });

const SOAP_11_OPERATIONS = [
  ["getrate", "GetRate", "/?soapAction=urn:example:currency-rates/GetRate"],
  ["listcurrencies", "ListCurrencies", "/?soapAction=urn:example:currency-rates/ListCurrencies"],
  ["convert", "Convert", "/?soapAction=urn:example:currency-rates/Convert"],
];

describe("WSDL with two services and SOAP 1.1 and 1.2 endpoints", () => {
  it("imports the SOAP 1.1 endpoint as a SOAP pass-through API", async () => {
    const api = await rates("CurrencyRates", "RatesSoap");
    assert.equal(api.apiType, "soap");
    assert.equal(api.displayName, "CurrencyRates");
    assert.equal(api.description, "Exchange rates for the public.");
    assert.equal(api.serviceUrl, "https://rates.example.com/currency/rates.asmx");
    assert.deepEqual(api.schemas, []);
    assert.deepEqual(api.document, { format: "wsdl", text: fixture("currency-rates.wsdl") });
    assert.deepEqual(
      api.operations.map((o) => [o.name, o.displayName, o.urlTemplate]),
      SOAP_11_OPERATIONS,
    );
    const [getRate] = api.operations;
    assert.deepEqual(getRate, {
      name: "getrate",
      displayName: "GetRate",
      method: "POST",
      urlTemplate: "/?soapAction=urn:example:currency-rates/GetRate",
      description: "The rate from one currency to another.",
      templateParameters: [],
      request: { queryParameters: [], headers: [], representations: [{ contentType: "text/xml" }] },
      responses: [{ statusCode: 200, representations: [{ contentType: "text/xml" }], headers: [] }],
    });
  });

  it("gives the SOAP 1.2 endpoint's operations application/soap+xml bodies", async () => {
    const api = await rates("CurrencyRates", "RatesSoap12");
    assert.deepEqual(
      api.operations.map((o) => [o.name, o.displayName, o.urlTemplate]),
      SOAP_11_OPERATIONS,
    );
    for (const operation of api.operations) {
      assert.deepEqual(operation.request.representations, [{ contentType: "application/soap+xml" }]);
      assert.deepEqual(operation.responses[0]?.representations, [{ contentType: "application/soap+xml" }]);
    }
  });

  it("takes the only SOAP endpoint of a named service, and describes a one-way operation with no response", async () => {
    const api = await rates("CurrencyAdmin");
    assert.equal(api.serviceUrl, "http://127.0.0.1:8089/currency/admin.asmx");
    assert.equal(api.description, "Daily exchange rates published by the treasury desk.");
    assert.deepEqual(
      api.operations.map((o) => [o.name, o.urlTemplate, o.responses.length]),
      [
        ["ping", "/?soapAction=urn:example:currency-rates/admin/Ping", 1],
        ["purge", "/?soapAction=urn:example:currency-rates/admin/Purge", 0],
      ],
    );
  });

  it("needs wsdlSelector when several SOAP endpoints could be meant, and lists them", async () => {
    await refused(
      importApiDocument({ format: "wsdl", value: fixture("currency-rates.wsdl") }),
      WsdlSelectorError,
      /^The WSDL document defines more than one SOAP endpoint: choose one with wsdlSelector \{ wsdlServiceName, wsdlEndpointName \}\. Its SOAP endpoints \(service\/endpoint\): CurrencyRates\/RatesSoap, CurrencyRates\/RatesSoap12, CurrencyAdmin\/AdminSoap\.$/,
      "wsdlSelector",
    );
    await refused(
      rates("CurrencyRates"),
      WsdlSelectorError,
      /more than one SOAP endpoint.*CurrencyRates\/RatesSoap, CurrencyRates\/RatesSoap12\.$/,
    );
  });

  it("refuses a service or endpoint the document does not have, and a non-SOAP endpoint", async () => {
    await refused(
      rates("Nope", "RatesSoap"),
      WsdlSelectorError,
      /has no service 'Nope' with a SOAP endpoint/,
      "wsdlSelector",
    );
    await refused(rates("CurrencyRates", "Nope"), WsdlSelectorError, /has no SOAP endpoint 'Nope'/);
    await refused(rates("CurrencyRates", "RatesHttpGet"), WsdlSelectorError, /has no SOAP endpoint 'RatesHttpGet'/);
  });

  it("is the default kind for a WSDL: apiType soap may be given or left out", async () => {
    const api = await importFixture("currency-rates.wsdl", "wsdl", {
      apiType: "soap",
      wsdlSelector: { wsdlServiceName: "CurrencyAdmin" },
    });
    assert.equal(api.apiType, "soap");
  });
});

/** A one-endpoint WSDL with `binding`, `operation` and `types` content of the caller's choosing. */
function wsdl({
  types = "",
  bindingStyle = "",
  operationStyle = "",
  use = "literal",
  action = "urn:t/Op",
  message = '<wsdl:part name="parameters" element="tns:Op"/>',
  top = "",
  soap = "soap",
}: Partial<
  Record<"types" | "bindingStyle" | "operationStyle" | "use" | "action" | "message" | "top" | "soap", string>
> = {}) {
  return `<?xml version="1.0"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="urn:t" targetNamespace="urn:t">
  ${top}
  <wsdl:types><xs:schema targetNamespace="urn:t">${types}<xs:element name="Op"/></xs:schema></wsdl:types>
  <wsdl:message name="OpIn">${message}</wsdl:message>
  <wsdl:portType name="P"><wsdl:operation name="Op"><wsdl:input message="tns:OpIn"/></wsdl:operation></wsdl:portType>
  <wsdl:binding name="B" type="tns:P">
    <${soap}:binding transport="http://schemas.xmlsoap.org/soap/http" ${bindingStyle}/>
    <wsdl:operation name="Op">
      <${soap}:operation soapAction="${action}" ${operationStyle}/>
      <wsdl:input><${soap}:body use="${use}"/></wsdl:input>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="S"><wsdl:port name="E" binding="tns:B"><${soap}:address location="http://127.0.0.1:9/s"/></wsdl:port></wsdl:service>
</wsdl:definitions>`;
}

describe("WSDL documents refused", () => {
  it("reads the minimal document these cases change", async () => {
    const api = await importApiDocument({ format: "wsdl", value: wsdl() });
    assert.deepEqual(
      api.operations.map((o) => [o.name, o.urlTemplate]),
      [["op", "/?soapAction=urn:t/Op"]],
    );
  });

  const unsupported: [title: string, document: string, message: RegExp][] = [
    [
      "wsdl:import",
      wsdl({ top: '<wsdl:import namespace="urn:other" location="other.wsdl"/>' }),
      /^wsdl:import \(of 'other.wsdl'\) is not supported: merge the imported document into this one\.$/,
    ],
    [
      "xsd:include",
      wsdl({ types: '<xs:include schemaLocation="common.xsd"/>' }),
      /^xsd:include \(of 'common.xsd'\) is not supported/,
    ],
    [
      "xsd:redefine",
      wsdl({ types: '<xs:redefine schemaLocation="common.xsd"/>' }),
      /^xsd:redefine \(of 'common.xsd'\)/,
    ],
    [
      "xsd:import of another file",
      wsdl({ types: '<xs:import namespace="urn:c" schemaLocation="c.xsd"/>' }),
      /^xsd:import \(of 'c.xsd'\) is not supported/,
    ],
    [
      "an rpc binding",
      wsdl({ bindingStyle: 'style="rpc"' }),
      /^The binding 'B' uses the rpc style: only SOAP bindings of style document with literal encoding/,
    ],
    ["an rpc operation", wsdl({ operationStyle: 'style="rpc"' }), /^The operation 'Op' uses the rpc style/],
    ["SOAP encoding", wsdl({ use: "encoded" }), /^The operation 'Op' uses SOAP encoding/],
    [
      "a message of two parts",
      wsdl({ message: '<wsdl:part name="a" type="xs:string"/><wsdl:part name="b" type="xs:string"/>' }),
      /^The message 'OpIn' has more than one part: messages with multiple parts are not supported\.$/,
    ],
    [
      "a SOAP action a template cannot hold",
      wsdl({ action: "urn:t#Op" }),
      /The SOAP action 'urn:t#Op' of operation 'Op' holds whitespace, '#' or '&'/,
    ],
    [
      "WSDL 2.0",
      '<description xmlns="http://www.w3.org/ns/wsdl" targetNamespace="urn:t"/>',
      /^WSDL 2.0 documents are not supported: API Management imports WSDL 1.1\.$/,
    ],
  ];
  for (const [title, document, message] of unsupported) {
    it(`refuses ${title} by name`, () =>
      refused(importApiDocument({ format: "wsdl", value: document }), UnsupportedConstructError, message, "value"));
  }

  const broken: [title: string, document: string, message: RegExp][] = [
    ["XML that is not well-formed", "<wsdl:definitions", /^Parsing error\(s\): The document cannot be read as XML: /],
    ["a DTD", '<!DOCTYPE x [<!ENTITY e "e">]><x/>', /document type declarations are not allowed/],
    ["another root element", "<schema/>", /not a WSDL 1.1 document: its root element is not wsdl:definitions/],
    ["no SOAP endpoint", wsdl().replace(/<wsdl:service[\s\S]*<\/wsdl:service>/, ""), /defines no SOAP endpoint/],
    ["a binding that is not there", wsdl().replace('binding="tns:B"', 'binding="tns:Gone"'), /has no binding 'Gone'/],
    [
      "a message that is not there",
      wsdl().replace('message="tns:OpIn"', 'message="tns:Gone"'),
      /has no message 'Gone'/,
    ],
    [
      "two operations with one SOAP action",
      wsdl().replace(
        /(<wsdl:binding[\s\S]*?)(<\/wsdl:binding>)/,
        (_, body: string, end: string) => body + body.slice(body.indexOf("<wsdl:operation")) + end,
      ),
      /Operation with the same method and URL template already exists: POST, \/\?soapAction=urn:t\/Op/,
    ],
  ];
  for (const [title, document, message] of broken) {
    it(`refuses ${title}`, () =>
      refused(importApiDocument({ format: "wsdl", value: document }), DocumentParseError, message, "value"));
  }

  it("accepts an xsd:import without a location (a namespace another schema of the document defines)", async () => {
    const api = await importApiDocument({ format: "wsdl", value: wsdl({ types: '<xs:import namespace="urn:c"/>' }) });
    assert.equal(api.operations.length, 1);
  });

  it("has no service URL when the endpoint's address is not an http or https URL", async () => {
    for (const location of ["/svc", "REPLACE_WITH_ACTUAL_URL", "mailto:ops@example.com"]) {
      const api = await importApiDocument({
        format: "wsdl",
        value: wsdl().replace("http://127.0.0.1:9/s", location),
      });
      assert.equal(api.serviceUrl, undefined, location);
    }
  });

  it("reads a SOAP 1.2-only document without a selector", async () => {
    const api = await importApiDocument({ format: "wsdl", value: wsdl({ soap: "soap12" }) });
    assert.deepEqual(api.operations[0]?.request.representations, [{ contentType: "application/soap+xml" }]);
  });
});
