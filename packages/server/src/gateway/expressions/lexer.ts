/**
 * C# tokens of a policy expression. Every token keeps its offset in the expression source, which the compiler turns
 * into a line and column of the policy document. Interpolated strings are lexed into literal parts and holes whose
 * code is tokenised here as well, so the parser sees one token stream per hole.
 */
export class ExpressionSyntaxError extends Error {
  override name = "ExpressionSyntaxError";
  constructor(
    message: string,
    /** Offset in the expression source. */
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * How deeply an expression may nest (brackets, operands of prefix operators, blocks, interpolated strings in holes):
 * far beyond real policy code, and low enough that reading, compiling and running the tree stay well within the stack.
 */
export const MAX_EXPRESSION_NESTING = 128;

/** An expression nested more than MAX_EXPRESSION_NESTING levels: final, no other reading of the tokens is tried. */
export class ExpressionNestingError extends ExpressionSyntaxError {
  override name = "ExpressionNestingError";
  constructor(offset: number) {
    super("The policy expression is nested too deeply", offset);
  }
}

export type NumberSuffix = "" | "l" | "u" | "ul" | "f" | "d" | "m";

export interface InterpolationHole {
  /** The hole's expression tokens, ending with an `eof` token. */
  readonly tokens: Token[];
  /** `{x,10}` alignment tokens (ending with `eof`), when given. */
  readonly alignment: Token[] | undefined;
  /** `{x:yyyy-MM-dd}` format, as written. */
  readonly format: string | undefined;
  readonly start: number;
}

export type Token =
  | { kind: "identifier"; text: string; start: number; end: number; verbatim: boolean }
  | { kind: "keyword"; text: string; start: number; end: number }
  | { kind: "number"; text: string; value: number; real: boolean; suffix: NumberSuffix; start: number; end: number }
  | { kind: "string"; text: string; value: string; start: number; end: number }
  | { kind: "char"; text: string; value: string; start: number; end: number }
  | {
      kind: "interpolated";
      text: string;
      parts: readonly (string | InterpolationHole)[];
      start: number;
      end: number;
    }
  | { kind: "punct"; text: string; start: number; end: number }
  | { kind: "eof"; text: ""; start: number; end: number };

/** C#'s reserved words; contextual ones (`var`, `nameof` …) are identifiers. */
const KEYWORDS: ReadonlySet<string> = new Set([
  "abstract",
  "as",
  "base",
  "bool",
  "break",
  "byte",
  "case",
  "catch",
  "char",
  "checked",
  "class",
  "const",
  "continue",
  "decimal",
  "default",
  "delegate",
  "do",
  "double",
  "else",
  "enum",
  "event",
  "explicit",
  "extern",
  "false",
  "finally",
  "fixed",
  "float",
  "for",
  "foreach",
  "goto",
  "if",
  "implicit",
  "in",
  "int",
  "interface",
  "internal",
  "is",
  "lock",
  "long",
  "namespace",
  "new",
  "null",
  "object",
  "operator",
  "out",
  "override",
  "params",
  "private",
  "protected",
  "public",
  "readonly",
  "ref",
  "return",
  "sbyte",
  "sealed",
  "short",
  "sizeof",
  "stackalloc",
  "static",
  "string",
  "struct",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "uint",
  "ulong",
  "unchecked",
  "unsafe",
  "ushort",
  "using",
  "virtual",
  "void",
  "volatile",
  "while",
]);

/** The compound assignments (`x += 1`), longest first as PUNCTUATORS needs: the parser reads them as assignments. */
export const COMPOUND_ASSIGNMENTS = ["<<=", "??=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^="] as const;

/** Longest first, so `??=` wins over `??` and `?`. */
const PUNCTUATORS = [
  ...COMPOUND_ASSIGNMENTS,
  "?.",
  "?[",
  "??",
  "=>",
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "++",
  "--",
  "<<",
  "::",
  "->",
  "{",
  "}",
  "(",
  ")",
  "[",
  "]",
  ".",
  ",",
  ":",
  ";",
  "+",
  "-",
  "*",
  "/",
  "%",
  "&",
  "|",
  "^",
  "!",
  "~",
  "=",
  "<",
  ">",
  "?",
];
// `>>` and `>>=` are not tokens: the parser joins adjacent `>` so that `List<List<int>>` closes two type lists.

const isIdentStart = (c: string): boolean => /[A-Za-z_\p{L}]/u.test(c);
const isIdentPart = (c: string): boolean => /[A-Za-z0-9_\p{L}\p{Nd}\p{Mn}\p{Mc}\p{Pc}]/u.test(c);
const isDigit = (c: string): boolean => c >= "0" && c <= "9";

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "'": "'",
  '"': '"',
  "\\": "\\",
  "0": "\0",
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

export class Lexer {
  pos: number;
  /** Interpolated strings open around the current position. */
  private interpolations = 0;

  constructor(
    private readonly src: string,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }

  /** Every token up to the end, then `eof`. */
  tokenize(): Token[] {
    const tokens: Token[] = [];
    for (;;) {
      const token = this.next();
      tokens.push(token);
      if (token.kind === "eof") return tokens;
    }
  }

  private peekChar(ahead = 0): string {
    const at = this.pos + ahead;
    return at < this.end ? (this.src[at] as string) : "";
  }

  private fail(message: string, at: number = this.pos): never {
    throw new ExpressionSyntaxError(message, at);
  }

  private skipTrivia(): void {
    for (;;) {
      const c = this.peekChar();
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v" || c === "\u00a0") {
        this.pos++;
      } else if (c === "/" && this.peekChar(1) === "/") {
        while (this.pos < this.end && this.src[this.pos] !== "\n") this.pos++;
      } else if (c === "/" && this.peekChar(1) === "*") {
        const close = this.src.indexOf("*/", this.pos + 2);
        if (close < 0 || close + 2 > this.end) this.fail("The comment is not closed ('*/' expected)");
        this.pos = close + 2;
      } else if (c === "#") {
        this.fail("Preprocessor directives are not supported in policy expressions");
      } else {
        return;
      }
    }
  }

  next(): Token {
    this.skipTrivia();
    const start = this.pos;
    if (start >= this.end) return { kind: "eof", text: "", start, end: start };
    const c = this.peekChar();
    const c1 = this.peekChar(1);
    if (c === "$" && (c1 === '"' || (c1 === "@" && this.peekChar(2) === '"'))) {
      this.pos += c1 === "@" ? 3 : 2;
      return this.interpolated(start, c1 === "@");
    }
    if (c === "@" && c1 === "$" && this.peekChar(2) === '"') {
      this.pos += 3;
      return this.interpolated(start, true);
    }
    if (c === "@" && c1 === '"') {
      this.pos += 2;
      const value = this.verbatimBody();
      return { kind: "string", text: this.src.slice(start, this.pos), value, start, end: this.pos };
    }
    if (c === "@" && isIdentStart(c1)) {
      this.pos++;
      const name = this.identifierText();
      return { kind: "identifier", text: name, start, end: this.pos, verbatim: true };
    }
    if (isIdentStart(c)) {
      const name = this.identifierText();
      if (KEYWORDS.has(name)) return { kind: "keyword", text: name, start, end: this.pos };
      return { kind: "identifier", text: name, start, end: this.pos, verbatim: false };
    }
    if (isDigit(c) || (c === "." && isDigit(c1))) return this.number(start);
    if (c === '"') {
      this.pos++;
      const value = this.regularBody();
      return { kind: "string", text: this.src.slice(start, this.pos), value, start, end: this.pos };
    }
    if (c === "'") return this.charLiteral(start);
    // `c ?.5 : 1` is a conditional on a number, not `?.`.
    if (c === "?" && c1 === "." && isDigit(this.peekChar(2))) {
      this.pos++;
      return { kind: "punct", text: "?", start, end: this.pos };
    }
    for (const p of PUNCTUATORS) {
      if (this.src.startsWith(p, start) && start + p.length <= this.end) {
        this.pos += p.length;
        return { kind: "punct", text: p, start, end: this.pos };
      }
    }
    return this.fail(`Unexpected character '${c}'`);
  }

  private identifierText(): string {
    const start = this.pos;
    while (this.pos < this.end && isIdentPart(this.src[this.pos] as string)) this.pos++;
    return this.src.slice(start, this.pos);
  }

  private number(start: number): Token {
    let real = false;
    let value: number;
    const src = this.src;
    if (this.peekChar() === "0" && (this.peekChar(1) === "x" || this.peekChar(1) === "X")) {
      this.pos += 2;
      const digitsStart = this.pos;
      while (/[0-9a-fA-F_]/.test(this.peekChar())) this.pos++;
      if (this.pos === digitsStart) this.fail("A hexadecimal literal needs digits", start);
      value = Number.parseInt(src.slice(digitsStart, this.pos).replaceAll("_", ""), 16);
    } else if (this.peekChar() === "0" && (this.peekChar(1) === "b" || this.peekChar(1) === "B")) {
      this.pos += 2;
      const digitsStart = this.pos;
      while (/[01_]/.test(this.peekChar())) this.pos++;
      if (this.pos === digitsStart) this.fail("A binary literal needs digits", start);
      value = Number.parseInt(src.slice(digitsStart, this.pos).replaceAll("_", ""), 2);
    } else {
      while (isDigit(this.peekChar()) || this.peekChar() === "_") this.pos++;
      if (this.peekChar() === "." && isDigit(this.peekChar(1))) {
        real = true;
        this.pos++;
        while (isDigit(this.peekChar()) || this.peekChar() === "_") this.pos++;
      }
      const e = this.peekChar();
      if (e === "e" || e === "E") {
        const sign = this.peekChar(1);
        const digitAt = sign === "+" || sign === "-" ? 2 : 1;
        if (isDigit(this.peekChar(digitAt))) {
          real = true;
          this.pos += digitAt;
          while (isDigit(this.peekChar())) this.pos++;
        }
      }
      value = Number(src.slice(start, this.pos).replaceAll("_", ""));
    }
    let suffix: NumberSuffix = "";
    const s = this.peekChar().toLowerCase();
    const s1 = this.peekChar(1).toLowerCase();
    if ((s === "u" && s1 === "l") || (s === "l" && s1 === "u")) {
      suffix = "ul";
      this.pos += 2;
    } else if (s === "l" || s === "u") {
      suffix = s;
      this.pos++;
    } else if (s === "f" || s === "d" || s === "m") {
      suffix = s;
      real = true;
      this.pos++;
    }
    if (isIdentPart(this.peekChar())) this.fail(`Invalid number literal '${src.slice(start, this.pos + 1)}'`, start);
    return { kind: "number", text: src.slice(start, this.pos), value, real, suffix, start, end: this.pos };
  }

  /** The body of "…" after its opening quote, escapes decoded. */
  private regularBody(): string {
    let out = "";
    for (;;) {
      if (this.pos >= this.end) this.fail("The string is not closed ('\"' expected)");
      const c = this.src[this.pos] as string;
      if (c === "\n") this.fail('Newline in a string literal: use @"…" for text over several lines');
      this.pos++;
      if (c === '"') return out;
      out += c === "\\" ? this.escape() : c;
    }
  }

  /** The body of @"…" after its opening quote: `""` is a quote. */
  private verbatimBody(): string {
    let out = "";
    for (;;) {
      if (this.pos >= this.end) this.fail("The verbatim string is not closed ('\"' expected)");
      const c = this.src[this.pos] as string;
      this.pos++;
      if (c === '"') {
        if (this.peekChar() !== '"') return out;
        this.pos++;
      }
      out += c;
    }
  }

  /** An escape sequence after its backslash. */
  private escape(): string {
    const at = this.pos - 1;
    const c = this.peekChar();
    this.pos++;
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined && Object.hasOwn(SIMPLE_ESCAPES, c)) return simple;
    if (c === "u" || c === "x" || c === "U") {
      const max = c === "U" ? 8 : 4;
      const digitsStart = this.pos;
      while (this.pos - digitsStart < max && /[0-9a-fA-F]/.test(this.peekChar())) this.pos++;
      const digits = this.src.slice(digitsStart, this.pos);
      if (digits.length === 0 || (c !== "x" && digits.length !== max))
        this.fail(`Invalid escape sequence '\\${c}'`, at);
      const code = Number.parseInt(digits, 16);
      if (code > 0x10ffff) this.fail(`Invalid escape sequence '\\${c}${digits}'`, at);
      return String.fromCodePoint(code);
    }
    return this.fail(`Unrecognized escape sequence '\\${c}'`, at);
  }

  private charLiteral(start: number): Token {
    this.pos++;
    const c = this.peekChar();
    if (c === "'" || c === "" || c === "\n") this.fail("Empty character literal", start);
    this.pos++;
    const value = c === "\\" ? this.escape() : c;
    if (this.peekChar() !== "'") this.fail("Too many characters in character literal", start);
    this.pos++;
    if (value.length !== 1) this.fail("A character literal holds one UTF-16 character", start);
    return { kind: "char", text: this.src.slice(start, this.pos), value, start, end: this.pos };
  }

  /** $"…" / $@"…" after the opening quote: literal parts and holes. */
  private interpolated(start: number, verbatim: boolean): Token {
    if (++this.interpolations > MAX_EXPRESSION_NESTING) throw new ExpressionNestingError(start);
    const token = this.interpolatedBody(start, verbatim);
    this.interpolations--;
    return token;
  }

  private interpolatedBody(start: number, verbatim: boolean): Token {
    const parts: (string | InterpolationHole)[] = [];
    let text = "";
    for (;;) {
      if (this.pos >= this.end) this.fail("The interpolated string is not closed ('\"' expected)", start);
      const c = this.src[this.pos] as string;
      if (c === '"') {
        if (verbatim && this.peekChar(1) === '"') {
          text += '"';
          this.pos += 2;
          continue;
        }
        this.pos++;
        break;
      }
      if (c === "{" || c === "}") {
        if (this.peekChar(1) === c) {
          text += c;
          this.pos += 2;
          continue;
        }
        if (c === "}") this.fail("A '}' in an interpolated string must be doubled ('}}')");
        if (text) parts.push(text);
        text = "";
        this.pos++;
        parts.push(this.hole());
        continue;
      }
      if (!verbatim && c === "\n") this.fail('Newline in an interpolated string: use $@"…" for several lines');
      this.pos++;
      text += !verbatim && c === "\\" ? this.escape() : c;
    }
    if (text) parts.push(text);
    return { kind: "interpolated", text: this.src.slice(start, this.pos), parts, start, end: this.pos };
  }

  /** One `{expr[,alignment][:format]}` after its `{`. */
  private hole(): InterpolationHole {
    const start = this.pos;
    const tokens = this.holeTokens(true);
    let alignment: Token[] | undefined;
    let format: string | undefined;
    let last = tokens[tokens.length - 1] as Token;
    if (last.text === ",") {
      tokens[tokens.length - 1] = { kind: "eof", text: "", start: last.start, end: last.start };
      alignment = this.holeTokens(false);
      last = alignment[alignment.length - 1] as Token;
      alignment[alignment.length - 1] = { kind: "eof", text: "", start: last.start, end: last.start };
    } else {
      tokens[tokens.length - 1] = { kind: "eof", text: "", start: last.start, end: last.start };
    }
    if (last.text === ":") {
      const close = this.src.indexOf("}", this.pos);
      if (close < 0 || close >= this.end) this.fail("The interpolation's format is not closed ('}' expected)", start);
      format = this.src.slice(this.pos, close);
      if (format.includes('"')) this.fail("A quote cannot appear in an interpolation's format", this.pos);
      this.pos = close + 1;
    }
    if (tokens.length === 1) this.fail("An interpolation hole needs an expression", start);
    return { tokens, alignment, format, start };
  }

  /**
   * Tokens up to the `}`, `:` (or, when `comma`, `,`) that ends this part of the hole at bracket depth zero; the last
   * token returned is that terminator.
   */
  private holeTokens(comma: boolean): Token[] {
    const tokens: Token[] = [];
    const open: string[] = [];
    for (;;) {
      const token = this.next();
      if (token.kind === "eof") this.fail("The interpolation hole is not closed ('}' expected)", token.start);
      if (token.kind === "punct") {
        const t = token.text;
        if (open.length === 0 && (t === "}" || t === ":" || (comma && t === ","))) {
          tokens.push(token);
          return tokens;
        }
        if (t === "(" || t === "[" || t === "{" || t === "?[") open.push(t);
        else if (t === ")" || t === "]" || t === "}") open.pop();
        // A conditional's `:` at depth zero ends the hole in C#: `{(a ? b : c)}` must be parenthesised, as here.
      }
      tokens.push(token);
    }
  }
}
