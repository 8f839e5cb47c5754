/** The syntax tree of a policy expression. `start` is the offset in the expression source of the node's first token. */

export interface TypeNode {
  readonly kind: "type";
  /** Dotted as written: `System.Text.StringBuilder`, `List`, `int`. */
  readonly name: string;
  readonly args: readonly TypeNode[];
  /** Rank of `[]` suffixes (`string[][]` → 2). */
  readonly arrayRank: number;
  readonly nullable: boolean;
  readonly start: number;
}

export type LiteralType = "string" | "char" | "bool" | "null" | "int" | "long" | "double" | "float" | "decimal";

export interface Argument {
  /** `name: value`. */
  readonly name: string | undefined;
  readonly value: Expr;
  /** `out var x` / `out int x` / `out x`. */
  readonly out?: { readonly declared: TypeNode | "var" | undefined; readonly name: string; readonly start: number };
}

export interface InterpolatedHole {
  readonly expr: Expr;
  readonly alignment: Expr | undefined;
  readonly format: string | undefined;
}

export type Expr =
  | { readonly kind: "literal"; readonly type: LiteralType; readonly value: unknown; readonly start: number }
  | {
      readonly kind: "interpolated";
      readonly parts: readonly (string | InterpolatedHole)[];
      readonly start: number;
    }
  | { readonly kind: "name"; readonly name: string; readonly typeArgs: readonly TypeNode[]; readonly start: number }
  | {
      readonly kind: "member";
      readonly target: Expr;
      readonly name: string;
      readonly typeArgs: readonly TypeNode[];
      readonly conditional: boolean;
      readonly start: number;
      /** Offset of the member name, for messages. */
      readonly nameStart: number;
    }
  /** A predefined type used as an expression target: `string.Join`, `int.Parse`. */
  | { readonly kind: "typeRef"; readonly type: TypeNode; readonly start: number }
  | { readonly kind: "call"; readonly callee: Expr; readonly args: readonly Argument[]; readonly start: number }
  | {
      readonly kind: "index";
      readonly target: Expr;
      readonly args: readonly Expr[];
      readonly conditional: boolean;
      readonly start: number;
    }
  | { readonly kind: "unary"; readonly op: string; readonly operand: Expr; readonly start: number }
  | {
      readonly kind: "update";
      readonly op: "++" | "--";
      readonly prefix: boolean;
      readonly target: Expr;
      readonly start: number;
    }
  | {
      readonly kind: "binary";
      readonly op: string;
      readonly left: Expr;
      readonly right: Expr;
      readonly start: number;
      readonly opStart: number;
    }
  | {
      readonly kind: "conditional";
      readonly test: Expr;
      readonly then: Expr;
      readonly otherwise: Expr;
      readonly start: number;
    }
  | {
      readonly kind: "assign";
      /** `=`, `+=`, `??=` … */
      readonly op: string;
      readonly target: Expr;
      readonly value: Expr;
      readonly start: number;
    }
  | { readonly kind: "cast"; readonly type: TypeNode; readonly operand: Expr; readonly start: number }
  | {
      readonly kind: "is";
      readonly operand: Expr;
      readonly type: TypeNode | undefined;
      /** `x is null` / `x is "a"` constant patterns. */
      readonly constant: Expr | undefined;
      /** `x is string s`. */
      readonly designation: { readonly name: string; readonly start: number } | undefined;
      readonly negated: boolean;
      readonly start: number;
    }
  | { readonly kind: "as"; readonly operand: Expr; readonly type: TypeNode; readonly start: number }
  | {
      readonly kind: "lambda";
      readonly params: readonly {
        readonly name: string;
        readonly type: TypeNode | undefined;
        readonly start: number;
      }[];
      readonly body: Expr | Block;
      readonly start: number;
    }
  | {
      readonly kind: "new";
      readonly type: TypeNode;
      readonly args: readonly Argument[];
      readonly initializer: readonly Initializer[] | undefined;
      readonly start: number;
    }
  | {
      readonly kind: "newArray";
      /** Element type; undefined for `new[] {…}`. */
      readonly element: TypeNode | undefined;
      readonly size: Expr | undefined;
      readonly elements: readonly Expr[] | undefined;
      readonly start: number;
    }
  /** `{ a, b }` in `string[] x = { a, b };`. */
  | { readonly kind: "arrayInit"; readonly elements: readonly Expr[]; readonly start: number }
  | { readonly kind: "default"; readonly type: TypeNode | undefined; readonly start: number }
  | { readonly kind: "nameof"; readonly name: string; readonly start: number };

/** One entry of a collection or object initialiser. */
export type Initializer =
  | { readonly kind: "add"; readonly args: readonly Expr[]; readonly start: number }
  | { readonly kind: "indexed"; readonly index: readonly Expr[]; readonly value: Expr; readonly start: number };

export interface Block {
  readonly kind: "block";
  readonly statements: readonly Statement[];
  readonly start: number;
}

export interface CatchClause {
  readonly type: TypeNode | undefined;
  readonly name: string | undefined;
  readonly body: Block;
  readonly start: number;
}

export interface Declarator {
  readonly name: string;
  readonly init: Expr | undefined;
  readonly start: number;
}

export interface SwitchSection {
  /** undefined for `default:`. */
  readonly labels: readonly (Expr | undefined)[];
  readonly body: readonly Statement[];
  readonly start: number;
}

export type Statement =
  | Block
  | {
      readonly kind: "declare";
      /** undefined for `var`. */
      readonly type: TypeNode | undefined;
      readonly declarators: readonly Declarator[];
      readonly start: number;
    }
  | { readonly kind: "expression"; readonly expr: Expr; readonly start: number }
  | {
      readonly kind: "if";
      readonly test: Expr;
      readonly then: Statement;
      readonly otherwise: Statement | undefined;
      readonly start: number;
    }
  | {
      readonly kind: "foreach";
      readonly type: TypeNode | undefined;
      readonly name: string;
      readonly nameStart: number;
      readonly collection: Expr;
      readonly body: Statement;
      readonly start: number;
    }
  | {
      readonly kind: "for";
      readonly init: Statement | undefined;
      readonly test: Expr | undefined;
      readonly update: readonly Expr[];
      readonly body: Statement;
      readonly start: number;
    }
  | { readonly kind: "while"; readonly test: Expr; readonly body: Statement; readonly start: number }
  | { readonly kind: "do"; readonly body: Statement; readonly test: Expr; readonly start: number }
  | { readonly kind: "return"; readonly value: Expr | undefined; readonly start: number }
  | { readonly kind: "break"; readonly start: number }
  | { readonly kind: "continue"; readonly start: number }
  | { readonly kind: "throw"; readonly value: Expr | undefined; readonly start: number }
  | {
      readonly kind: "try";
      readonly body: Block;
      readonly catches: readonly CatchClause[];
      readonly final: Block | undefined;
      readonly start: number;
    }
  | {
      readonly kind: "switch";
      readonly value: Expr;
      readonly sections: readonly SwitchSection[];
      readonly start: number;
    }
  | { readonly kind: "empty"; readonly start: number };
