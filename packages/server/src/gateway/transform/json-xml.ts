/**
 * JSON ⇄ XML as json-to-xml and xml-to-json convert bodies (reference apim.md §2.25), also used to bind an XML body in
 * Liquid templates. The shapes follow APIM's observed output; what could not be observed is marked [inf].
 *
 * xml-to-json, `direct`: the XML declaration's fields at the top level (`"version": "1.0"`), names with their prefix
 * and `$` for `:` (`soap$Envelope`), attributes and namespace declarations as `@name`, text beside attributes or
 * elements as `#text`, repeated elements as arrays, an empty element as null. `javascript-friendly` [inf]: the same
 * without the declaration, namespace declarations and prefixes.
 *
 * json-to-xml: an object with a single object-valued property becomes that element, anything else is wrapped in
 * `<Document>`; arrays repeat their element, null is `xsi:nil="true"`, booleans are `True`/`False`, numbers are
 * written as sent, and with parse-date ISO 8601 date-times are rewritten as .NET writes them back. Properties named
 * `@x` and those in the attribute block become attributes, `#text` becomes text, and with namespace-prefix properties
 * such as `xmlns_soap` declare prefixes that `soap_Envelope` then uses (namespace-separator `_`).
 */
import { MAX_BUFFERED_BODY } from "../pipeline/body-buffer.js";
import { parseXmlDocument, XmlSyntaxError, type XmlDocument, type XmlElement } from "./xml-reader.js";
import { JsonSyntaxError, readJson, type JsonNode } from "./json-reader.js";
import { NamespaceScopes } from "./namespace-scopes.js";
import { escapeXmlAttribute, escapeXmlText } from "./xml-escape.js";

/** The body is not the JSON or XML the conversion expects. */
export class BodyFormatError extends Error {
  override name = "BodyFormatError";
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface XmlToJsonOptions {
  readonly kind: "javascript-friendly" | "direct";
  readonly alwaysArrayChildElements: boolean;
  /** For Liquid's binding (set-body xsi-nil): what an element marked `xsi:nil="true"` is. */
  readonly nil?: "blank" | "null";
}

const XMLNS = "http://www.w3.org/2000/xmlns/";
const XSI = "http://www.w3.org/2001/XMLSchema-instance";

/** An object without a prototype, so that a body's `__proto__` element is just a property. */
function record(): { [key: string]: JsonValue } {
  return Object.create(null) as { [key: string]: JsonValue };
}

export function xmlToJsonValue(xml: string, options: XmlToJsonOptions): { [key: string]: JsonValue } {
  let document: XmlDocument;
  try {
    document = parseXmlDocument(xml);
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw new BodyFormatError(`The body is not well-formed XML: ${error.message}`);
    throw error;
  }
  const { declaration, root } = document;
  const out = record();
  if (options.kind === "direct") for (const [name, value] of declaration) out[name] = value;
  out[jsonName(root.prefix, root.localName, options)] = elementValue(root, options);
  return out;
}

export function xmlToJson(xml: string, options: XmlToJsonOptions): string {
  return JSON.stringify(xmlToJsonValue(xml, options));
}

function jsonName(prefix: string, localName: string, options: XmlToJsonOptions): string {
  return prefix === "" || options.kind === "javascript-friendly" ? localName : `${prefix}$${localName}`;
}

function elementValue(element: XmlElement, options: XmlToJsonOptions): JsonValue {
  const attributes = element.attributes.filter((a) => options.kind === "direct" || a.namespace !== XMLNS);
  if (
    options.nil !== undefined &&
    attributes.some((a) => a.namespace === XSI && a.localName === "nil" && a.value === "true")
  ) {
    return options.nil === "null" ? null : "";
  }
  if (element.children.length === 0 && attributes.length === 0) return element.text === "" ? null : element.text;
  const out = record();
  for (const attribute of attributes)
    out[`@${jsonName(attribute.prefix, attribute.localName, options)}`] = attribute.value;
  if (/\S/.test(element.text) || (element.children.length === 0 && element.text !== "")) out["#text"] = element.text;
  const groups = new Map<string, JsonValue[]>();
  for (const child of element.children) {
    const name = jsonName(child.prefix, child.localName, options);
    const group = groups.get(name);
    if (group) group.push(elementValue(child, options));
    else groups.set(name, [elementValue(child, options)]);
  }
  for (const [name, values] of groups) {
    out[name] = values.length > 1 || options.alwaysArrayChildElements ? values : (values[0] as JsonValue);
  }
  return out;
}

export interface JsonToXmlOptions {
  readonly parseDate: boolean;
  /** Between a namespace prefix and the local name in property names (`_`). */
  readonly namespaceSeparator: string;
  /** Properties named this (or this, the separator and a prefix) declare namespaces; undefined: none do. */
  readonly namespacePrefix: string | undefined;
  /** An object property whose properties become the element's attributes. */
  readonly attributeBlockName: string | undefined;
}

interface Element {
  name: string;
  attributes: [string, string][];
  children: (Element | string)[];
}

const NIL: [string, string][] = [
  ["xsi:nil", "true"],
  ["xmlns:xsi", XSI],
];

export function jsonToXml(json: string, options: JsonToXmlOptions): string {
  let root: JsonNode;
  try {
    root = readJson(json);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new BodyFormatError(`The body is not valid JSON: ${error.message}`);
    throw error;
  }
  const converter = new JsonToXml(options);
  const single = root.kind === "object" && root.properties.length === 1 ? root.properties[0] : undefined;
  const element =
    single !== undefined && single[1].kind === "object"
      ? converter.elements(single[0], single[1])[0]
      : converter.document(root);
  const out = new BoundedText(MAX_BUFFERED_BODY);
  serialise(element as Element, "", out);
  return out.text();
}

class JsonToXml {
  /** The prefixes declared by the elements being written (the URI is not needed, only that one is in scope). */
  private readonly scopes = new NamespaceScopes();
  private readonly encodedNames = new Map<string, string>();

  constructor(private readonly options: JsonToXmlOptions) {}

  /** `<Document>` around a value that is not a single named object [inf for arrays: items are `<Array>`]. */
  document(root: JsonNode): Element {
    if (root.kind === "object") return this.element("Document", root);
    if (root.kind === "array") return { name: "Document", attributes: [], children: this.elements("Array", root) };
    return this.elements("Document", root)[0] as Element;
  }

  /** The elements a property gives: one per array item, else one. */
  elements(key: string, value: JsonNode): Element[] {
    if (value.kind === "array") {
      if (value.items.length === 0) return [{ name: this.name(key), attributes: [], children: [] }];
      return value.items.flatMap((item) => this.elements(key, item));
    }
    if (value.kind === "object") return [this.element(key, value)];
    const name = this.name(key);
    if (value.kind === "null") return [{ name, attributes: [...NIL], children: [] }];
    const text = this.text(value);
    return [{ name, attributes: [], children: text === "" ? [] : [text] }];
  }

  private element(key: string, value: Extract<JsonNode, { kind: "object" }>): Element {
    const { namespacePrefix, namespaceSeparator, attributeBlockName } = this.options;
    const declared: string[] = [];
    const attributes: [string, string][] = [];
    for (const [name, property] of value.properties) {
      if (namespacePrefix === undefined || property.kind === "object" || property.kind === "array") continue;
      if (name === namespacePrefix) attributes.push(["xmlns", this.text(property)]);
      else if (name.startsWith(namespacePrefix + namespaceSeparator)) {
        const prefix = name.slice(namespacePrefix.length + namespaceSeparator.length);
        this.scopes.push(prefix, "");
        declared.push(prefix);
        attributes.push([`xmlns:${this.encoded(prefix)}`, this.text(property)]);
      }
    }
    const element: Element = { name: this.name(key), attributes, children: [] };
    for (const [name, property] of value.properties) {
      if (
        namespacePrefix !== undefined &&
        (name === namespacePrefix || name.startsWith(namespacePrefix + namespaceSeparator))
      ) {
        if (property.kind !== "object" && property.kind !== "array") continue;
      }
      if (name === attributeBlockName && property.kind === "object") {
        for (const [attribute, attributeValue] of property.properties) {
          attributes.push([this.name(attribute), this.text(attributeValue)]);
        }
      } else if (name.startsWith("@") && property.kind !== "object" && property.kind !== "array") {
        attributes.push([this.name(name.slice(1)), this.text(property)]);
      } else if (name === "#text") {
        element.children.push(this.text(property));
      } else {
        // One push per element: spreading a large array as arguments would overflow the stack.
        for (const child of this.elements(name, property)) element.children.push(child);
      }
    }
    this.scopes.pop(declared);
    return element;
  }

  /**
   * A property name as an element or attribute name: a declared prefix kept, other characters XML-encoded. Encodings
   * are remembered: an array repeats its property's name once per item, and a long name must not cost that often.
   */
  private name(key: string): string {
    const separator = this.options.namespaceSeparator;
    const at = separator === "" ? -1 : key.indexOf(separator);
    if (at > 0 && this.scopes.get(key.slice(0, at)) !== undefined) {
      return `${this.encoded(key.slice(0, at))}:${this.encoded(key.slice(at + separator.length))}`;
    }
    return this.encoded(key);
  }

  private encoded(name: string): string {
    let encoded = this.encodedNames.get(name);
    if (encoded === undefined) {
      encoded = encodeName(name);
      this.encodedNames.set(name, encoded);
    }
    return encoded;
  }

  private text(value: JsonNode): string {
    switch (value.kind) {
      case "string":
        return this.options.parseDate ? (roundTripDate(value.value) ?? value.value) : value.value;
      case "number":
        return value.text;
      case "boolean":
        return value.value ? "True" : "False";
      case "null":
        return "";
      default:
        return JSON.stringify(toPlain(value));
    }
  }
}

function toPlain(node: JsonNode): JsonValue {
  switch (node.kind) {
    case "object": {
      const out = record();
      for (const [name, value] of node.properties) out[name] = toPlain(value);
      return out;
    }
    case "array":
      return node.items.map(toPlain);
    case "string":
      return node.value;
    case "number":
      return Number(node.text);
    case "boolean":
      return node.value;
    case "null":
      return null;
  }
}

const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * An ISO 8601 date-time as Json.NET reads it and XmlConvert writes it back (round-trip kind): trailing fraction zeros
 * dropped, an offset converted to the gateway's local time, UTC [inf]; undefined for anything else.
 */
function roundTripDate(value: string): string | undefined {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return undefined;
  const [, dateTime, fraction = "", zone] = match;
  const digits = fraction.replace(/0+$/, "");
  const withFraction = (base: string) => (digits === "" ? base : `${base}.${digits}`);
  if (zone === undefined || zone === "Z") return `${withFraction(dateTime as string)}${zone ?? ""}`;
  const time = Date.parse(`${dateTime}${zone}`);
  if (Number.isNaN(time)) return undefined;
  return `${withFraction(new Date(time).toISOString().slice(0, 19))}+00:00`;
}

/** XmlConvert.EncodeLocalName: a character not allowed at its place in a name becomes `_xHHHH_`. */
function encodeName(name: string): string {
  if (name === "") return "_";
  let out = "";
  let first = true;
  for (const c of name) {
    const allowed = first ? /[A-Za-z_\u00C0-\uFFFF]/.test(c) : /[\w.\-\u00B7-\uFFFF]/.test(c);
    out += allowed ? c : `_x${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0")}_`;
    first = false;
  }
  return out;
}

/**
 * Text built from pieces and joined once, refused beyond `max` characters: a long property name repeated by a large
 * array would otherwise make the XML far larger than the JSON.
 */
class BoundedText {
  private readonly parts: string[] = [];
  private length = 0;

  constructor(private readonly max: number) {}

  push(...pieces: string[]): void {
    for (const piece of pieces) {
      this.length += piece.length;
      this.parts.push(piece);
    }
    if (this.length > this.max) throw new BodyFormatError(`The XML would be longer than ${this.max} characters`);
  }

  text(): string {
    return this.parts.join("");
  }
}

/**
 * Indented by two spaces, as XDocument.ToString() writes; an element holding text is written on one line. Pieces go to
 * `out`, joined once by the caller: building each element's text from its children's would copy deep content per level.
 */
function serialise(element: Element, indent: string, out: BoundedText): void {
  out.push(indent, "<", element.name);
  for (const [name, value] of element.attributes) out.push(" ", name, '="', escapeXmlAttribute(value), '"');
  if (element.children.length === 0) {
    out.push(" />");
    return;
  }
  out.push(">");
  if (element.children.some((child) => typeof child === "string")) {
    for (const child of element.children) {
      if (typeof child === "string") out.push(escapeXmlText(child));
      else serialise(child, "", out);
    }
  } else {
    const inner = `${indent}  `;
    for (const child of element.children) {
      out.push("\n");
      serialise(child as Element, inner, out);
    }
    out.push("\n", indent);
  }
  out.push("</", element.name, ">");
}
