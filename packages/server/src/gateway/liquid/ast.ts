/** A parsed Liquid template: what the parser builds once, when the policy loads, and the renderer walks. */
import type { Filter } from "./filters.js";
import type { BLANK, EMPTY, LiquidValue } from "./values.js";

export type Expression =
  | { readonly kind: "literal"; readonly value: LiquidValue | typeof EMPTY | typeof BLANK }
  | { readonly kind: "variable"; readonly name: string; readonly path: readonly Expression[] }
  | { readonly kind: "range"; readonly from: Expression; readonly to: Expression };

export interface FilterCall {
  readonly name: string;
  readonly filter: Filter;
  readonly args: readonly Expression[];
}

/** An expression and the filters its value goes through (`{{ x | Upcase }}`, `assign`). */
export interface Filtered {
  readonly value: Expression;
  readonly filters: readonly FilterCall[];
}

export type ComparisonOperator = "==" | "!=" | "<" | ">" | "<=" | ">=" | "contains";

export type Condition =
  | {
      readonly kind: "test";
      readonly left: Expression;
      readonly operator?: ComparisonOperator;
      readonly right?: Expression;
    }
  | { readonly kind: "and" | "or"; readonly left: Condition; readonly right: Condition };

export interface Branch {
  readonly condition: Condition;
  readonly body: readonly Node[];
}

/** A block tag's `else`: what renders when no branch holds (if), no value matches (case) or nothing is walked (for). */
interface WithElse {
  readonly otherwise: readonly Node[];
}

export type Node =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "output"; readonly value: Filtered }
  /** if/elsif/else, and unless (`negate`: its first condition negated). */
  | ({ readonly kind: "if"; readonly negate: boolean; readonly branches: readonly Branch[] } & WithElse)
  | ({
      readonly kind: "for";
      readonly variable: string;
      readonly collection: Expression;
      readonly limit: Expression | undefined;
      readonly offset: Expression | undefined;
      readonly reversed: boolean;
      readonly body: readonly Node[];
    } & WithElse)
  | ({ readonly kind: "case"; readonly subject: Expression; readonly whens: readonly When[] } & WithElse)
  | { readonly kind: "assign"; readonly name: string; readonly value: Filtered }
  | { readonly kind: "capture"; readonly name: string; readonly body: readonly Node[] }
  | { readonly kind: "break" | "continue" };

export interface When {
  readonly values: readonly Expression[];
  readonly body: readonly Node[];
}
