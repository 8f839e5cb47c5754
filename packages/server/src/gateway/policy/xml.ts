/**
 * The XML reader for policy documents. API Management documents are often not well-formed XML: C# expressions
 * `@(...)` and `@{...}` hold raw `"`, `<` and `&&` (reference apim.md §3.1). This reader treats an attribute value or
 * a text run that starts with `@(`/`@{` as an expression and scans it as C# up to its balanced end.
 */
// Hand-written rather than fast-xml-parser: that gives no element positions, and every load error needs line and column.
import { MAX_EXPRESSION_NESTING } from "../expressions/lexer.js";
import { PolicyLoadError, type SourcePosition } from "./definition.js";

export interface XmlAttribute {
  name: string;
  value: string;
  position: SourcePosition;
  /** Where the value starts, after the quote: expression errors point inside it. */
  valuePosition: SourcePosition;
  /** The value is a policy expression (`@(…)`/`@{…}`), kept as written with entities decoded. */
  expression: boolean;
}

export interface XmlElement {
  kind: "element";
  name: string;
  attributes: XmlAttribute[];
  children: XmlNode[];
  position: SourcePosition;
}

/** Character data: adjacent text and CDATA (across comments) form one node; an expression is a node of its own. */
export interface XmlText {
  kind: "text";
  value: string;
  position: SourcePosition;
  expression: boolean;
}

export type XmlNode = XmlElement | XmlText;

/** Where a text node's first non-whitespace character is (its own position when it has none). */
export function contentPosition(text: XmlText): SourcePosition {
  const leading = /^\s*/.exec(text.value)?.[0] ?? "";
  if (leading.length === text.value.length) return text.position;
  const lastBreak = leading.lastIndexOf("\n");
  if (lastBreak < 0) return { line: text.position.line, column: text.position.column + leading.length };
  const lines = leading.split("\n").length - 1;
  return { line: text.position.line + lines, column: leading.length - lastBreak };
}

/** Parses a whole document and returns its root element; throws PolicyLoadError with the offending position. */
export function parseXml(source: string): XmlElement {
  return new XmlParser(source).document();
}

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const DQUOTE = 34;
const AMP = 38;
const SQUOTE = 39;
const SLASH = 47;
const LT = 60;
const GT = 62;

/** Far beyond any real policy (choose inside choose …); what reads the tree may recurse this deep. */
const MAX_DEPTH = 100;
/** API Management's limit on a policy document's size (256 KiB), counted here in characters. */
export const MAX_POLICY_DOCUMENT_LENGTH = 256 * 1024;
/** Far beyond any policy element (the widest, validate-jwt, has a dozen): a document is no attribute store. */
export const MAX_ATTRIBUTES_PER_ELEMENT = 64;

const PREDEFINED = new Map([
  ["lt", "<"],
  ["gt", ">"],
  ["amp", "&"],
  ["quot", '"'],
  ["apos", "'"],
]);

/** Text that (after leading whitespace) starts a policy expression. */
export const EXPRESSION_START = /^\s*@[({]/;

const isSpace = (c: number): boolean => c === SPACE || c === LF || c === CR || c === TAB;

const isNameStart = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7);

const isNameChar = (c: number): boolean => isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 0xb7;

const isXmlChar = (cp: number): boolean =>
  cp === TAB ||
  cp === LF ||
  cp === CR ||
  (cp >= 0x20 && cp <= 0xd7ff) ||
  (cp >= 0xe000 && cp <= 0xfffd) ||
  (cp >= 0x10000 && cp <= 0x10ffff);

/** Thrown by the expression scanner when the document ends inside an expression. */
class EndOfDocument extends Error {}

/** Thrown by the expression scanner at interpolated strings nested deeper than expressions may be. */
class NestedTooDeep extends Error {}

class XmlParser {
  private pos = 0;
  private readonly lineStarts: number[];
  /** Character data read since the last tag, waiting to become one text node. */
  private pendingText = "";
  private pendingAt = -1;
  /** An expression text node was just read: only whitespace and comments may follow before the next tag. */
  private afterExpression = false;

  constructor(private readonly src: string) {
    this.lineStarts = lineStarts(src);
  }

  document(): XmlElement {
    const src = this.src;
    if (src.length > MAX_POLICY_DOCUMENT_LENGTH) {
      throw new PolicyLoadError(
        `The policy document is ${src.length} characters long, more than the ${MAX_POLICY_DOCUMENT_LENGTH} a policy may have`,
        undefined,
      );
    }
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1;
    if (src.startsWith("<?xml", this.pos) && isSpace(src.charCodeAt(this.pos + 5))) {
      this.pos = this.skipPast("?>", this.pos, "the XML declaration");
    }
    this.misc();
    if (this.pos >= src.length) this.fail("The document has no root element", this.pos);
    const root = this.element();
    this.misc();
    if (this.pos < src.length) this.fail(`Unexpected content after the root element '${root.name}'`, this.pos);
    return root;
  }

  /** Whitespace and comments around the root element. */
  private misc(): void {
    const src = this.src;
    for (;;) {
      this.skipWhitespace();
      if (this.pos >= src.length) return;
      if (src.startsWith("<!--", this.pos)) this.pos = this.skipPast("-->", this.pos, "comment");
      else if (src.charCodeAt(this.pos) !== LT) this.fail("Text is not allowed outside the root element", this.pos);
      else if (src.startsWith("<!", this.pos) || src.startsWith("<?", this.pos)) this.refuseMarkup(this.pos);
      else return;
    }
  }

  private element(): XmlElement {
    const src = this.src;
    const rootAt = this.pos;
    const first = this.startTag();
    if (first.selfClosing) return first.element;
    const stack: XmlElement[] = [first.element];
    const starts: number[] = [rootAt];
    while (stack.length > 0) {
      const current = stack[stack.length - 1] as XmlElement;
      const at = this.pos;
      if (at >= src.length) {
        this.fail(
          `Unexpected end of document: element '${current.name}' is not closed`,
          starts[starts.length - 1] as number,
        );
      }
      if (src.charCodeAt(at) !== LT) {
        this.text(current);
      } else if (src.charCodeAt(at + 1) === SLASH) {
        this.pos = at + 2;
        const name = this.name() ?? this.fail("Expected an element name after '</'", this.pos);
        this.skipWhitespace();
        if (src.charCodeAt(this.pos) !== GT) this.fail(`Expected '>' to end the closing tag '${name}'`, this.pos);
        if (name !== current.name) this.fail(`Closing tag '${name}' does not match '${current.name}'`, at);
        this.pos++;
        this.flushText(current);
        stack.pop();
        starts.pop();
      } else if (src.startsWith("<!--", at)) {
        this.pos = this.skipPast("-->", at, "comment");
      } else if (src.startsWith("<![CDATA[", at)) {
        const end = src.indexOf("]]>", at + 9);
        if (end < 0) this.fail("Unexpected end of document: CDATA section is not closed", at);
        this.addText(normaliseLineBreaks(src.slice(at + 9, end)), at);
        this.pos = end + 3;
      } else if (src.startsWith("<!", at) || src.startsWith("<?", at)) {
        this.refuseMarkup(at);
      } else {
        this.flushText(current);
        const child = this.startTag();
        current.children.push(child.element);
        if (!child.selfClosing) {
          if (stack.length >= MAX_DEPTH) this.fail(`Elements are nested more than ${MAX_DEPTH} levels deep`, at);
          stack.push(child.element);
          starts.push(at);
        }
      }
    }
    return first.element;
  }

  private startTag(): { element: XmlElement; selfClosing: boolean } {
    const src = this.src;
    const at = this.pos;
    this.pos++;
    const name = this.name() ?? this.fail("Expected an element name after '<'", this.pos);
    const element: XmlElement = { kind: "element", name, attributes: [], children: [], position: this.position(at) };
    const names = new Set<string>();
    for (;;) {
      const spaced = this.skipWhitespace();
      if (this.pos >= src.length) this.fail(`Unexpected end of document: start tag '${name}' is not closed`, at);
      const c = src.charCodeAt(this.pos);
      if (c === GT) {
        this.pos++;
        return { element, selfClosing: false };
      }
      if (c === SLASH) {
        if (src.charCodeAt(this.pos + 1) !== GT) this.fail("Expected '>' after '/'", this.pos + 1);
        this.pos += 2;
        return { element, selfClosing: true };
      }
      if (!spaced) this.fail(`Expected whitespace, '>' or '/>' in start tag '${name}'`, this.pos);
      this.attribute(element, names);
    }
  }

  private attribute(element: XmlElement, names: Set<string>): void {
    const src = this.src;
    const at = this.pos;
    const name = this.name() ?? this.fail(`Unexpected character '${src[at]}' in start tag '${element.name}'`, at);
    if (names.has(name)) this.fail(`Attribute '${name}' is given more than once`, at);
    if (names.size >= MAX_ATTRIBUTES_PER_ELEMENT) {
      this.fail(`Element '${element.name}' has more than ${MAX_ATTRIBUTES_PER_ELEMENT} attributes`, at);
    }
    names.add(name);
    this.skipWhitespace();
    if (src[this.pos] !== "=") this.fail(`Expected '=' after attribute name '${name}'`, this.pos);
    this.pos++;
    this.skipWhitespace();
    const quote = src.charCodeAt(this.pos);
    if (quote !== DQUOTE && quote !== SQUOTE) this.fail(`Expected a quoted value for attribute '${name}'`, this.pos);
    this.pos++;
    const position = this.position(at);
    const valuePosition = this.position(this.pos);
    if (startsExpression(src, this.pos)) {
      const value = this.expression(this.pos);
      if (src.charCodeAt(this.pos) !== quote) {
        this.fail(`Expected the closing quote of attribute '${name}' after the policy expression`, this.pos);
      }
      this.pos++;
      element.attributes.push({ name, value, position, valuePosition, expression: true });
    } else {
      const value = this.attributeValue(quote, name, at);
      element.attributes.push({ name, value, position, valuePosition, expression: false });
    }
  }

  /** A literal attribute value up to `quote`: entities decoded, whitespace characters normalised to spaces. */
  private attributeValue(quote: number, name: string, at: number): string {
    const src = this.src;
    let out = "";
    let last = this.pos;
    let i = this.pos;
    for (; ; i++) {
      if (i >= src.length) this.fail(`Unexpected end of document: value of attribute '${name}' is not closed`, at);
      const c = src.charCodeAt(i);
      if (c === quote) break;
      if (c === LT) this.fail(`Character '<' is not allowed in the value of attribute '${name}'`, i);
      if (c === AMP) {
        const [text, length] = this.strictEntity(i);
        out += src.slice(last, i) + text;
        i += length - 1;
        last = i + 1;
      } else if (c === TAB || c === LF || c === CR) {
        out += src.slice(last, i) + " ";
        if (c === CR && src.charCodeAt(i + 1) === LF) i++;
        last = i + 1;
      }
    }
    out += src.slice(last, i);
    this.pos = i + 1;
    return out;
  }

  /** Character data up to the next `<`, or an expression when the element's text so far is only whitespace. */
  private text(current: XmlElement): void {
    const src = this.src;
    const start = this.pos;
    let end = src.indexOf("<", start);
    if (end < 0) end = src.length;
    let first = start;
    while (first < end && isSpace(src.charCodeAt(first))) first++;
    if (this.afterExpression) {
      if (first < end) this.fail("Unexpected text after the policy expression", first);
      this.pos = end;
      return;
    }
    if (first < end && startsExpression(src, first) && !/\S/.test(this.pendingText)) {
      this.pendingText = "";
      this.pendingAt = -1;
      const value = this.expression(first);
      current.children.push({ kind: "text", value, position: this.position(first), expression: true });
      this.afterExpression = true;
      return;
    }
    this.addText(this.decodeText(start, end), start);
    this.pos = end;
  }

  private addText(value: string, at: number): void {
    if (this.afterExpression) {
      if (/\S/.test(value)) this.fail("Unexpected text after the policy expression", at);
      return;
    }
    if (this.pendingAt < 0) this.pendingAt = at;
    this.pendingText += value;
  }

  private flushText(current: XmlElement): void {
    if (this.pendingAt >= 0) {
      const value = this.pendingText;
      current.children.push({
        kind: "text",
        value,
        position: this.position(this.pendingAt),
        expression: EXPRESSION_START.test(value),
      });
    }
    this.pendingText = "";
    this.pendingAt = -1;
    this.afterExpression = false;
  }

  private decodeText(start: number, end: number): string {
    const src = this.src;
    let out = "";
    let last = start;
    for (let i = start; i < end; i++) {
      const c = src.charCodeAt(i);
      if (c === AMP) {
        const [text, length] = this.strictEntity(i);
        out += src.slice(last, i) + text;
        i += length - 1;
        last = i + 1;
      } else if (c === CR) {
        out += src.slice(last, i) + "\n";
        if (src.charCodeAt(i + 1) === LF) i++;
        last = i + 1;
      }
    }
    return out + src.slice(last, end);
  }

  /** Scans the expression starting at `at` (`@(` or `@{`) to its balanced end; leaves `pos` after it. */
  private expression(at: number): string {
    const scanner = new ExpressionScanner(this.src, at);
    try {
      scanner.code(this.src[at + 1] === "(" ? ")" : "}", false);
    } catch (error) {
      if (error instanceof EndOfDocument) this.fail("Unexpected end of document: policy expression is not closed", at);
      if (error instanceof NestedTooDeep) {
        this.fail(`Interpolated strings are nested more than ${MAX_EXPRESSION_NESTING} levels deep`, at);
      }
      throw error;
    }
    this.pos = scanner.pos;
    return scanner.text;
  }

  private strictEntity(at: number): [string, number] {
    const found = entityAt(this.src, at);
    if (found) return found;
    const semi = this.src.indexOf(";", at);
    const body = semi > at && semi - at < 40 ? this.src.slice(at + 1, semi) : "";
    if (/^#x?[0-9a-fA-F]+$/.test(body)) this.fail(`Character reference '&${body};' is not a valid XML character`, at);
    if (/^[A-Za-z_][\w.-]*$/.test(body)) {
      this.fail(
        `Entity '&${body};' is not defined: only &lt; &gt; &amp; &quot; &apos; and character references are`,
        at,
      );
    }
    return this.fail("'&' must start an entity or character reference (write '&amp;')", at);
  }

  private refuseMarkup(at: number): never {
    const src = this.src;
    if (src.startsWith("<!DOCTYPE", at) || src.startsWith("<!ENTITY", at)) {
      this.fail("DOCTYPE and ENTITY declarations are not allowed", at);
    }
    if (src.startsWith("<?xml", at)) this.fail("The XML declaration must be at the start of the document", at);
    if (src.startsWith("<?", at)) this.fail("Processing instructions are not allowed", at);
    return this.fail("Unexpected '<!'", at);
  }

  private name(): string | undefined {
    const src = this.src;
    const start = this.pos;
    if (start >= src.length || !isNameStart(src.charCodeAt(start))) return undefined;
    let i = start + 1;
    while (i < src.length && isNameChar(src.charCodeAt(i))) i++;
    this.pos = i;
    return src.slice(start, i);
  }

  private skipWhitespace(): boolean {
    const start = this.pos;
    while (this.pos < this.src.length && isSpace(this.src.charCodeAt(this.pos))) this.pos++;
    return this.pos > start;
  }

  /** The offset after `terminator`, searched from `at`; what is not closed is reported at `at`. */
  private skipPast(terminator: string, at: number, what: string): number {
    const end = this.src.indexOf(terminator, at + 2);
    if (end < 0) this.fail(`Unexpected end of document: ${what} is not closed`, at);
    return end + terminator.length;
  }

  private position(offset: number): SourcePosition {
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (starts[low] as number) + 1 };
  }

  private fail(detail: string, offset: number): never {
    throw new PolicyLoadError(detail, this.position(offset));
  }
}

function startsExpression(src: string, at: number): boolean {
  return src.charCodeAt(at) === 64 && (src[at + 1] === "(" || src[at + 1] === "{");
}

/** Offsets where lines start; `\n`, `\r\n` and a lone `\r` end lines. */
function lineStarts(src: string): number[] {
  const starts = [0];
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === LF || (c === CR && src.charCodeAt(i + 1) !== LF)) starts.push(i + 1);
  }
  return starts;
}

const normaliseLineBreaks = (text: string): string => (text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text);

/** The predefined entity or character reference at `at` as [text, length in the source], or undefined. */
function entityAt(src: string, at: number): [string, number] | undefined {
  // Searched only as far as a reference can reach: `a && b` in an expression must not scan to the next `;` each time.
  const semi = src.slice(at + 1, at + 41).indexOf(";") + at + 1;
  if (semi === at) return undefined;
  const body = src.slice(at + 1, semi);
  const named = PREDEFINED.get(body);
  if (named !== undefined) return [named, semi - at + 1];
  const numeric = /^#(?:([0-9]+)|x([0-9a-fA-F]+))$/.exec(body);
  if (!numeric) return undefined;
  const codePoint =
    numeric[1] !== undefined ? Number.parseInt(numeric[1], 10) : Number.parseInt(numeric[2] as string, 16);
  return isXmlChar(codePoint) ? [String.fromCodePoint(codePoint), semi - at + 1] : undefined;
}

/**
 * Reads C# (apim.md §3.1) over the document's characters, with entities decoded as an XML reader would, to find where
 * an expression ends: strings ("…", @"…", $"…{…}…", $@"…"), character literals and comments may hold brackets.
 */
class ExpressionScanner {
  /** Interpolated strings open around the current character. */
  private interpolations = 0;
  /** Where the expression continues after `@(`/`@{`. */
  pos: number;
  /** The expression before `from`, decoded; from `from` to `pos` it is the source as written. */
  private readonly decoded: string[] = [];
  private from: number;

  /** Scans the expression whose `@` is at `start`. */
  constructor(
    private readonly src: string,
    start: number,
  ) {
    this.from = start;
    this.pos = start + 2;
  }

  /** The expression as read so far, entities decoded: joined once rather than built a character at a time. */
  get text(): string {
    return this.decoded.join("") + this.src.slice(this.from, this.pos);
  }

  /** Code up to `closer` at bracket depth zero (consumed). In an interpolation hole, `:` there starts the format. */
  code(closer: string, hole: boolean): void {
    const open: string[] = [];
    for (;;) {
      const c = this.next();
      switch (c) {
        case "(":
          open.push(")");
          break;
        case "[":
          open.push("]");
          break;
        case "{":
          open.push("}");
          break;
        case ")":
        case "]":
        case "}":
          if (open.length > 0) open.pop();
          else if (c === closer) return;
          break;
        case ":":
          if (hole && open.length === 0) return this.until("}");
          break;
        case '"':
          this.string();
          break;
        case "'":
          this.until("'");
          break;
        case "@":
          if (this.peek(0) === '"') {
            this.next();
            this.verbatim();
          } else if (this.peek(0) === "$" && this.peek(1) === '"') {
            this.next();
            this.next();
            this.interpolated(true);
          }
          break;
        case "$":
          if (this.peek(0) === '"') {
            this.next();
            this.interpolated(false);
          } else if (this.peek(0) === "@" && this.peek(1) === '"') {
            this.next();
            this.next();
            this.interpolated(true);
          }
          break;
        case "/":
          if (this.peek(0) === "/") this.until("\n");
          else if (this.peek(0) === "*") {
            this.next();
            while (!(this.next() === "*" && this.peek(0) === "/"));
            this.next();
          }
          break;
      }
    }
  }

  /** A regular string literal after its opening quote. */
  private string(): void {
    for (let c = this.next(); c !== '"'; c = this.next()) if (c === "\\") this.next();
  }

  /** A verbatim string literal (`""` escapes a quote) after its opening quote. */
  private verbatim(): void {
    for (;;) {
      if (this.next() === '"') {
        if (this.peek(0) !== '"') return;
        this.next();
      }
    }
  }

  /** An interpolated string after its opening quote: `{{`/`}}` are literal braces, `{…}` holds code. */
  private interpolated(verbatim: boolean): void {
    if (++this.interpolations > MAX_EXPRESSION_NESTING) throw new NestedTooDeep();
    this.interpolatedBody(verbatim);
    this.interpolations--;
  }

  private interpolatedBody(verbatim: boolean): void {
    for (;;) {
      const c = this.next();
      if (c === '"') {
        if (!verbatim || this.peek(0) !== '"') return;
        this.next();
      } else if (c === "\\" && !verbatim) {
        this.next();
      } else if (c === "{" || c === "}") {
        if (this.peek(0) === c) this.next();
        else if (c === "{") this.code("}", true);
      }
    }
  }

  /** Characters up to and including `end`, with `\` escaping the next one (character literals, formats). */
  private until(end: string): void {
    for (let c = this.next(); c !== end; c = this.next()) if (c === "\\" && end === "'") this.next();
  }

  /** Consumes one decoded character; throws EndOfDocument at the end. */
  private next(): string {
    const [c, length] = this.decode(this.pos);
    if (length === 0) throw new EndOfDocument();
    if (length > 1 || c !== this.src[this.pos]) {
      this.decoded.push(this.src.slice(this.from, this.pos), c);
      this.from = this.pos + length;
    }
    this.pos += length;
    return c;
  }

  /** The decoded character `ahead` characters after the current one, "" past the end. */
  private peek(ahead: number): string {
    let at = this.pos;
    for (let i = 0; i < ahead; i++) at += this.decode(at)[1];
    return this.decode(at)[0];
  }

  private decode(at: number): [string, number] {
    const src = this.src;
    if (at >= src.length) return ["", 0];
    const c = src.charCodeAt(at);
    if (c === AMP) return entityAt(src, at) ?? ["&", 1];
    if (c === CR) return ["\n", src.charCodeAt(at + 1) === LF ? 2 : 1];
    return [src[at] as string, 1];
  }
}
