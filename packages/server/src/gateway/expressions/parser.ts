/**
 * Recursive-descent parser for the C# of policy expressions: `@(expression)` and `@{ statements }`. Constructs C#
 * has but policies cannot use (classes, unsafe code, goto, LINQ query syntax …) are refused here, with the offset of
 * the offending token.
 */
import type { Argument, Block, Declarator, Expr, Initializer, Statement, SwitchSection, TypeNode } from "./ast.js";
import {
  COMPOUND_ASSIGNMENTS,
  ExpressionNestingError,
  ExpressionSyntaxError,
  Lexer,
  MAX_EXPRESSION_NESTING,
  type InterpolationHole,
  type Token,
} from "./lexer.js";

export type ParsedExpression =
  { readonly kind: "expression"; readonly expr: Expr } | { readonly kind: "block"; readonly block: Block };

/** Parses the whole `@(…)`/`@{…}` text. */
export function parseExpressionSource(source: string): ParsedExpression {
  const open = source.slice(0, 2);
  if (open !== "@(" && open !== "@{") {
    throw new ExpressionSyntaxError("A policy expression starts with '@(' or '@{'", 0);
  }
  const close = open === "@(" ? ")" : "}";
  if (source.length < 3 || !source.endsWith(close)) {
    throw new ExpressionSyntaxError(`The policy expression must end with '${close}'`, Math.max(0, source.length - 1));
  }
  const tokens = new Lexer(source, 2, source.length - 1).tokenize();
  const parser = new Parser(tokens);
  if (open === "@(") {
    if (tokens.length === 1) throw new ExpressionSyntaxError("The policy expression is empty", 2);
    const expr = parser.expression();
    parser.expectEnd();
    return { kind: "expression", expr };
  }
  const statements: Statement[] = [];
  while (!parser.atEnd()) statements.push(parser.statement());
  return { kind: "block", block: { kind: "block", statements, start: 1 } };
}

/** `Dictionary<string, List<int>>` nests 2 deep; real policy code stays far below this. */
const MAX_TYPE_ARGUMENT_NESTING = 16;

/** Built-in type keywords that name types. */
const PREDEFINED_TYPES: ReadonlySet<string> = new Set([
  "bool",
  "byte",
  "char",
  "decimal",
  "double",
  "float",
  "int",
  "long",
  "object",
  "sbyte",
  "short",
  "string",
  "uint",
  "ulong",
  "ushort",
]);

/** Keywords that are C# but not part of what policy expressions support, with the construct they start. */
const UNSUPPORTED_KEYWORDS: ReadonlySet<string> = new Set([
  "abstract",
  "base",
  "checked",
  "class",
  "const",
  "delegate",
  "enum",
  "event",
  "explicit",
  "extern",
  "fixed",
  "goto",
  "implicit",
  "interface",
  "internal",
  "lock",
  "namespace",
  "operator",
  "override",
  "private",
  "protected",
  "public",
  "readonly",
  "ref",
  "sealed",
  "sizeof",
  "stackalloc",
  "static",
  "struct",
  "this",
  "typeof",
  "unchecked",
  "unsafe",
  "using",
  "virtual",
  "volatile",
  "void",
  "params",
]);

/** Tokens after which `name<…>` is a generic name, not a comparison (C# spec §6.2.5). */
const AFTER_TYPE_ARGS: ReadonlySet<string> = new Set([
  "(",
  ")",
  "]",
  "}",
  ":",
  ";",
  ",",
  ".",
  "?",
  "==",
  "!=",
  "|",
  "^",
  "&&",
  "||",
  "&",
  "[",
  "?.",
  "??",
]);

const ASSIGNMENT_OPERATORS: ReadonlySet<string> = new Set(["=", ...COMPOUND_ASSIGNMENTS]);

const BINARY_LEVELS: readonly (readonly string[])[] = [
  ["||"],
  ["&&"],
  ["|"],
  ["^"],
  ["&"],
  ["==", "!="],
  ["<", ">", "<=", ">="], // with `is` and `as`
  ["<<", ">>"],
  ["+", "-"],
  ["*", "/", "%"],
];
const RELATIONAL_LEVEL = 6;

function unsupported(token: Token): never {
  throw new ExpressionSyntaxError(`'${token.text}' is not supported in policy expressions`, token.start);
}

class Parser {
  private index = 0;
  /** How deeply the type being read nests generic arguments. */
  private typeDepth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    /** How deeply what is being read nests: an interpolation hole's parser starts at its string's depth. */
    private depth = 0,
  ) {}

  // ---- token helpers ----

  private peek(ahead = 0): Token {
    const tokens = this.tokens;
    return tokens[Math.min(this.index + ahead, tokens.length - 1)] as Token;
  }

  private advance(): Token {
    const token = this.peek();
    if (token.kind !== "eof") this.index++;
    return token;
  }

  private is(text: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return (token.kind === "punct" || token.kind === "keyword") && token.text === text;
  }

  private isIdentifier(text?: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === "identifier" && (text === undefined || (token.text === text && !token.verbatim));
  }

  private accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.index++;
    return true;
  }

  private fail(message: string, token: Token = this.peek()): never {
    throw new ExpressionSyntaxError(message, token.start);
  }

  private describe(token: Token): string {
    return token.kind === "eof" ? "the end of the expression" : `'${token.text}'`;
  }

  private expect(text: string): Token {
    const token = this.peek();
    if (!this.is(text)) this.fail(`'${text}' expected, found ${this.describe(token)}`);
    return this.advance();
  }

  private identifier(what = "An identifier"): Token {
    const token = this.peek();
    if (token.kind === "identifier") return this.advance();
    if (token.kind === "keyword" && UNSUPPORTED_KEYWORDS.has(token.text)) unsupported(token);
    return this.fail(`${what} expected, found ${this.describe(token)}`);
  }

  atEnd(): boolean {
    return this.peek().kind === "eof";
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== "eof") this.fail(`Unexpected ${this.describe(token)} after the end of the expression`);
  }

  /** Runs `parse` one nesting level deeper; beyond MAX_EXPRESSION_NESTING the expression is refused, not the stack. */
  private nested<T>(parse: () => T): T {
    if (this.depth >= MAX_EXPRESSION_NESTING) throw new ExpressionNestingError(this.peek().start);
    this.depth++;
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  /**
   * Runs `attempt`; when it returns undefined or throws a syntax error, rewinds and returns undefined. Nesting too deep
   * is final: retrying another reading at each level would make the refusal cost quadratic.
   */
  private speculate<T>(attempt: () => T | undefined): T | undefined {
    const saved = this.index;
    try {
      const result = attempt();
      if (result === undefined) this.index = saved;
      return result;
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError) || error instanceof ExpressionNestingError) throw error;
      this.index = saved;
      return undefined;
    }
  }

  // ---- types ----

  /** A type: `int`, `List<string>`, `System.Text.StringBuilder`, `string[]`, `int?`. */
  type(allowNullable = true): TypeNode {
    const first = this.peek();
    let name: string;
    if (first.kind === "keyword" && PREDEFINED_TYPES.has(first.text)) {
      this.advance();
      name = first.text;
    } else if (first.kind === "identifier") {
      this.advance();
      name = first.text;
      while (this.is(".") && this.peek(1).kind === "identifier") {
        this.advance();
        name += `.${this.advance().text}`;
      }
    } else {
      if (first.kind === "keyword" && UNSUPPORTED_KEYWORDS.has(first.text)) unsupported(first);
      return this.fail(`A type expected, found ${this.describe(first)}`);
    }
    let args: TypeNode[] = [];
    if (this.is("<")) {
      this.advance();
      args = [this.typeArgument()];
      while (this.accept(",")) args.push(this.typeArgument());
      this.expect(">");
      // `Dictionary<string, List<int>>.X`: dotted access after a generic is a nested type we don't have.
    }
    let nullable = false;
    if (allowNullable && this.is("?") && !this.startsExpression(this.peek(1))) {
      this.advance();
      nullable = true;
    }
    let arrayRank = 0;
    while (this.is("[") && this.is("]", 1)) {
      this.advance();
      this.advance();
      arrayRank++;
    }
    return { kind: "type", name, args, arrayRank, nullable, start: first.start };
  }

  /**
   * A type inside `<…>`, nested at most MAX_TYPE_ARGUMENT_NESTING deep. Too deep is an ordinary syntax error, so that a
   * speculation reading `a < b, c < d, …` as type arguments gives up and the comparisons are read instead: types
   * hold no expressions, so giving up costs one scan of at most that many nested lists per `<`.
   */
  private typeArgument(): TypeNode {
    if (this.typeDepth >= MAX_TYPE_ARGUMENT_NESTING) {
      this.fail(`Generic type arguments are nested more than ${MAX_TYPE_ARGUMENT_NESTING} deep`);
    }
    this.typeDepth++;
    try {
      return this.type();
    } finally {
      this.typeDepth--;
    }
  }

  /** Whether the token can begin an expression (to tell `T?` from a conditional). */
  private startsExpression(token: Token): boolean {
    switch (token.kind) {
      case "identifier":
      case "number":
      case "string":
      case "char":
      case "interpolated":
        return true;
      case "keyword":
        return ["new", "true", "false", "null", "default"].includes(token.text) || PREDEFINED_TYPES.has(token.text);
      case "punct":
        return ["(", "!", "-", "+", "~"].includes(token.text);
      default:
        return false;
    }
  }

  /** `<T, U>` after a name, when what follows makes it a type argument list. */
  private typeArgumentsIfAny(): TypeNode[] {
    if (!this.is("<") || !this.closesTypeArguments()) return [];
    const args = this.speculate(() => {
      this.advance();
      const list = [this.type()];
      while (this.accept(",")) list.push(this.type());
      if (!this.is(">")) return undefined;
      this.advance();
      const next = this.peek();
      if (next.kind === "eof" || (next.kind === "punct" && AFTER_TYPE_ARGS.has(next.text))) return list;
      return undefined;
    });
    return args ?? [];
  }

  /**
   * Whether the `<` here is closed by a `>` with only what types are made of in between, nested at most
   * MAX_TYPE_ARGUMENT_NESTING deep. A cheap look ahead, without building or throwing, that spares the speculation for
   * comparisons (`F(a < b, c < d, …)`); it stops at the first token no type holds, or too deep.
   */
  private closesTypeArguments(): boolean {
    let depth = 0;
    for (let i = this.index; i < this.tokens.length; i++) {
      const token = this.tokens[i] as Token;
      if (token.kind === "identifier" || (token.kind === "keyword" && PREDEFINED_TYPES.has(token.text))) continue;
      if (token.kind !== "punct") return false;
      if (token.text === "<") {
        if (++depth > MAX_TYPE_ARGUMENT_NESTING) return false;
      } else if (token.text === ">") {
        if (--depth === 0) return true;
      } else if (![".", ",", "?", "[", "]"].includes(token.text)) {
        return false;
      }
    }
    return false;
  }

  // ---- expressions ----

  expression(): Expr {
    return this.assignment();
  }

  private assignment(): Expr {
    return this.nested(() => this.assignmentOrLower());
  }

  private assignmentOrLower(): Expr {
    const lambda = this.lambdaIfAny();
    if (lambda) return lambda;
    const start = this.peek().start;
    const target = this.conditional();
    const op = this.peek();
    if (op.kind === "punct" && ASSIGNMENT_OPERATORS.has(op.text)) {
      this.advance();
      return { kind: "assign", op: op.text, target, value: this.assignment(), start };
    }
    // `>>=` arrives as `>` `>=`.
    if (this.is(">") && this.is(">=", 1) && this.peek(1).start === op.end) {
      this.advance();
      this.advance();
      return { kind: "assign", op: ">>=", target, value: this.assignment(), start };
    }
    return target;
  }

  private lambdaIfAny(): Expr | undefined {
    const first = this.peek();
    if (first.kind === "identifier" && this.is("=>", 1)) {
      this.advance();
      this.advance();
      return {
        kind: "lambda",
        params: [{ name: first.text, type: undefined, start: first.start }],
        body: this.lambdaBody(),
        start: first.start,
      };
    }
    if (!this.is("(")) return undefined;
    const params = this.speculate(() => {
      this.advance();
      const list: { name: string; type: TypeNode | undefined; start: number }[] = [];
      if (!this.is(")")) {
        for (;;) {
          const typed = this.peek(1).kind === "identifier" || this.is("<", 1) || this.is("[", 1) || this.is(".", 1);
          const type = typed ? this.type() : undefined;
          const name = this.peek();
          if (name.kind !== "identifier") return undefined;
          this.advance();
          list.push({ name: name.text, type, start: name.start });
          if (!this.accept(",")) break;
        }
      }
      if (!this.accept(")") || !this.is("=>")) return undefined;
      this.advance();
      return list;
    });
    if (!params) return undefined;
    return { kind: "lambda", params, body: this.lambdaBody(), start: first.start };
  }

  private lambdaBody(): Expr | Block {
    return this.is("{") ? this.block() : this.expression();
  }

  private conditional(): Expr {
    const start = this.peek().start;
    const test = this.coalesce();
    if (!this.is("?")) return test;
    this.advance();
    const then = this.assignment();
    this.expect(":");
    const otherwise = this.assignment();
    return { kind: "conditional", test, then, otherwise, start };
  }

  private coalesce(): Expr {
    const start = this.peek().start;
    const left = this.binary(0);
    if (!this.is("??")) return left;
    const op = this.advance();
    const right = this.nested(() => this.coalesce());
    return { kind: "binary", op: "??", left, right, start, opStart: op.start };
  }

  private binary(level: number): Expr {
    if (level >= BINARY_LEVELS.length) return this.unary();
    const start = this.peek().start;
    let left = this.binary(level + 1);
    const ops = BINARY_LEVELS[level] as readonly string[];
    for (;;) {
      const token = this.peek();
      if (level === RELATIONAL_LEVEL && token.kind === "keyword" && (token.text === "is" || token.text === "as")) {
        this.advance();
        left =
          token.text === "as"
            ? { kind: "as", operand: left, type: this.type(false), start }
            : this.isPattern(left, start);
        continue;
      }
      let op = token.kind === "punct" ? token.text : "";
      // `>>` arrives as two adjacent `>`, and `>>=` as `>` `>=` (an assignment, left to the caller).
      const adjacent = this.peek(1).start === token.end;
      if (op === ">" && adjacent && this.is(">=", 1)) return left;
      if (op === ">" && adjacent && this.is(">", 1)) op = ">>";
      if (!ops.includes(op)) return left;
      this.advance();
      if (op === ">>") this.advance();
      const right = this.binary(level + 1);
      left = { kind: "binary", op, left, right, start, opStart: token.start };
    }
  }

  /** After `is`: `T`, `T name`, `null`, `not null`, a constant. */
  private isPattern(operand: Expr, start: number): Expr {
    let negated = false;
    if (this.isIdentifier("not")) {
      this.advance();
      negated = true;
    }
    const token = this.peek();
    if (
      token.kind === "number" ||
      token.kind === "string" ||
      token.kind === "char" ||
      (token.kind === "keyword" && ["null", "true", "false"].includes(token.text))
    ) {
      return { kind: "is", operand, type: undefined, constant: this.unary(), designation: undefined, negated, start };
    }
    const type = this.type(false);
    let designation: { name: string; start: number } | undefined;
    if (this.peek().kind === "identifier" && !this.isIdentifier("and") && !this.isIdentifier("or")) {
      const name = this.advance();
      designation = { name: name.text, start: name.start };
    }
    return { kind: "is", operand, type, constant: undefined, designation, negated, start };
  }

  private unary(): Expr {
    const token = this.peek();
    if (token.kind === "punct") {
      switch (token.text) {
        case "+":
        case "-":
        case "!":
        case "~":
          this.advance();
          return { kind: "unary", op: token.text, operand: this.nested(() => this.unary()), start: token.start };
        case "++":
        case "--":
          this.advance();
          return {
            kind: "update",
            op: token.text,
            prefix: true,
            target: this.nested(() => this.unary()),
            start: token.start,
          };
        case "&":
        case "*":
          return this.fail("Pointers are not supported in policy expressions", token);
        case "(": {
          const cast = this.castIfAny();
          if (cast) return cast;
          break;
        }
      }
    }
    if (token.kind === "identifier" && token.text === "await" && !token.verbatim) {
      return this.fail("'await' is not supported in policy expressions", token);
    }
    return this.postfix(this.primary());
  }

  /** `(T)x` when the parenthesised text is a type and what follows can only be an operand. */
  private castIfAny(): Expr | undefined {
    const start = this.peek().start;
    return this.speculate(() => {
      this.advance();
      const keyword = this.peek().kind === "keyword";
      const type = this.type();
      if (!this.is(")")) return undefined;
      this.advance();
      const next = this.peek();
      const predefined = keyword && PREDEFINED_TYPES.has(type.name);
      const operandFollows =
        next.kind === "identifier" ||
        next.kind === "number" ||
        next.kind === "string" ||
        next.kind === "char" ||
        next.kind === "interpolated" ||
        (next.kind === "keyword" && !["is", "as", "in"].includes(next.text)) ||
        (next.kind === "punct" && ["(", "!", "~"].includes(next.text));
      const signedOperand = predefined && next.kind === "punct" && ["-", "+", "++", "--"].includes(next.text);
      if (!operandFollows && !signedOperand) return undefined;
      return { kind: "cast", type, operand: this.nested(() => this.unary()), start } satisfies Expr;
    });
  }

  private postfix(target: Expr): Expr {
    let expr = target;
    for (;;) {
      const token = this.peek();
      if (token.kind !== "punct") return expr;
      switch (token.text) {
        case ".":
        case "?.": {
          this.advance();
          const name = this.identifier("A member name");
          const typeArgs = this.typeArgumentsIfAny();
          expr = {
            kind: "member",
            target: expr,
            name: name.text,
            typeArgs,
            conditional: token.text === "?.",
            start: expr.start,
            nameStart: name.start,
          };
          break;
        }
        case "(":
          this.advance();
          expr = { kind: "call", callee: expr, args: this.argumentsUntil(")"), start: expr.start };
          break;
        case "[":
        case "?[": {
          this.advance();
          const args = [this.expression()];
          while (this.accept(",")) args.push(this.expression());
          this.expect("]");
          expr = { kind: "index", target: expr, args, conditional: token.text === "?[", start: expr.start };
          break;
        }
        case "++":
        case "--":
          this.advance();
          expr = { kind: "update", op: token.text, prefix: false, target: expr, start: expr.start };
          break;
        case "->":
        case "::":
          return this.fail(`'${token.text}' is not supported in policy expressions`, token);
        default:
          return expr;
      }
    }
  }

  /** Arguments after `(` up to the closer (consumed). */
  private argumentsUntil(closer: string): Argument[] {
    const args: Argument[] = [];
    if (this.accept(closer)) return args;
    for (;;) {
      args.push(this.argument());
      if (this.accept(closer)) return args;
      this.expect(",");
    }
  }

  private argument(): Argument {
    let name: string | undefined;
    if (this.peek().kind === "identifier" && this.is(":", 1)) {
      name = this.advance().text;
      this.advance();
    }
    const token = this.peek();
    if (token.kind === "keyword" && token.text === "ref") unsupported(token);
    if (token.kind === "keyword" && (token.text === "out" || token.text === "in")) {
      if (token.text === "in") unsupported(token);
      this.advance();
      let declared: TypeNode | "var" | undefined;
      if (this.isIdentifier("var") && this.peek(1).kind === "identifier") {
        this.advance();
        declared = "var";
      } else if (this.peek(1).kind === "identifier" || this.is("<", 1) || this.is("[", 1) || this.is("?", 1)) {
        const typed = this.speculate(() => {
          const type = this.type();
          return this.peek().kind === "identifier" ? type : undefined;
        });
        declared = typed;
      }
      const nameToken = this.identifier("The name of the out variable");
      const value: Expr = { kind: "name", name: nameToken.text, typeArgs: [], start: nameToken.start };
      return { name, value, out: { declared, name: nameToken.text, start: nameToken.start } };
    }
    return { name, value: this.expression() };
  }

  private primary(): Expr {
    const token = this.peek();
    switch (token.kind) {
      case "number":
        this.advance();
        return this.numberLiteral(token);
      case "string":
        this.advance();
        return { kind: "literal", type: "string", value: token.value, start: token.start };
      case "char":
        this.advance();
        return { kind: "literal", type: "char", value: token.value, start: token.start };
      case "interpolated":
        this.advance();
        return {
          kind: "interpolated",
          parts: token.parts.map((part) => (typeof part === "string" ? part : this.hole(part))),
          start: token.start,
        };
      case "identifier": {
        if (!token.verbatim && token.text === "nameof" && this.is("(", 1)) {
          this.advance();
          this.advance();
          const inner = this.expression();
          this.expect(")");
          const name = inner.kind === "name" ? inner.name : inner.kind === "member" ? inner.name : undefined;
          if (name === undefined) this.fail("nameof takes a name", token);
          return { kind: "nameof", name, start: token.start };
        }
        if (
          !token.verbatim &&
          (token.text === "from" || token.text === "async") &&
          this.peek(1).kind === "identifier"
        ) {
          return this.fail(
            token.text === "from"
              ? "LINQ query syntax is not supported in policy expressions: use method calls (Where, Select …)"
              : "'async' is not supported in policy expressions",
            token,
          );
        }
        this.advance();
        return { kind: "name", name: token.text, typeArgs: this.typeArgumentsIfAny(), start: token.start };
      }
      case "keyword":
        return this.keywordPrimary(token);
      case "punct":
        if (token.text === "(") {
          this.advance();
          const inner = this.expression();
          if (this.is(",")) this.fail("Tuples are not supported in policy expressions");
          this.expect(")");
          return inner;
        }
        if (token.text === "{") {
          this.advance();
          const elements = this.elementsUntil("}");
          return { kind: "arrayInit", elements, start: token.start };
        }
        return this.fail(`Unexpected ${this.describe(token)}`, token);
      case "eof":
        return this.fail("An expression expected, found the end of the expression", token);
    }
  }

  private hole(part: InterpolationHole): { expr: Expr; alignment: Expr | undefined; format: string | undefined } {
    const parse = (tokens: Token[]) => {
      const parser = new Parser(tokens, this.depth);
      const expr = parser.expression();
      parser.expectEnd();
      return expr;
    };
    return {
      expr: parse(part.tokens),
      alignment: part.alignment ? parse(part.alignment) : undefined,
      format: part.format,
    };
  }

  private numberLiteral(token: Extract<Token, { kind: "number" }>): Expr {
    const { value, real, suffix, start } = token;
    if (suffix === "m") return { kind: "literal", type: "decimal", value, start };
    if (suffix === "f") return { kind: "literal", type: "float", value, start };
    if (real || suffix === "d") return { kind: "literal", type: "double", value, start };
    if (suffix === "l" || suffix === "ul" || value > 0x7fffffff) {
      if (!Number.isSafeInteger(value)) this.fail(`The integer literal '${token.text}' is too large`, token);
      return { kind: "literal", type: "long", value, start };
    }
    return { kind: "literal", type: "int", value, start };
  }

  private keywordPrimary(token: Token): Expr {
    const text = token.text;
    switch (text) {
      case "true":
      case "false":
        this.advance();
        return { kind: "literal", type: "bool", value: text === "true", start: token.start };
      case "null":
        this.advance();
        return { kind: "literal", type: "null", value: null, start: token.start };
      case "new":
        return this.newExpression();
      case "default": {
        this.advance();
        if (!this.accept("(")) return { kind: "default", type: undefined, start: token.start };
        const type = this.type();
        this.expect(")");
        return { kind: "default", type, start: token.start };
      }
      case "throw":
        return this.fail("A throw expression is not supported here: use a throw statement", token);
    }
    if (PREDEFINED_TYPES.has(text)) {
      this.advance();
      return {
        kind: "typeRef",
        type: { kind: "type", name: text, args: [], arrayRank: 0, nullable: false, start: token.start },
        start: token.start,
      };
    }
    if (UNSUPPORTED_KEYWORDS.has(text)) unsupported(token);
    return this.fail(`Unexpected '${text}'`, token);
  }

  private newExpression(): Expr {
    const start = this.advance().start;
    if (this.is("[")) {
      this.advance();
      this.expect("]");
      this.expect("{");
      return { kind: "newArray", element: undefined, size: undefined, elements: this.elementsUntil("}"), start };
    }
    if (this.is("{")) this.fail("Anonymous types are not supported in policy expressions");
    const type = this.typeForNew();
    if (this.is("[")) {
      // new T[n] or new T[n] { … } is not C#; new T[] { … } and new T[n].
      this.advance();
      if (this.accept("]")) {
        this.expect("{");
        return { kind: "newArray", element: type, size: undefined, elements: this.elementsUntil("}"), start };
      }
      const size = this.expression();
      this.expect("]");
      let elements: Expr[] | undefined;
      if (this.accept("{")) elements = this.elementsUntil("}");
      return { kind: "newArray", element: type, size, elements, start };
    }
    let args: Argument[] = [];
    if (this.accept("(")) args = this.argumentsUntil(")");
    else if (!this.is("{")) this.fail(`'(' or '{' expected after 'new ${type.name}'`);
    let initializer: Initializer[] | undefined;
    if (this.accept("{")) initializer = this.initializers();
    return { kind: "new", type, args, initializer, start };
  }

  /** The type after `new`, without array brackets (they follow as size or `[]`). */
  private typeForNew(): TypeNode {
    const first = this.peek();
    const base = this.type(true);
    if (base.arrayRank > 0) {
      // `new string[] { … }` was consumed as an array type: hand the brackets back.
      this.index -= 2 * base.arrayRank;
      return { ...base, arrayRank: 0, start: first.start };
    }
    return base;
  }

  /** Expressions separated by commas up to the closer (consumed), a trailing comma allowed. */
  private elementsUntil(closer: string): Expr[] {
    const elements: Expr[] = [];
    while (!this.accept(closer)) {
      elements.push(this.is("{") ? this.nestedInit() : this.expression());
      if (!this.accept(",")) {
        this.expect(closer);
        break;
      }
    }
    return elements;
  }

  private nestedInit(): Expr {
    const start = this.expect("{").start;
    return { kind: "arrayInit", elements: this.nested(() => this.elementsUntil("}")), start };
  }

  /** A collection initialiser's entries after `{`: `a`, `{ k, v }`, `[k] = v`. */
  private initializers(): Initializer[] {
    const entries: Initializer[] = [];
    while (!this.accept("}")) {
      const token = this.peek();
      if (this.is("[")) {
        this.advance();
        const index = [this.expression()];
        while (this.accept(",")) index.push(this.expression());
        this.expect("]");
        this.expect("=");
        entries.push({ kind: "indexed", index, value: this.expression(), start: token.start });
      } else if (this.is("{")) {
        this.advance();
        entries.push({ kind: "add", args: this.elementsUntil("}"), start: token.start });
      } else if (token.kind === "identifier" && this.is("=", 1)) {
        this.fail("Object initializers ('Name = value') are not supported in policy expressions", token);
      } else {
        entries.push({ kind: "add", args: [this.expression()], start: token.start });
      }
      if (!this.accept(",")) {
        this.expect("}");
        break;
      }
    }
    return entries;
  }

  // ---- statements ----

  block(): Block {
    const start = this.expect("{").start;
    const statements: Statement[] = [];
    while (!this.is("}")) {
      if (this.atEnd()) this.fail("'}' expected, found the end of the expression");
      statements.push(this.statement());
    }
    this.advance();
    return { kind: "block", statements, start };
  }

  statement(): Statement {
    return this.nested(() => this.statementHere());
  }

  private statementHere(): Statement {
    const token = this.peek();
    const start = token.start;
    if (token.kind === "punct") {
      if (token.text === "{") return this.block();
      if (token.text === ";") {
        this.advance();
        return { kind: "empty", start };
      }
    }
    if (token.kind === "keyword") {
      switch (token.text) {
        case "if":
          return this.ifStatement();
        case "foreach":
          return this.foreachStatement();
        case "for":
          return this.forStatement();
        case "while": {
          this.advance();
          const test = this.parenthesized();
          return { kind: "while", test, body: this.embedded(), start };
        }
        case "do": {
          this.advance();
          const body = this.embedded();
          if (!this.is("while")) this.fail("'while' expected after the body of 'do'");
          this.advance();
          const test = this.parenthesized();
          this.expect(";");
          return { kind: "do", body, test, start };
        }
        case "return":
        case "throw": {
          this.advance();
          const value = this.is(";") ? undefined : this.expression();
          this.expect(";");
          return { kind: token.text, value, start };
        }
        case "break":
        case "continue":
          this.advance();
          this.expect(";");
          return { kind: token.text, start };
        case "try":
          return this.tryStatement();
        case "switch":
          return this.switchStatement();
        case "else":
          return this.fail("'else' without 'if'", token);
        case "case":
        case "default":
          this.fail(`'${token.text}' outside 'switch'`, token);
      }
      if (UNSUPPORTED_KEYWORDS.has(token.text)) unsupported(token);
    }
    if (
      token.kind === "identifier" &&
      !token.verbatim &&
      token.text === "yield" &&
      (this.is("return", 1) || this.is("break", 1))
    ) {
      unsupported(token);
    }
    const declaration = this.declarationIfAny();
    if (declaration) return declaration;
    const expr = this.expression();
    if (!["assign", "call", "update", "new"].includes(expr.kind)) {
      throw new ExpressionSyntaxError(
        "Only assignment, call, increment, decrement and new object expressions can be used as a statement",
        expr.start,
      );
    }
    this.expect(";");
    return { kind: "expression", expr, start };
  }

  /** A statement that is the body of if/else/loops: a declaration is not allowed there. */
  private embedded(): Statement {
    const statement = this.statement();
    if (statement.kind === "declare") {
      throw new ExpressionSyntaxError("A declaration is not allowed here: put it in a block ({ … })", statement.start);
    }
    return statement;
  }

  /** `var x = …;`, `T x = …, y;` when the tokens make a declaration. */
  private declarationIfAny(): Statement | undefined {
    const start = this.peek().start;
    const header = this.speculate(() => {
      let type: TypeNode | undefined;
      if (this.isIdentifier("var") && this.peek(1).kind === "identifier") {
        this.advance();
      } else {
        type = this.type();
        // `int? n = …`: type() leaves a `?` followed by a name to the conditional operator; before a declarator it
        // can only make the type nullable (`a ? b = c` is no statement).
        if (!type.nullable && type.arrayRank === 0 && this.is("?") && this.peek(1).kind === "identifier") {
          this.advance();
          type = { ...type, nullable: true };
        }
      }
      const name = this.peek();
      if (name.kind !== "identifier") return undefined;
      const after = this.peek(1);
      if (after.kind !== "punct" || !["=", ";", ",", "("].includes(after.text)) return undefined;
      return { type };
    });
    if (!header) return undefined;
    if (this.is("(", 1)) this.fail("Local functions are not supported in policy expressions");
    const declarators: Declarator[] = [];
    do {
      const name = this.identifier();
      let init: Expr | undefined;
      if (this.accept("=")) init = this.is("{") ? this.nestedInit() : this.expression();
      declarators.push({ name: name.text, init, start: name.start });
    } while (this.accept(","));
    this.expect(";");
    return { kind: "declare", type: header.type, declarators, start };
  }

  /** `(expression)`: the condition of if, while and do, and the value of switch. */
  private parenthesized(): Expr {
    this.expect("(");
    const expr = this.expression();
    this.expect(")");
    return expr;
  }

  private ifStatement(): Statement {
    const start = this.advance().start;
    const test = this.parenthesized();
    const then = this.embedded();
    let otherwise: Statement | undefined;
    if (this.is("else")) {
      this.advance();
      otherwise = this.embedded();
    }
    return { kind: "if", test, then, otherwise, start };
  }

  private foreachStatement(): Statement {
    const start = this.advance().start;
    this.expect("(");
    let type: TypeNode | undefined;
    if (this.isIdentifier("var") && this.peek(1).kind === "identifier") this.advance();
    else type = this.type();
    const name = this.identifier("The loop variable's name");
    if (!this.is("in")) this.fail("'in' expected in 'foreach'");
    this.advance();
    const collection = this.expression();
    this.expect(")");
    return { kind: "foreach", type, name: name.text, nameStart: name.start, collection, body: this.embedded(), start };
  }

  private forStatement(): Statement {
    const start = this.advance().start;
    this.expect("(");
    let init: Statement | undefined;
    if (!this.accept(";")) {
      init = this.declarationIfAny();
      if (!init) {
        const expr = this.expression();
        this.expect(";");
        init = { kind: "expression", expr, start: expr.start };
      }
    }
    const test = this.is(";") ? undefined : this.expression();
    this.expect(";");
    const update: Expr[] = [];
    if (!this.is(")")) {
      update.push(this.expression());
      while (this.accept(",")) update.push(this.expression());
    }
    this.expect(")");
    return { kind: "for", init, test, update, body: this.embedded(), start };
  }

  private tryStatement(): Statement {
    const start = this.advance().start;
    const body = this.block();
    const catches: { type: TypeNode | undefined; name: string | undefined; body: Block; start: number }[] = [];
    while (this.is("catch")) {
      const catchStart = this.advance().start;
      let type: TypeNode | undefined;
      let name: string | undefined;
      if (this.accept("(")) {
        type = this.type();
        if (this.peek().kind === "identifier") name = this.advance().text;
        this.expect(")");
      }
      if (this.isIdentifier("when")) this.fail("Exception filters ('when') are not supported in policy expressions");
      catches.push({ type, name, body: this.block(), start: catchStart });
    }
    let final: Block | undefined;
    if (this.is("finally")) {
      this.advance();
      final = this.block();
    }
    if (catches.length === 0 && !final) this.fail("'catch' or 'finally' expected after 'try'");
    return { kind: "try", body, catches, final, start };
  }

  private switchStatement(): Statement {
    const start = this.advance().start;
    const value = this.parenthesized();
    this.expect("{");
    const sections: SwitchSection[] = [];
    while (!this.accept("}")) {
      const sectionStart = this.peek().start;
      const labels: (Expr | undefined)[] = [];
      while (this.is("case") || (this.is("default") && this.is(":", 1))) {
        if (this.is("default")) {
          this.advance();
          labels.push(undefined);
        } else {
          this.advance();
          labels.push(this.conditional());
          if (this.isIdentifier("when")) this.fail("Case guards ('when') are not supported in policy expressions");
        }
        this.expect(":");
      }
      if (labels.length === 0) this.fail("'case' or 'default' expected in 'switch'");
      const body: Statement[] = [];
      while (!this.is("case") && !(this.is("default") && this.is(":", 1)) && !this.is("}")) {
        if (this.atEnd()) this.fail("'}' expected, found the end of the expression");
        body.push(this.statement());
      }
      sections.push({ labels, body, start: sectionStart });
    }
    return { kind: "switch", value, sections, start };
  }
}
