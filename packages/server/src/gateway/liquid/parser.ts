/**
 * Parses the Liquid subset set-body runs: `{{ output | Filter: args }}`, the tags if/elsif/else, unless, case/when,
 * for (limit, offset, reversed, else, break, continue), assign, capture, comment and raw, and `{{-`/`-%}` whitespace
 * control. Every problem is a LiquidSyntaxError at its offset in the template.
 */
import type { Branch, ComparisonOperator, Condition, Expression, Filtered, FilterCall, Node, When } from "./ast.js";
import { LiquidSyntaxError } from "./errors.js";
import { FILTERS } from "./filters.js";
import { BLANK, EMPTY } from "./values.js";

interface Markup {
  kind: "output" | "tag";
  /** The text between the delimiters (whitespace-control dashes removed). */
  content: string;
  /** Offset of `content` in the template. */
  offset: number;
  /** Offset of the opening delimiter, for messages. */
  start: number;
}

type Item = { kind: "text"; text: string } | Markup;

/** Tags inside tags, and brackets inside an output or tag: far beyond any template, well within the stack. */
const MAX_NESTING = 64;
/** Conditions joined by `and`/`or` in one tag (they nest to the right, as DotLiquid evaluates them). */
const MAX_CONDITIONS = 64;

/** Splits the template into text, outputs and tags; raw and comment bodies become text or nothing. */
function scan(source: string): Item[] {
  const items: Item[] = [];
  const openings = new Openings(source);
  let pos = 0;
  let trimNext = false;
  while (pos < source.length) {
    const open = openings.next(pos);
    let text = source.slice(pos, open < 0 ? source.length : open);
    if (trimNext) text = text.trimStart();
    if (open < 0) {
      if (text !== "") items.push({ kind: "text", text });
      break;
    }
    const output = source[open + 1] === "{";
    const close = source.indexOf(output ? "}}" : "%}", open + 2);
    if (close < 0) {
      throw new LiquidSyntaxError(`${output ? "Output '{{'" : "Tag '{%'"} is not closed`, open);
    }
    const trimBefore = source[open + 2] === "-";
    const contentStart = open + 2 + (trimBefore ? 1 : 0);
    trimNext = close - 1 >= contentStart && source[close - 1] === "-";
    if (trimBefore) text = text.trimEnd();
    if (text !== "") items.push({ kind: "text", text });
    const contentEnd = trimNext ? close - 1 : close;
    const content = source.slice(contentStart, contentEnd);
    pos = close + 2;
    const name = /^\s*(\w+)/.exec(content)?.[1];
    if (!output && (name === "raw" || name === "comment")) {
      const [body, after, trim] = blockBody(source, pos, name, open);
      if (name === "raw" && body !== "") items.push({ kind: "text", text: body });
      pos = after;
      trimNext = trim;
      continue;
    }
    items.push({ kind: output ? "output" : "tag", content, offset: contentStart, start: open });
  }
  return items;
}

/**
 * Where the next `{{` or `{%` is. Each kind's next position is remembered until reading passes it, so a template with
 * many outputs and no tag (or the reverse) is not searched to its end once per output.
 */
class Openings {
  private output = -2;
  private tag = -2;

  constructor(private readonly source: string) {}

  next(from: number): number {
    if (this.output !== -1 && this.output < from) this.output = this.source.indexOf("{{", from);
    if (this.tag !== -1 && this.tag < from) this.tag = this.source.indexOf("{%", from);
    if (this.output < 0) return this.tag;
    if (this.tag < 0) return this.output;
    return Math.min(this.output, this.tag);
  }
}

/** The body of `{% raw %}` or `{% comment %}` (comments nest), its end offset and whether it trims what follows. */
function blockBody(source: string, from: number, name: string, start: number): [string, number, boolean] {
  let depth = 1;
  const tags = new RegExp(String.raw`\{%-?\s*(${name}|end${name})\b\s*-?%\}`, "g");
  tags.lastIndex = from;
  for (let match = tags.exec(source); match; match = tags.exec(source)) {
    if (match[1] === name && name === "comment") depth++;
    else if (match[1] === `end${name}` && --depth === 0) {
      const end = match.index + match[0].length;
      return [source.slice(from, match.index), end, match[0].endsWith("-%}")];
    }
  }
  throw new LiquidSyntaxError(`'${name}' is not closed with 'end${name}'`, start);
}

type TokenKind = "string" | "number" | "identifier" | "punct" | "end";

interface Token {
  kind: TokenKind;
  text: string;
  offset: number;
}

const TOKEN = /\s*(?:('[^']*'|"[^"]*")|(-?\d+(?:\.\d+)?)|([A-Za-z_][\w-]*\??)|(\.\.|==|!=|<>|<=|>=|[.[\]|:,()<>=]))/y;

function tokenize(markup: Markup): Token[] {
  const tokens: Token[] = [];
  const { content, offset } = markup;
  let pos = 0;
  while (pos < content.length) {
    if (/^\s*$/.test(content.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const match = TOKEN.exec(content);
    if (!match) {
      const at = pos + (/^\s*/.exec(content.slice(pos))?.[0].length ?? 0);
      throw new LiquidSyntaxError(`Unexpected character '${content[at]}'`, offset + at);
    }
    const text = match[1] ?? match[2] ?? match[3] ?? (match[4] as string);
    const kind: TokenKind =
      match[1] !== undefined
        ? "string"
        : match[2] !== undefined
          ? "number"
          : match[3] !== undefined
            ? "identifier"
            : "punct";
    tokens.push({ kind, text, offset: offset + match.index + match[0].length - text.length });
    pos = TOKEN.lastIndex;
  }
  tokens.push({ kind: "end", text: "", offset: offset + content.length });
  return tokens;
}

/** Reads the tokens of one output or tag. */
class MarkupReader {
  private index = 0;
  private depth = 0;
  private readonly tokens: Token[];

  constructor(readonly markup: Markup) {
    this.tokens = tokenize(markup);
  }

  peek(): Token {
    return this.tokens[this.index] as Token;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== "end") this.index++;
    return token;
  }

  accept(text: string): boolean {
    const token = this.peek();
    if ((token.kind === "punct" || token.kind === "identifier") && token.text === text) {
      this.index++;
      return true;
    }
    return false;
  }

  expect(text: string): void {
    if (!this.accept(text)) throw this.unexpected(`'${text}'`);
  }

  identifier(what: string): string {
    const token = this.next();
    if (token.kind !== "identifier") throw new LiquidSyntaxError(`Expected ${what}`, token.offset);
    return token.text;
  }

  end(): void {
    if (this.peek().kind !== "end") throw this.unexpected("the end of the tag");
  }

  unexpected(expected: string): LiquidSyntaxError {
    const token = this.peek();
    const found = token.kind === "end" ? "the end" : `'${token.text}'`;
    return new LiquidSyntaxError(`Expected ${expected}, found ${found}`, token.offset);
  }

  expression(): Expression {
    const token = this.peek();
    if (++this.depth > MAX_NESTING) {
      throw new LiquidSyntaxError(`Values are nested more than ${MAX_NESTING} levels deep`, token.offset);
    }
    try {
      return this.value();
    } finally {
      this.depth--;
    }
  }

  private value(): Expression {
    const token = this.next();
    switch (token.kind) {
      case "string":
        return { kind: "literal", value: token.text.slice(1, -1) };
      case "number":
        return { kind: "literal", value: Number(token.text) };
      case "identifier":
        return this.variable(token);
      case "punct":
        if (token.text === "(") {
          const from = this.expression();
          this.expect("..");
          const to = this.expression();
          this.expect(")");
          return { kind: "range", from, to };
        }
        break;
      case "end":
        break;
    }
    throw new LiquidSyntaxError(
      `Expected a value, found ${token.kind === "end" ? "the end" : `'${token.text}'`}`,
      token.offset,
    );
  }

  private variable(token: Token): Expression {
    const path: Expression[] = [];
    for (;;) {
      if (this.accept(".")) {
        path.push({ kind: "literal", value: this.identifier("a property name after '.'") });
      } else if (this.peek().text === "[" && this.peek().kind === "punct") {
        this.next();
        path.push(this.expression());
        this.expect("]");
      } else break;
    }
    if (path.length === 0) {
      switch (token.text) {
        case "nil":
        case "null":
          return { kind: "literal", value: null };
        case "true":
          return { kind: "literal", value: true };
        case "false":
          return { kind: "literal", value: false };
        case "empty":
          return { kind: "literal", value: EMPTY };
        case "blank":
          return { kind: "literal", value: BLANK };
      }
    }
    return { kind: "variable", name: token.text, path };
  }

  filtered(): Filtered {
    const value = this.expression();
    const filters: FilterCall[] = [];
    while (this.accept("|")) {
      const token = this.peek();
      const name = this.identifier("a filter name after '|'");
      const filter = FILTERS.get(name);
      if (filter === undefined) {
        const known = [...FILTERS.keys()].find((k) => k.toLowerCase() === name.replace(/_/g, "").toLowerCase());
        const hint = known ? ` (filters are PascalCase: '${known}')` : "";
        throw new LiquidSyntaxError(`Unknown filter '${name}'${hint}`, token.offset);
      }
      const args: Expression[] = [];
      if (this.accept(":")) {
        do args.push(this.expression());
        while (this.accept(","));
      }
      if (args.length < filter.minArgs || args.length > filter.maxArgs) {
        const range =
          filter.minArgs === filter.maxArgs ? `${filter.minArgs}` : `${filter.minArgs} to ${filter.maxArgs}`;
        throw new LiquidSyntaxError(`Filter '${name}' takes ${range} argument(s), not ${args.length}`, token.offset);
      }
      filters.push({ name, filter, args });
    }
    return { value, filters };
  }

  condition(joined = 1): Condition {
    if (joined > MAX_CONDITIONS) {
      throw new LiquidSyntaxError(`More than ${MAX_CONDITIONS} conditions joined by 'and'/'or'`, this.peek().offset);
    }
    const left = this.test();
    if (this.accept("and")) return { kind: "and", left, right: this.condition(joined + 1) };
    if (this.accept("or")) return { kind: "or", left, right: this.condition(joined + 1) };
    return left;
  }

  private test(): Condition {
    const left = this.expression();
    const token = this.peek();
    const operator = comparison(token);
    if (operator === undefined) return { kind: "test", left };
    this.next();
    return { kind: "test", left, operator, right: this.expression() };
  }
}

function comparison(token: Token): ComparisonOperator | undefined {
  if (token.kind === "identifier" && token.text === "contains") return "contains";
  if (token.kind !== "punct") return undefined;
  switch (token.text) {
    case "==":
    case "!=":
    case "<":
    case ">":
    case "<=":
    case ">=":
      return token.text;
    case "<>":
      return "!=";
  }
  return undefined;
}

const SUPPORTED = "if, unless, case, for, assign, capture, comment, raw";

/** Builds the node tree from the scanned items. */
class TreeBuilder {
  private index = 0;
  private depth = 0;

  constructor(private readonly items: Item[]) {}

  /** Nodes up to one of the `until` tags (left unread), or to the end when `until` is empty. */
  nodes(until: readonly string[], opener?: Markup): Node[] {
    const nodes: Node[] = [];
    for (;;) {
      const item = this.items[this.index];
      if (item === undefined) {
        if (until.length === 0) return nodes;
        const name = opener ? tagName(opener) : "";
        throw new LiquidSyntaxError(`'${name}' is not closed with '${until[until.length - 1]}'`, opener?.start ?? 0);
      }
      if (item.kind === "text") {
        this.index++;
        nodes.push({ kind: "text", text: item.text });
        continue;
      }
      if (item.kind === "output") {
        this.index++;
        const reader = new MarkupReader(item);
        const value = reader.filtered();
        reader.end();
        nodes.push({ kind: "output", value });
        continue;
      }
      const name = tagName(item);
      if (until.includes(name)) return nodes;
      this.index++;
      nodes.push(this.tag(name, item));
    }
  }

  private tag(name: string, markup: Markup): Node {
    if (++this.depth > MAX_NESTING) {
      throw new LiquidSyntaxError(`Tags are nested more than ${MAX_NESTING} levels deep`, markup.start);
    }
    try {
      return this.tagBody(name, markup);
    } finally {
      this.depth--;
    }
  }

  private tagBody(name: string, markup: Markup): Node {
    const reader = new MarkupReader(markup);
    reader.next();
    switch (name) {
      case "if":
      case "unless":
        return this.conditional(name, reader, markup);
      case "case":
        return this.caseTag(reader, markup);
      case "for":
        return this.forTag(reader, markup);
      case "assign": {
        const variable = reader.identifier("a variable name after 'assign'");
        reader.expect("=");
        const value = reader.filtered();
        reader.end();
        return { kind: "assign", name: variable, value };
      }
      case "capture": {
        const token = reader.next();
        if (token.kind !== "identifier" && token.kind !== "string") {
          throw new LiquidSyntaxError("Expected a variable name after 'capture'", token.offset);
        }
        reader.end();
        const body = this.nodes(["endcapture"], markup);
        this.index++;
        return { kind: "capture", name: token.kind === "string" ? token.text.slice(1, -1) : token.text, body };
      }
      case "break":
      case "continue":
        reader.end();
        return { kind: name };
      case "include":
      case "render":
      case "cycle":
      case "increment":
      case "decrement":
      case "tablerow":
      case "layout":
      case "block":
        throw new LiquidSyntaxError(
          `Liquid tag '${name}' is not supported; supported tags: ${SUPPORTED}`,
          markup.start,
        );
      default:
        throw new LiquidSyntaxError(
          /^(end\w+|else|elsif|when)$/.test(name)
            ? `'${name}' has no matching opening tag`
            : `Unknown Liquid tag '${name}'; supported tags: ${SUPPORTED}`,
          markup.start,
        );
    }
  }

  private conditional(name: "if" | "unless", reader: MarkupReader, markup: Markup): Node {
    const close = `end${name}`;
    const branches: Branch[] = [];
    let condition = reader.condition();
    reader.end();
    let otherwise: Node[] = [];
    for (;;) {
      const body = this.nodes(["elsif", "else", close], markup);
      branches.push({ condition, body });
      const next = this.items[this.index] as Markup;
      const nextName = tagName(next);
      this.index++;
      if (nextName === "elsif") {
        const branch = new MarkupReader(next);
        branch.next();
        condition = branch.condition();
        branch.end();
        continue;
      }
      if (nextName === "else") {
        otherwise = this.nodes([close], markup);
        this.index++;
      }
      return { kind: "if", negate: name === "unless", branches, otherwise };
    }
  }

  private caseTag(reader: MarkupReader, markup: Markup): Node {
    const subject = reader.expression();
    reader.end();
    const before = this.nodes(["when", "else", "endcase"], markup);
    if (before.some((node) => node.kind !== "text" || node.text.trim() !== "")) {
      throw new LiquidSyntaxError("Only 'when' and 'else' may follow 'case'", markup.start);
    }
    const whens: When[] = [];
    let otherwise: Node[] = [];
    for (;;) {
      const next = this.items[this.index] as Markup;
      const nextName = tagName(next);
      this.index++;
      if (nextName === "endcase") return { kind: "case", subject, whens, otherwise };
      if (nextName === "else") {
        otherwise = this.nodes(["endcase"], markup);
        continue;
      }
      const when = new MarkupReader(next);
      when.next();
      const values = [when.expression()];
      while (when.accept(",") || when.accept("or")) values.push(when.expression());
      when.end();
      whens.push({ values, body: this.nodes(["when", "else", "endcase"], markup) });
    }
  }

  private forTag(reader: MarkupReader, markup: Markup): Node {
    const variable = reader.identifier("a variable name after 'for'");
    reader.expect("in");
    const collection = reader.expression();
    let limit: Expression | undefined;
    let offset: Expression | undefined;
    let reversed = false;
    while (reader.peek().kind !== "end") {
      const option = reader.identifier("'limit', 'offset' or 'reversed'");
      if (option === "reversed") {
        reversed = true;
        continue;
      }
      if (option !== "limit" && option !== "offset") throw reader.unexpected("'limit', 'offset' or 'reversed'");
      reader.expect(":");
      if (option === "limit") limit = reader.expression();
      else offset = reader.expression();
    }
    const body = this.nodes(["else", "endfor"], markup);
    let otherwise: Node[] = [];
    if (tagName(this.items[this.index] as Markup) === "else") {
      this.index++;
      otherwise = this.nodes(["endfor"], markup);
    }
    this.index++;
    return { kind: "for", variable, collection, limit, offset, reversed, body, otherwise };
  }
}

function tagName(markup: Markup): string {
  const name = /^\s*(\w+)/.exec(markup.content)?.[1];
  if (name === undefined) throw new LiquidSyntaxError("Expected a tag name after '{%'", markup.start);
  return name;
}

/** The template's node tree; throws LiquidSyntaxError. */
export function parseTemplate(source: string): Node[] {
  return new TreeBuilder(scan(source)).nodes([]);
}
