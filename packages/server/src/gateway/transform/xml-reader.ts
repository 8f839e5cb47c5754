/**
 * A small, strict, namespace-aware XML reader for message bodies (SOAP requests of the demo backend, xml-to-json):
 * processing instructions. Document type declarations are refused outright, so no entity can be defined or expanded;
 * only the five predefined entities and character references are decoded. Callers bound the input size; nesting depth
 * and the number of nodes are bounded here, and reading is linear in the input: attributes are checked for duplicates
 * through a set, and namespace scopes are per-prefix stacks that each element pushes its own declarations onto.
 */
import { MAX_BODY_NODES } from "./body-limits.js";
import { NamespaceScopes } from "./namespace-scopes.js";

export interface XmlAttribute {
  /** Namespace URI; "" for an unprefixed attribute. */
  namespace: string;
  /** The prefix as written ("" for none; `xmlns` for a prefixed namespace declaration). */
  prefix: string;
  localName: string;
  value: string;
}

export interface XmlElement {
  /** Namespace URI; "" when the element is in no namespace. */
  namespace: string;
  /** The prefix as written; "" for none. */
  prefix: string;
  localName: string;
  attributes: XmlAttribute[];
  children: XmlElement[];
  /** Character data directly inside this element (text and CDATA), in document order. */
  text: string;
}

export class XmlSyntaxError extends Error {
  override name = "XmlSyntaxError";
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} (line ${line}, column ${column})`);
  }
}

const MAX_DEPTH = 64;
const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";
const NAME = /[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*(?::[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*)?/y;
const PSEUDO_ATTRIBUTE = /\s+([A-Za-z][\w:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

interface RawAttribute {
  name: string;
  value: string;
  at: number;
}

export interface XmlDocument {
  /** The XML declaration's pseudo-attributes (`version`, `encoding`, `standalone`) as written, in order. */
  declaration: [name: string, value: string][];
  root: XmlElement;
}

/** Parses a whole document; throws XmlSyntaxError with the line and column. */
export function parseXmlDocument(source: string): XmlDocument {
  const reader = new Reader(source);
  const root = reader.document();
  return { declaration: reader.declaration, root };
}

/** Parses a whole document and returns its root element; throws XmlSyntaxError with the line and column. */
export function parseXml(source: string): XmlElement {
  return parseXmlDocument(source).root;
}

class Reader {
  private pos = 0;
  private nodes = 0;
  private readonly scopes = new NamespaceScopes([["xml", XML_NS]]);

  constructor(private readonly src: string) {
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  readonly declaration: [name: string, value: string][] = [];

  document(): XmlElement {
    if (this.src.startsWith("<?xml", this.pos) && /\s/.test(this.src[this.pos + 5] ?? "")) this.xmlDeclaration();
    this.misc();
    if (this.src.startsWith("<!DOCTYPE", this.pos)) this.fail("document type declarations are not allowed");
    if (this.src[this.pos] !== "<") this.fail(this.pos >= this.src.length ? "no root element" : "text before the root");
    const root = this.element(1);
    this.misc();
    if (this.pos < this.src.length) this.fail("content after the root element");
    return root;
  }

  /** `<?xml version="1.0" …?>`: pseudo-attributes read one at a time from where the last ended (linear). */
  private xmlDeclaration(): void {
    this.pos += 5;
    for (;;) {
      PSEUDO_ATTRIBUTE.lastIndex = this.pos;
      const m = PSEUDO_ATTRIBUTE.exec(this.src);
      if (!m) break;
      this.declaration.push([m[1] as string, m[2] ?? (m[3] as string)]);
      this.pos = PSEUDO_ATTRIBUTE.lastIndex;
    }
    this.skipSpace();
    if (!this.src.startsWith("?>", this.pos)) this.fail("malformed XML declaration");
    this.pos += 2;
  }

  /** Whitespace, comments and processing instructions outside the root element. */
  private misc(): void {
    for (;;) {
      this.skipSpace();
      if (this.src.startsWith("<!--", this.pos)) this.comment();
      else if (this.src.startsWith("<?", this.pos)) this.processingInstruction();
      else return;
    }
  }

  private element(depth: number): XmlElement {
    if (depth > MAX_DEPTH) this.fail(`elements nested deeper than ${MAX_DEPTH}`);
    const start = this.pos;
    this.count();
    this.pos++; // "<"
    const qname = this.name();
    const raw: RawAttribute[] = [];
    const names = new Set<string>();
    let selfClosing = false;
    for (;;) {
      const hadSpace = this.skipSpace();
      if (this.src.startsWith("/>", this.pos)) {
        this.pos += 2;
        selfClosing = true;
        break;
      }
      if (this.src[this.pos] === ">") {
        this.pos++;
        break;
      }
      if (!hadSpace) this.fail(this.pos >= this.src.length ? "unexpected end of input" : "expected whitespace");
      raw.push(this.attribute(names));
    }

    const declared: string[] = [];
    for (const a of raw) {
      if (a.name === "xmlns") {
        this.scopes.push("", a.value);
        declared.push("");
      } else if (a.name.startsWith("xmlns:")) {
        if (a.value === "") this.fail(`namespace prefix "${a.name.slice(6)}" bound to an empty URI`, a.at);
        this.scopes.push(a.name.slice(6), a.value);
        declared.push(a.name.slice(6));
      }
    }
    const [prefix, localName] = split(qname);
    const namespace = this.resolve(prefix, start);
    const attributes: XmlAttribute[] = [];
    for (const a of raw) {
      if (a.name === "xmlns" || a.name.startsWith("xmlns:")) {
        attributes.push({
          namespace: XMLNS_NS,
          prefix: a.name === "xmlns" ? "" : "xmlns",
          localName: a.name === "xmlns" ? "xmlns" : a.name.slice(6),
          value: a.value,
        });
        continue;
      }
      const [attrPrefix, attrLocal] = split(a.name);
      // Unprefixed attributes are in no namespace, whatever the default namespace is.
      const attrNs = attrPrefix === "" ? "" : this.resolve(attrPrefix, a.at);
      attributes.push({ namespace: attrNs, prefix: attrPrefix, localName: attrLocal, value: a.value });
    }

    const el: XmlElement = { namespace, prefix, localName, attributes, children: [], text: "" };
    if (!selfClosing) this.content(el, qname, start, depth);
    this.scopes.pop(declared);
    return el;
  }

  /** What is between an element's start and end tags, up to and including the end tag. */
  private content(el: XmlElement, qname: string, start: number, depth: number): void {
    for (;;) {
      const lt = this.src.indexOf("<", this.pos);
      if (lt < 0) this.fail(`element <${qname}> is not closed`, start);
      if (lt > this.pos) el.text += this.characters(this.pos, lt);
      this.pos = lt;
      if (this.src.startsWith("</", this.pos)) {
        const closeAt = this.pos;
        this.pos += 2;
        const closing = this.name();
        if (closing !== qname) this.fail(`</${closing}> does not close <${qname}>`, closeAt);
        this.skipSpace();
        if (this.src[this.pos] !== ">") this.fail("expected >");
        this.pos++;
        return;
      }
      if (this.src.startsWith("<![CDATA[", this.pos)) {
        const end = this.src.indexOf("]]>", this.pos + 9);
        if (end < 0) this.fail("unterminated CDATA section");
        el.text += this.src.slice(this.pos + 9, end);
        this.pos = end + 3;
      } else if (this.src.startsWith("<!--", this.pos)) this.comment();
      else if (this.src.startsWith("<?", this.pos)) this.processingInstruction();
      else if (this.src.startsWith("<!", this.pos)) this.fail("markup declarations are not allowed");
      else el.children.push(this.element(depth + 1));
    }
  }

  private attribute(seen: Set<string>): RawAttribute {
    const at = this.pos;
    this.count();
    const name = this.name();
    if (seen.has(name)) this.fail(`duplicate attribute ${name}`, at);
    seen.add(name);
    this.skipSpace();
    if (this.src[this.pos] !== "=") this.fail(`expected = after ${name}`);
    this.pos++;
    this.skipSpace();
    const quote = this.src[this.pos];
    if (quote !== '"' && quote !== "'") this.fail("attribute values must be quoted");
    const end = this.src.indexOf(quote, this.pos + 1);
    if (end < 0) this.fail("unterminated attribute value");
    const rawValue = this.src.slice(this.pos + 1, end);
    if (rawValue.includes("<")) this.fail("< is not allowed in an attribute value");
    const value = this.decode(rawValue, this.pos + 1).replace(/[\t\n\r]/g, " ");
    this.pos = end + 1;
    return { name, value, at };
  }

  private characters(from: number, to: number): string {
    const raw = this.src.slice(from, to);
    const bad = raw.indexOf("]]>");
    if (bad >= 0) this.fail("]]> is not allowed in text", from + bad);
    return this.decode(raw, from);
  }

  /** Replaces the predefined entities and character references; anything else is an error. */
  private decode(raw: string, offset: number): string {
    if (!raw.includes("&")) return raw;
    return raw.replace(/&([^;&\s]*);?/g, (match, ref: string, index: number) => {
      const at = offset + index;
      if (!match.endsWith(";")) this.fail("& must start an entity or character reference", at);
      const predefined = PREDEFINED[ref];
      if (predefined !== undefined) return predefined;
      const numeric = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
      if (!numeric) this.fail(`undefined entity &${ref};`, at);
      const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
      if (!isXmlChar(code)) this.fail(`character reference &${ref}; is not a legal XML character`, at);
      return String.fromCodePoint(code);
    });
  }

  private comment(): void {
    const end = this.src.indexOf("-->", this.pos + 4);
    if (end < 0) this.fail("unterminated comment");
    this.pos = end + 3;
  }

  private processingInstruction(): void {
    const target = /^<\?([A-Za-z_][\w.-]*)/.exec(this.src.slice(this.pos, this.pos + 64));
    if (!target?.[1] || target[1].toLowerCase() === "xml")
      this.fail("misplaced XML declaration or bad processing instruction");
    this.skipPast("?>");
  }

  private name(): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.src);
    if (!m) this.fail("expected a name");
    this.pos += m[0].length;
    return m[0];
  }

  private count(): void {
    if (++this.nodes > MAX_BODY_NODES) this.fail(`more than ${MAX_BODY_NODES} elements and attributes`);
  }

  private resolve(prefix: string, at: number): string {
    const ns = this.scopes.get(prefix);
    if (ns === undefined) {
      if (prefix === "") return "";
      this.fail(`namespace prefix "${prefix}" is not declared`, at);
    }
    return ns;
  }

  private skipSpace(): boolean {
    const from = this.pos;
    while (this.pos < this.src.length && " \t\r\n".includes(this.src[this.pos] ?? "")) this.pos++;
    return this.pos > from;
  }

  private skipPast(terminator: string): void {
    const end = this.src.indexOf(terminator, this.pos);
    if (end < 0) this.fail(`missing ${terminator}`);
    this.pos = end + terminator.length;
  }

  private fail(reason: string, at = this.pos): never {
    const before = this.src.slice(0, at);
    const line = before.split("\n").length;
    const column = at - before.lastIndexOf("\n");
    throw new XmlSyntaxError(reason, line, column);
  }
}

function split(qname: string): [prefix: string, localName: string] {
  const colon = qname.indexOf(":");
  return colon < 0 ? ["", qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}
