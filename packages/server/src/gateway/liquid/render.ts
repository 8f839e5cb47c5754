/**
 * Renders a parsed Liquid template against its variables, within a budget: every node, loop iteration and filter
 * costs a step, and the output may not outgrow a limit, so no template can hang the gateway or fill its memory.
 */
import type { Condition, Expression, Filtered, Node } from "./ast.js";
import { LiquidRenderError } from "./errors.js";
import type { FilterLimits } from "./filters.js";
import {
  compare,
  contains,
  equals,
  isTruthy,
  lookup,
  toList,
  toNumber,
  toText,
  type LiquidValue,
  type Operand,
} from "./values.js";

export interface RenderLimits extends FilterLimits {
  readonly steps: number;
}

/** Unwinds a loop body on `{% break %}` / `{% continue %}`. */
class LoopControl {
  constructor(readonly kind: "break" | "continue") {}
}

export class Renderer {
  private steps = 0;
  private length = 0;
  /** Innermost last: a for loop's variable and `forloop`; assign and capture write the outermost. */
  private readonly scopes: Map<string, LiquidValue>[];

  constructor(
    globals: ReadonlyMap<string, LiquidValue>,
    private readonly limits: RenderLimits,
  ) {
    this.scopes = [new Map(globals)];
  }

  render(nodes: readonly Node[]): string {
    const out: string[] = [];
    const control = this.nodes(nodes, out);
    if (control) throw new LiquidRenderError(`'${control.kind}' outside a for loop`);
    return out.join("");
  }

  private nodes(nodes: readonly Node[], out: string[]): LoopControl | undefined {
    for (const node of nodes) {
      const control = this.node(node, out);
      if (control) return control;
    }
    return undefined;
  }

  private step(): void {
    if (++this.steps > this.limits.steps) {
      throw new LiquidRenderError(`The template exceeded its budget of ${this.limits.steps} steps`);
    }
  }

  private write(out: string[], text: string): void {
    this.length += text.length;
    if (this.length > this.limits.maxLength) {
      throw new LiquidRenderError(`The template's output exceeded ${this.limits.maxLength} characters`);
    }
    out.push(text);
  }

  private node(node: Node, out: string[]): LoopControl | undefined {
    this.step();
    switch (node.kind) {
      case "text":
        this.write(out, node.text);
        return undefined;
      case "output":
        this.write(out, toText(this.filtered(node.value)));
        return undefined;
      case "if": {
        for (let i = 0; i < node.branches.length; i++) {
          const branch = node.branches[i] as (typeof node.branches)[number];
          // unless negates its own condition, not those of its elsif branches.
          if (this.condition(branch.condition) !== (node.negate && i === 0)) return this.nodes(branch.body, out);
        }
        return this.nodes(node.otherwise, out);
      }
      case "case": {
        const subject = this.expression(node.subject);
        const when = node.whens.find((w) => w.values.some((value) => equals(subject, this.expression(value))));
        return this.nodes(when ? when.body : node.otherwise, out);
      }
      case "for":
        return this.loop(node, out);
      case "assign":
        (this.scopes[0] as Map<string, LiquidValue>).set(node.name, this.filtered(node.value));
        return undefined;
      case "capture": {
        const captured: string[] = [];
        const control = this.nodes(node.body, captured);
        (this.scopes[0] as Map<string, LiquidValue>).set(node.name, captured.join(""));
        return control;
      }
      case "break":
      case "continue":
        return new LoopControl(node.kind);
    }
  }

  private loop(node: Extract<Node, { kind: "for" }>, out: string[]): undefined {
    let items = [...this.collection(node.collection)];
    const offset = node.offset ? (toNumber(this.value(node.offset)) ?? 0) : 0;
    const limit = node.limit ? toNumber(this.value(node.limit)) : undefined;
    items = items.slice(Math.max(0, offset), limit === undefined ? undefined : Math.max(0, offset) + limit);
    if (node.reversed) items.reverse();
    if (items.length === 0) {
      this.nodes(node.otherwise, out);
      return undefined;
    }
    const scope = new Map<string, LiquidValue>();
    this.scopes.push(scope);
    try {
      for (let i = 0; i < items.length; i++) {
        this.step();
        scope.set(node.variable, items[i]);
        scope.set("forloop", {
          index: i + 1,
          index0: i,
          rindex: items.length - i,
          rindex0: items.length - i - 1,
          first: i === 0,
          last: i === items.length - 1,
          length: items.length,
        });
        const control = this.nodes(node.body, out);
        if (control?.kind === "break") break;
      }
    } finally {
      this.scopes.pop();
    }
    return undefined;
  }

  private collection(expression: Expression): readonly LiquidValue[] {
    if (expression.kind === "range") {
      const from = Math.trunc(toNumber(this.value(expression.from)) ?? 0);
      const to = Math.trunc(toNumber(this.value(expression.to)) ?? 0);
      // Counted against the budget before the list exists: a range is the one way to ask for a huge list.
      if (to - from + 1 > this.limits.steps) {
        throw new LiquidRenderError(`The range (${from}..${to}) exceeds the template's budget`);
      }
      return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
    }
    return toList(this.value(expression));
  }

  private filtered(filtered: Filtered): LiquidValue {
    let value = this.value(filtered.value);
    for (const call of filtered.filters) {
      this.step();
      value = call.filter.apply(
        value,
        call.args.map((arg) => this.value(arg)),
        this.limits,
      );
    }
    return value;
  }

  private condition(condition: Condition): boolean {
    if (condition.kind !== "test") {
      const left = this.condition(condition.left);
      return condition.kind === "and"
        ? left && this.condition(condition.right)
        : left || this.condition(condition.right);
    }
    const left = this.expression(condition.left);
    if (condition.operator === undefined || condition.right === undefined) return isTruthy(left);
    const right = this.expression(condition.right);
    switch (condition.operator) {
      case "==":
        return equals(left, right);
      case "!=":
        return !equals(left, right);
      case "contains":
        return contains(left, right);
      default: {
        const order = compare(left, right);
        if (order === undefined) return false;
        if (condition.operator === "<") return order < 0;
        if (condition.operator === ">") return order > 0;
        if (condition.operator === "<=") return order <= 0;
        return order >= 0;
      }
    }
  }

  /** An expression's value, `empty` and `blank` included (for comparisons). */
  private expression(expression: Expression): Operand {
    if (expression.kind === "literal") return expression.value;
    return this.value(expression);
  }

  /** An expression's value as data: `empty` and `blank` outside a comparison are nothing. */
  private value(expression: Expression): LiquidValue {
    switch (expression.kind) {
      case "literal":
        return typeof expression.value === "symbol" ? undefined : expression.value;
      case "range":
        return this.collection(expression);
      case "variable": {
        let value = this.variable(expression.name);
        for (const key of expression.path) value = lookup(value, this.value(key));
        return value;
      }
    }
  }

  private variable(name: string): LiquidValue {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const scope = this.scopes[i] as Map<string, LiquidValue>;
      if (scope.has(name)) return scope.get(name);
    }
    return undefined;
  }
}
