/**
 * WSDL 1.1 documents as API Management imports them for SOAP pass-through (reference apim.md §4.9): the endpoint
 * `wsdlSelector` picks (or the only one), one `POST /?soapAction={action}` operation per operation of its binding,
 * `text/xml` bodies for SOAP 1.1 and `application/soap+xml` for SOAP 1.2, the endpoint's address as service URL.
 * What API Management does not import is refused by name: WSDL 2.0, `wsdl:import`, `xsd:include`/`xsd:redefine` and
 * `xsd:import` of another file, RPC style, SOAP encoding, messages of several parts.
 *
 * QName references (`binding="tns:NumberConversionSoap"`) are matched by local name: without `wsdl:import` every
 * definition they can name is in this one document's target namespace.
 */
import { parseXml, XmlSyntaxError, type XmlElement } from "../../../transform/xml-reader.js";
import { checkDocumentSize } from "./document-limits.js";
import { cut, DocumentParseError, quoted, UnsupportedConstructError, WsdlSelectorError } from "./import-errors.js";
import type { ImportedOperation, ReadApi } from "./imported-api.js";
import { defined } from "./json-value.js";
import { OperationNames } from "./operation-names.js";
import { OperationSignatures } from "./operation-shape.js";
import { absoluteServiceUrl } from "./service-url.js";

const WSDL = "http://schemas.xmlsoap.org/wsdl/";
const WSDL_20 = "http://www.w3.org/ns/wsdl";
const XSD = "http://www.w3.org/2001/XMLSchema";
const SOAP_11 = "http://schemas.xmlsoap.org/wsdl/soap/";
const SOAP_12 = "http://schemas.xmlsoap.org/wsdl/soap12/";

/** The body content type of each SOAP version. */
const CONTENT_TYPE: Record<string, string> = { [SOAP_11]: "text/xml", [SOAP_12]: "application/soap+xml" };

/** How many endpoints an error lists, so that its message stays small. */
const LISTED_ENDPOINTS = 10;

export interface WsdlSelector {
  wsdlServiceName?: string;
  wsdlEndpointName?: string;
}

interface SoapEndpoint {
  service: XmlElement;
  port: XmlElement;
  serviceName: string;
  portName: string;
  location: string;
}

export function readWsdl(text: string, selector: WsdlSelector | undefined, sourceUrl: string | undefined): ReadApi {
  checkDocumentSize(text);
  const definitions = rootOf(text);
  refuseImports(definitions);
  const endpoint = selectEndpoint(endpointsOf(definitions), selector);
  const index = new DefinitionIndex(definitions);
  const binding = index.named("binding", attribute(endpoint.port, "binding"));
  const soapBinding = binding.children.find((c) => c.localName === "binding" && CONTENT_TYPE[c.namespace]);
  if (!soapBinding) {
    throw new UnsupportedConstructError(
      `The binding ${quoted(attribute(binding, "name"))} of endpoint ${quoted(endpoint.portName)} is not a SOAP binding.`,
    );
  }
  refuseRpc(attribute(soapBinding, "style"), `The binding ${quoted(attribute(binding, "name"))}`);
  const portType = index.named("portType", attribute(binding, "type"));
  const operations = new BindingReader(index, portType, soapBinding.namespace).operations(binding);
  return defined({
    displayName: endpoint.serviceName,
    description: documentation(endpoint.service) ?? documentation(definitions),
    serviceUrl: absoluteServiceUrl(endpoint.location, sourceUrl),
    apiType: "soap" as const,
    operations,
    schemas: [],
  });
}

function rootOf(text: string): XmlElement {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    if (error instanceof XmlSyntaxError) {
      throw new DocumentParseError(`The document cannot be read as XML: ${error.message}.`);
    }
    throw error;
  }
  if (root.namespace === WSDL_20) {
    throw new UnsupportedConstructError("WSDL 2.0 documents are not supported: API Management imports WSDL 1.1.");
  }
  if (root.namespace !== WSDL || root.localName !== "definitions") {
    throw new DocumentParseError("The document is not a WSDL 1.1 document: its root element is not wsdl:definitions.");
  }
  return root;
}

function refuseImports(definitions: XmlElement): void {
  for (const child of definitions.children) {
    if (child.namespace === WSDL && child.localName === "import") {
      throw new UnsupportedConstructError(
        `wsdl:import (of ${quoted(attribute(child, "location"))}) is not supported: merge the imported document into this one.`,
      );
    }
    if (child.namespace !== WSDL || child.localName !== "types") continue;
    for (const schema of child.children) {
      for (const directive of schema.children) {
        if (directive.namespace !== XSD) continue;
        const location = attribute(directive, "schemaLocation");
        // An xsd:import without a location names a namespace defined by another schema of this document.
        const external =
          directive.localName === "include" ||
          directive.localName === "redefine" ||
          (directive.localName === "import" && location !== "");
        if (external) {
          throw new UnsupportedConstructError(
            `xsd:${directive.localName} (of ${quoted(location)}) is not supported: merge the referenced schema into the ` +
              "WSDL document's types.",
          );
        }
      }
    }
  }
}

function endpointsOf(definitions: XmlElement): SoapEndpoint[] {
  const endpoints: SoapEndpoint[] = [];
  for (const service of wsdlChildren(definitions, "service")) {
    for (const port of wsdlChildren(service, "port")) {
      const address = port.children.find((c) => c.localName === "address" && CONTENT_TYPE[c.namespace]);
      if (!address) continue; // an HTTP GET/POST endpoint: not SOAP
      endpoints.push({
        service,
        port,
        serviceName: attribute(service, "name"),
        portName: attribute(port, "name"),
        location: attribute(address, "location"),
      });
    }
  }
  return endpoints;
}

function selectEndpoint(endpoints: SoapEndpoint[], selector: WsdlSelector | undefined): SoapEndpoint {
  const serviceName = selector?.wsdlServiceName;
  const endpointName = selector?.wsdlEndpointName;
  const inService = serviceName === undefined ? endpoints : endpoints.filter((e) => e.serviceName === serviceName);
  if (serviceName !== undefined && inService.length === 0) {
    throw new WsdlSelectorError(
      `The WSDL document has no service ${quoted(serviceName)} with a SOAP endpoint. ${listed(endpoints)}`,
    );
  }
  const candidates = endpointName === undefined ? inService : inService.filter((e) => e.portName === endpointName);
  if (endpointName !== undefined && candidates.length === 0) {
    throw new WsdlSelectorError(`The WSDL document has no SOAP endpoint ${quoted(endpointName)}. ${listed(inService)}`);
  }
  const [only, other] = candidates;
  if (only === undefined) {
    throw new DocumentParseError(
      "The WSDL document defines no SOAP endpoint (a service port with a soap:address or soap12:address).",
    );
  }
  if (other !== undefined) {
    throw new WsdlSelectorError(
      "The WSDL document defines more than one SOAP endpoint: choose one with wsdlSelector " +
        `{ wsdlServiceName, wsdlEndpointName }. ${listed(candidates)}`,
    );
  }
  return only;
}

function listed(endpoints: SoapEndpoint[]): string {
  if (endpoints.length === 0) return "It defines no SOAP endpoint.";
  const names = endpoints.slice(0, LISTED_ENDPOINTS).map((e) => cut(`${e.serviceName}/${e.portName}`));
  return `Its SOAP endpoints (service/endpoint): ${names.join(", ")}${endpoints.length > LISTED_ENDPOINTS ? ", …" : ""}.`;
}

class BindingReader {
  private readonly names = new OperationNames();
  private readonly signatures = new OperationSignatures();
  private readonly contentType: string;
  /** The port type's operations by name (the first of overloaded ones). */
  private readonly abstract: Map<string, XmlElement>;

  constructor(
    private readonly index: DefinitionIndex,
    portType: XmlElement,
    private readonly soap: string,
  ) {
    this.contentType = CONTENT_TYPE[soap] as string;
    this.abstract = byName(wsdlChildren(portType, "operation"));
  }

  operations(binding: XmlElement): ImportedOperation[] {
    return wsdlChildren(binding, "operation").map((operation) => this.operation(operation));
  }

  private operation(operation: XmlElement): ImportedOperation {
    const name = attribute(operation, "name");
    const soapOperation = this.soapChild(operation, "operation");
    const action = soapOperation ? attribute(soapOperation, "soapAction") : "";
    refuseRpc(soapOperation ? attribute(soapOperation, "style") : "", `The operation ${quoted(name)}`);
    if (/[\s#&]/.test(action)) {
      throw new UnsupportedConstructError(
        `The SOAP action ${quoted(action)} of operation ${quoted(name)} holds whitespace, '#' or '&', which an operation's URL ` +
          "template cannot hold.",
      );
    }
    for (const direction of ["input", "output"]) {
      const body = wsdlChildren(operation, direction).map((d) => this.soapChild(d, "body"))[0];
      if (body && attribute(body, "use") === "encoded") {
        throw new UnsupportedConstructError(
          `The operation ${quoted(name)} uses SOAP encoding: only SOAP bindings of style document with literal encoding ` +
            "are supported.",
        );
      }
    }
    const abstract = this.abstract.get(name);
    if (!abstract) {
      throw new DocumentParseError(`The port type has no operation ${quoted(name)} for the binding's operation.`);
    }
    for (const direction of ["input", "output"]) {
      for (const message of wsdlChildren(abstract, direction)) this.refuseMultipart(attribute(message, "message"));
    }
    const urlTemplate = `/?soapAction=${action}`;
    this.signatures.add("POST", urlTemplate);
    const representations = [{ contentType: this.contentType }];
    return {
      name: this.names.allocate(name, "POST", urlTemplate),
      displayName: name.slice(0, 300),
      method: "POST",
      urlTemplate,
      description: documentation(abstract) ?? documentation(operation) ?? null,
      templateParameters: [],
      request: { queryParameters: [], headers: [], representations },
      // A one-way operation (no output) has no response to describe.
      responses:
        wsdlChildren(abstract, "output").length > 0
          ? [{ statusCode: 200, representations: [{ contentType: this.contentType }], headers: [] }]
          : [],
    };
  }

  private soapChild(element: XmlElement, localName: string): XmlElement | undefined {
    return element.children.find((c) => c.namespace === this.soap && c.localName === localName);
  }

  private refuseMultipart(messageName: string): void {
    const message = this.index.named("message", messageName);
    if (wsdlChildren(message, "part").length > 1) {
      throw new UnsupportedConstructError(
        `The message ${quoted(attribute(message, "name"))} has more than one part: messages with multiple parts are not ` +
          "supported.",
      );
    }
  }
}

function refuseRpc(style: string, what: string): void {
  if (style === "rpc") {
    throw new UnsupportedConstructError(
      `${what} uses the rpc style: only SOAP bindings of style document with literal encoding are supported.`,
    );
  }
}

function wsdlChildren(element: XmlElement, localName: string): XmlElement[] {
  return element.children.filter((c) => c.namespace === WSDL && c.localName === localName);
}

/** The document's bindings, port types and messages by name, so that each lookup is constant time. */
class DefinitionIndex {
  private readonly kinds = new Map<string, Map<string, XmlElement>>();

  constructor(private readonly definitions: XmlElement) {}

  /** The definition of a kind (`binding`, `portType`, `message`) a QName attribute names. */
  named(kind: string, qname: string): XmlElement {
    let definitions = this.kinds.get(kind);
    if (!definitions) {
      definitions = byName(wsdlChildren(this.definitions, kind));
      this.kinds.set(kind, definitions);
    }
    const localName = qname.slice(qname.indexOf(":") + 1);
    const found = definitions.get(localName);
    if (!found) throw new DocumentParseError(`The WSDL document has no ${kind} ${quoted(localName)}.`);
    return found;
  }
}

/** Elements by their `name`; the first of a name wins. */
function byName(elements: XmlElement[]): Map<string, XmlElement> {
  const map = new Map<string, XmlElement>();
  for (const element of elements) {
    const name = attribute(element, "name");
    if (!map.has(name)) map.set(name, element);
  }
  return map;
}

/** An unprefixed attribute's value; "" when it is absent. */
function attribute(element: XmlElement, localName: string): string {
  return element.attributes.find((a) => a.namespace === "" && a.localName === localName)?.value ?? "";
}

function documentation(element: XmlElement): string | undefined {
  const text = wsdlChildren(element, "documentation")[0]?.text.trim();
  return text === "" ? undefined : text;
}
