import type { IncomingMessage, ServerResponse } from "node:http";
import { NUMBER_CONVERSION_NS, numberConversionWsdl } from "./number-conversion-wsdl.js";
import { MAX_UNSIGNED_LONG, centsToDollars, numberToWords } from "./number-words.js";
import { BodyTooLargeError, readBody } from "./request-body.js";
import {
  SOAP11_ENVELOPE_NS,
  SOAP12_ENVELOPE_NS,
  SOAP_CONTENT_TYPE,
  SoapFault,
  escapeXml,
  faultEnvelope,
  soapEnvelope,
} from "./soap.js";
import { XmlSyntaxError, parseXml, type XmlElement } from "../../gateway/transform/xml-reader.js";

/** Larger request bodies are answered with a fault without being parsed. */
export const NUMBERS_BODY_LIMIT = 64 * 1024;

interface Operation {
  /** The request element's single parameter (qualified in the service namespace, or unqualified). */
  parameter: string;
  /** The result text for the parameter's text, or a SoapFault. */
  answer(value: string): string;
}

const OPERATIONS = new Map<string, Operation>([
  ["NumberToWords", { parameter: "ubiNum", answer: (value) => numberToWords(parseUnsignedLong(value)) }],
  ["NumberToDollars", { parameter: "dNum", answer: (value) => centsToDollars(parseDecimalCents(value)) }],
]);
const OPERATION_NAMES = [...OPERATIONS.keys()].join(", ");

/**
 * A SOAP 1.1 NumberConversion service like the public DataFlex one: POST an envelope with `<NumberToWords>` (or
 * `<NumberToDollars>`) to any path, `GET ?wsdl` for the description. Every failure is HTTP 500 with a SOAP Fault.
 */
export async function handleNumberConversion(req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" || req.method === "HEAD") {
      if ([...url.searchParams.keys()].some((k) => k.toLowerCase() === "wsdl")) {
        const location = `http://${req.headers.host ?? "localhost"}${url.pathname}`;
        return send(res, 200, numberConversionWsdl(location));
      }
    }
    if (req.method !== "POST") {
      res.setHeader("allow", "GET, HEAD, POST");
      throw new SoapFault(
        "Client",
        `The HTTP method ${req.method} is not supported: POST a SOAP 1.1 envelope, or GET ?wsdl for the service description.`,
      );
    }
    const result = await invoke(req);
    send(res, 200, soapEnvelope(result));
  } catch (error) {
    if (error instanceof BodyTooLargeError) res.setHeader("connection", "close");
    send(res, 500, faultEnvelope(asFault(error)));
  }
}

async function invoke(req: IncomingMessage): Promise<string> {
  const action = soapAction(req.headers.soapaction);
  if (action !== undefined && actionOperation(action) === undefined) {
    throw new SoapFault("Client", `The SOAPAction ${shown(action)} is not an operation of this service.`);
  }
  checkContentType(req.headers["content-type"]);
  const envelope = parseEnvelope(await readBody(req, NUMBERS_BODY_LIMIT));
  const request = operationElement(envelope);
  const name = request.localName;
  const operation = request.namespace === NUMBER_CONVERSION_NS ? OPERATIONS.get(name) : undefined;
  if (!operation) {
    throw new SoapFault(
      "Client",
      `The element ${shown(request.localName)} in namespace ${shown(request.namespace)} is not an operation of this ` +
        `service (${OPERATION_NAMES} in ${NUMBER_CONVERSION_NS}).`,
    );
  }
  if (action !== undefined && actionOperation(action) !== name) {
    throw new SoapFault("Client", `The SOAPAction ${shown(action)} does not match the request element ${name}.`);
  }
  const result = operation.answer(parameterText(request, operation.parameter));
  const m = (local: string) => `m:${name}${local}`;
  return (
    `<${m("Response")} xmlns:m="${NUMBER_CONVERSION_NS}">` +
    `<${m("Result")}>${escapeXml(result)}</${m("Result")}></${m("Response")}>`
  );
}

/** The SOAPAction header without its quotes; undefined when absent or empty (SOAP 1.1: intent unspecified). */
function soapAction(header: string | string[] | undefined): string | undefined {
  // node joins a repeated unknown header into one string; an array never arrives for this name.
  const value = (typeof header === "string" ? header : undefined)?.trim().replace(/^"(.*)"$/s, "$1");
  return value ? value : undefined;
}

function actionOperation(action: string): string | undefined {
  if (!action.startsWith(NUMBER_CONVERSION_NS)) return undefined;
  const name = action.slice(NUMBER_CONVERSION_NS.length);
  return OPERATIONS.has(name) ? name : undefined;
}

function checkContentType(header: string | undefined): void {
  const [type = "", ...params] = (header ?? "").split(";").map((p) => p.trim().toLowerCase());
  if (type === "application/soap+xml") {
    throw new SoapFault(
      "VersionMismatch",
      "SOAP 1.2 (application/soap+xml) is not supported; send SOAP 1.1 as text/xml.",
    );
  }
  if (type !== "text/xml") {
    throw new SoapFault("Client", `The content type ${shown(type || "(none)")} is not text/xml.`);
  }
  const charset = params
    .find((p) => p.startsWith("charset="))
    ?.slice(8)
    .replace(/^"(.*)"$/, "$1");
  if (charset !== undefined && charset !== "utf-8") {
    throw new SoapFault("Client", `The charset ${shown(charset)} is not supported; send utf-8.`);
  }
}

function parseEnvelope(body: Buffer): XmlElement {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    throw new SoapFault("Client", "The request body is not valid UTF-8.");
  }
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    if (error instanceof XmlSyntaxError)
      throw new SoapFault("Client", `The request is not well-formed XML: ${error.message}.`);
    throw error;
  }
  if (root.localName !== "Envelope") {
    throw new SoapFault("Client", `The root element ${shown(root.localName)} is not a SOAP Envelope.`);
  }
  if (root.namespace !== SOAP11_ENVELOPE_NS) {
    const version =
      root.namespace === SOAP12_ENVELOPE_NS ? "SOAP 1.2 envelopes are not supported" : "unknown namespace";
    throw new SoapFault("VersionMismatch", `The Envelope is not in ${SOAP11_ENVELOPE_NS} (${version}).`);
  }
  return root;
}

/** The single element in the Body, after refusing header blocks marked mustUnderstand (none is understood). */
function operationElement(envelope: XmlElement): XmlElement {
  const inSoap = (el: XmlElement, name: string) => el.localName === name && el.namespace === SOAP11_ENVELOPE_NS;
  for (const block of envelope.children.find((el) => inSoap(el, "Header"))?.children ?? []) {
    const must = block.attributes.find((a) => a.localName === "mustUnderstand" && a.namespace === SOAP11_ENVELOPE_NS);
    if (must?.value.trim() === "1") {
      throw new SoapFault("MustUnderstand", `The header block ${shown(block.localName)} is not understood.`);
    }
  }
  const body = envelope.children.find((el) => inSoap(el, "Body"));
  if (!body) throw new SoapFault("Client", "The envelope has no soap:Body.");
  const [request, ...more] = body.children;
  if (!request) throw new SoapFault("Client", "The soap:Body is empty.");
  if (more.length > 0) throw new SoapFault("Client", "The soap:Body holds more than one element.");
  return request;
}

function parameterText(request: XmlElement, parameter: string): string {
  const found = request.children.filter(
    (el) => el.localName === parameter && (el.namespace === NUMBER_CONVERSION_NS || el.namespace === ""),
  );
  const [element, ...more] = found;
  if (!element) throw new SoapFault("Client", `${request.localName}: the parameter ${parameter} is missing.`);
  if (more.length > 0) throw new SoapFault("Client", `${request.localName}: the parameter ${parameter} is repeated.`);
  if (element.children.length > 0) {
    throw new SoapFault("Client", `${request.localName}: ${parameter} must hold a number, not elements.`);
  }
  return element.text;
}

/** xs:unsignedLong: digits with an optional "+", surrounding whitespace ignored. */
function parseUnsignedLong(text: string): bigint {
  const value = text.trim();
  const invalid = (why: string) =>
    new SoapFault(
      "Client",
      `${shown(value)} is not a valid ubiNum (xs:unsignedLong, 0 to ${MAX_UNSIGNED_LONG}): ${why}.`,
    );
  if (value === "") throw invalid("the value is empty");
  if (/^-\d+$/.test(value)) throw invalid("negative numbers are not allowed");
  if (!/^\+?\d+$/.test(value)) throw invalid("only digits are allowed");
  const n = BigInt(value);
  if (n > MAX_UNSIGNED_LONG) throw invalid("the number is too large");
  return n;
}

/** xs:decimal, non-negative, rounded half up to whole cents. */
function parseDecimalCents(text: string): bigint {
  const value = text.trim();
  const invalid = (why: string) => new SoapFault("Client", `${shown(value)} is not a valid dNum (xs:decimal): ${why}.`);
  if (/^-/.test(value)) throw invalid("negative amounts are not allowed");
  const m = /^\+?(\d*)(?:\.(\d*))?$/.exec(value);
  const whole = m?.[1] ?? "";
  const fraction = m?.[2] ?? "";
  if (!m || whole + fraction === "") throw invalid("expected digits with an optional decimal point");
  const cents = BigInt(whole || "0") * 100n + BigInt(fraction.slice(0, 2).padEnd(2, "0"));
  const rounded = (fraction[2] ?? "0") >= "5" ? cents + 1n : cents;
  if (rounded / 100n > MAX_UNSIGNED_LONG) throw invalid("the amount is too large");
  return rounded;
}

/** A client-supplied value quoted for a fault message, cut short so a fault never echoes a whole request. */
function shown(value: string): string {
  return `'${value.length > 60 ? `${value.slice(0, 60)}…` : value}'`;
}

function asFault(error: unknown): SoapFault {
  if (error instanceof SoapFault) return error;
  if (error instanceof BodyTooLargeError) {
    return new SoapFault("Client", `The request body exceeds ${error.limit} bytes.`);
  }
  // Nothing internal reaches the client.
  return new SoapFault("Server", "Server was unable to process request.");
}

function send(res: ServerResponse, status: number, xml: string): void {
  const body = Buffer.from(xml, "utf8");
  res.writeHead(status, { "content-type": SOAP_CONTENT_TYPE, "content-length": body.length });
  res.end(body);
}
