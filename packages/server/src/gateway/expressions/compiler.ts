/**
 * The checker and code generator: each syntax node becomes a closure `(frame) => value` once, when the document
 * loads. Names, types and members of statically known types are resolved here; values of type object resolve their
 * members per evaluation. Statements become closures returning a completion code.
 */
import type { Argument, Block, Expr, Initializer, Statement, TypeNode } from "./ast.js";
import { castFunction, defaultOf, implicitFunction, isInstance } from "./casts.js";
import { formatValue } from "./format.js";
import { CONTEXT, EXCEPTION_DEF, exceptionMatches, exceptionValue, thrownException } from "./library.js";
import { binaryOperation, incrementOperation, unaryOperation } from "./operators.js";
import type { ParsedExpression } from "./parser.js";
import {
  ExpressionBudgetError,
  ExpressionException,
  checkedLength,
  checkedString,
  invalidCast,
  nullReference,
  type Frame,
} from "./runtime.js";
import { ExpressionEvaluationError } from "./errors.js";
import {
  BOOL,
  BOOL_DEF,
  CHAR,
  DECIMAL,
  DOUBLE,
  FLOAT,
  INT,
  INTEGRAL_DEFS,
  LONG,
  NULL,
  NULLABLE_DEF,
  NULL_DEF,
  NUMERIC_DEFS,
  OBJECT,
  STRING,
  VOID_DEF,
  arrayOf,
  clrTypeName,
  derivesFrom,
  describeMembers,
  elementType,
  findIndexer,
  findMember,
  funcOf,
  isDynamic,
  isNamespacePrefix,
  knownTypeNames,
  lookupType,
  nullableOf,
  typeName,
  typeOf,
  underlying,
  type Constant,
  type IndexerSpec,
  type Lambda,
  type Member,
  type MethodSpec,
  type OutRef,
  type PropertySpec,
  type Type,
} from "./types.js";
import { csEquals, csString, enumerate, numberKind, typeOfValue } from "./values.js";

export class CompileError extends Error {
  override name = "CompileError";
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

type Run = (frame: Frame) => unknown;

interface Value {
  readonly type: Type;
  readonly run: Run;
  /** A compile-time constant (literals), for switch labels and alignments. */
  readonly constant?: { readonly value: unknown };
}

/** A member/call/index chain link: may yield SHORT after a `?.` met null, which the chain's top turns into null. */
interface Link extends Value {
  readonly shortable: boolean;
}

const SHORT: unique symbol = Symbol("short-circuit");

const NORMAL = 0;
const RETURN = 1;
const BREAK = 2;
const CONTINUE = 3;
type Exec = (frame: Frame) => number;

interface CompiledStatement {
  readonly exec: Exec;
  /** Whether the end of the statement is reachable (C#'s definite-return analysis). */
  readonly completes: boolean;
}

interface Local {
  readonly slot: number;
  readonly type: Type;
  readonly readonly: boolean;
}

class Scope {
  private readonly names = new Map<string, Local>();
  constructor(readonly parent: Scope | undefined) {}
  lookup(name: string): Local | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }
  define(name: string, local: Local): void {
    this.names.set(name, local);
  }
}

/** A loop or a switch, and whether a `break` leaves it. */
interface Breakable {
  readonly loop: boolean;
  broken: boolean;
}

/** What `return`, `break` and `continue` refer to while a body compiles. */
interface Body {
  readonly lambda: boolean;
  readonly returnTypes: Type[];
  /** Innermost first: loops and switches with whether a `break` targets them. */
  readonly breakables: Breakable[];
  /** Slot of the exception a `throw;` in a catch clause rethrows. */
  catchSlot: number | undefined;
}

type Target =
  | { readonly kind: "value"; readonly value: Link }
  | { readonly kind: "type"; readonly type: Type; readonly start: number }
  | { readonly kind: "namespace"; readonly name: string; readonly start: number };

const norm = (value: unknown): unknown => (value === undefined ? null : value);

/** Aliases for the built-in types C# has and the runtime folds into its own. */
const NUMERIC_ALIASES: Readonly<Record<string, Type>> = {
  short: INT,
  ushort: INT,
  sbyte: INT,
  uint: LONG,
  ulong: LONG,
  Int16: INT,
  UInt16: INT,
  UInt32: LONG,
  UInt64: LONG,
};

export class Compiler {
  slotCount = 0;
  readonly readsBody = { request: false, response: false };
  private scope = new Scope(undefined);
  private body: Body = { lambda: false, returnTypes: [], breakables: [], catchSlot: undefined };

  constructor(private readonly source: string) {}

  private fail(message: string, offset: number): never {
    throw new CompileError(message, offset);
  }

  compileRoot(parsed: ParsedExpression): Run {
    if (parsed.kind === "expression") {
      const value = this.value(parsed.expr);
      if (value.type.def === VOID_DEF) this.fail("The expression has no value", parsed.expr.start);
      return value.run;
    }
    const block = this.block(parsed.block);
    if (block.completes) {
      this.fail(
        "Not all code paths return a value: every path of a statement block must end in 'return'",
        this.source.length - 1,
      );
    }
    const exec = block.exec;
    return (frame) => {
      exec(frame);
      return frame.returned;
    };
  }

  // ---------------------------------------------------------------- types

  resolveType(node: TypeNode): Type {
    let type: Type;
    const alias = NUMERIC_ALIASES[node.name] ?? NUMERIC_ALIASES[node.name.replace(/^System\./, "")];
    if (alias && node.args.length === 0) {
      type = alias;
    } else {
      const def = lookupType(node.name);
      if (!def) {
        if (/^(System\.Xml\.Linq\.)?X(Element|Document|Node|Attribute|Name|Namespace)$/.test(node.name)) {
          this.fail(
            `XML types such as '${node.name}' are not supported in policy expressions: read bodies as string or JSON`,
            node.start,
          );
        }
        this.fail(`Unknown type '${node.name}'. Known types: ${knownTypeNames().join(", ")}`, node.start);
      }
      if (def.arity >= 0 && def.arity !== node.args.length) {
        this.fail(
          def.arity === 0
            ? `Type '${def.name}' is not generic`
            : `Type '${def.name}' takes ${def.arity} type argument${def.arity === 1 ? "" : "s"}`,
          node.start,
        );
      }
      type = typeOf(def, ...node.args.map((a) => this.resolveType(a)));
    }
    if (node.nullable) type = type.def.valueType ? nullableOf(type) : type;
    for (let i = 0; i < node.arrayRank; i++) type = arrayOf(type);
    return type;
  }

  // ---------------------------------------------------------------- locals

  private declare(name: string, type: Type, start: number, readonly = false): Local {
    if (name === "context") this.fail("A local cannot be named 'context': it is the policy context", start);
    if (this.scope.lookup(name)) {
      this.fail(`A local named '${name}' is already defined in this scope or an enclosing one`, start);
    }
    const local = { slot: this.slotCount++, type, readonly };
    this.scope.define(name, local);
    return local;
  }

  /** Compiles in a scope nested in the current one: its locals end with it. */
  private inScope<T>(compile: () => T): T {
    const saved = this.scope;
    this.scope = new Scope(saved);
    try {
      return compile();
    } finally {
      this.scope = saved;
    }
  }

  /** Compiles a loop's or a switch's body with `target` as what its `break` (and a loop's `continue`) leaves. */
  private breakable<T>(target: Breakable, compile: () => T): T {
    this.body.breakables.unshift(target);
    try {
      return compile();
    } finally {
      this.body.breakables.shift();
    }
  }

  // ---------------------------------------------------------------- expressions

  /** An expression's value, with null-conditional chains ended. */
  value(expr: Expr): Value {
    switch (expr.kind) {
      case "member":
      case "call":
      case "index":
        return this.endChain(this.link(expr));
      case "literal":
        return this.literal(expr);
      case "interpolated":
        return this.interpolated(expr);
      case "name": {
        const target = this.nameTarget(expr);
        if (target.kind !== "value") this.notAValue(target, expr.start);
        return target.value;
      }
      case "typeRef":
        return this.notAValue({ kind: "type", type: this.resolveType(expr.type), start: expr.start }, expr.start);
      case "unary":
        return this.unary(expr);
      case "update":
        return this.update(expr);
      case "binary":
        return this.binary(expr);
      case "conditional":
        return this.conditional(expr);
      case "assign":
        return this.assign(expr);
      case "cast":
        return this.cast(expr);
      case "is":
        return this.isExpression(expr);
      case "as": {
        const operand = this.value(expr.operand);
        const type = this.resolveType(expr.type);
        if (type.def.valueType && type.def !== NULLABLE_DEF) {
          this.fail(`The 'as' operator needs a reference or nullable type, not '${typeName(type)}'`, expr.start);
        }
        const run = operand.run;
        return {
          type,
          run: (f) => {
            const v = run(f);
            return isInstance(v, type) ? v : null;
          },
        };
      }
      case "lambda":
        return this.fail("A lambda can only be an argument of a method such as Where or Select", expr.start);
      case "new":
        return this.newObject(expr);
      case "newArray":
        return this.newArray(
          expr.element ? this.resolveType(expr.element) : undefined,
          expr.size,
          expr.elements,
          expr.start,
        );
      case "arrayInit":
        return this.fail("An array initializer needs a type here: write 'new[] { … }'", expr.start);
      case "default": {
        const type = expr.type ? this.resolveType(expr.type) : OBJECT;
        const value = defaultOf(type);
        return { type: expr.type ? type : NULL, run: () => value, constant: { value } };
      }
      case "nameof":
        return { type: STRING, run: () => expr.name, constant: { value: expr.name } };
    }
  }

  private notAValue(target: Exclude<Target, { kind: "value" }>, start: number): never {
    if (target.kind === "type") this.fail(`'${typeName(target.type)}' is a type, which is not valid here`, start);
    return this.fail(`'${target.name}' is a namespace, which is not valid here`, start);
  }

  private endChain(link: Link): Value {
    if (!link.shortable) return link;
    const run = link.run;
    const type = link.type.def.valueType ? nullableOf(link.type) : link.type;
    return {
      type,
      run: (f) => {
        const v = run(f);
        return v === SHORT ? null : v;
      },
    };
  }

  private literal(expr: Extract<Expr, { kind: "literal" }>): Value {
    const types: Record<string, Type> = {
      string: STRING,
      char: CHAR,
      bool: BOOL,
      null: NULL,
      int: INT,
      long: LONG,
      double: DOUBLE,
      float: FLOAT,
      decimal: DECIMAL,
    };
    const value = expr.type === "float" ? Math.fround(expr.value as number) : expr.value;
    return { type: types[expr.type] ?? OBJECT, run: () => value, constant: { value } };
  }

  private interpolated(expr: Extract<Expr, { kind: "interpolated" }>): Value {
    const pieces: Run[] = expr.parts.map((part) => {
      if (typeof part === "string") return () => part;
      const value = this.value(part.expr);
      const integral = numberKind(value.type);
      let alignment = 0;
      if (part.alignment) {
        const a = this.value(part.alignment);
        if (!a.constant || typeof a.constant.value !== "number")
          this.fail("An interpolation's alignment must be a constant integer", part.alignment.start);
        alignment = a.constant.value;
      }
      const { format } = part;
      const run = value.run;
      const text: Run =
        format === undefined
          ? (f) => csString(run(f), integral)
          : (f) => formatValue(run(f), format, integral === true);
      if (alignment === 0) return text;
      return (f) => {
        const s = text(f) as string;
        return alignment > 0 ? s.padStart(alignment) : s.padEnd(-alignment);
      };
    });
    if (pieces.length === 1) {
      const only = pieces[0] as Run;
      return { type: STRING, run: only };
    }
    return {
      type: STRING,
      run: (f) => {
        let out = "";
        for (const piece of pieces) out += piece(f) as string;
        return checkedString(out);
      },
    };
  }

  // ---- names and targets

  private nameTarget(expr: Extract<Expr, { kind: "name" }>): Target {
    const local = this.scope.lookup(expr.name);
    if (local) {
      const slot = local.slot;
      return { kind: "value", value: { type: local.type, run: (f) => f.slots[slot], shortable: false } };
    }
    if (expr.name === "context")
      return { kind: "value", value: { type: CONTEXT, run: (f) => f.context, shortable: false } };
    const alias = NUMERIC_ALIASES[expr.name];
    if (alias) return { kind: "type", type: alias, start: expr.start };
    const def = lookupType(expr.name);
    if (def) {
      if (def.arity > 0 && expr.typeArgs.length === 0) {
        return {
          kind: "type",
          type: typeOf(def, ...Array.from({ length: def.arity }, () => OBJECT)),
          start: expr.start,
        };
      }
      return { kind: "type", type: typeOf(def, ...expr.typeArgs.map((a) => this.resolveType(a))), start: expr.start };
    }
    if (isNamespacePrefix(expr.name)) return { kind: "namespace", name: expr.name, start: expr.start };
    return this.fail(
      `Unknown type or member '${expr.name}'. Known names: context, declared variables, and the types ${knownTypeNames().join(", ")}`,
      expr.start,
    );
  }

  /** What stands before `.member`: a value, a type or a namespace. */
  private target(expr: Expr): Target {
    switch (expr.kind) {
      case "name":
        return this.nameTarget(expr);
      case "typeRef":
        return { kind: "type", type: this.resolveType(expr.type), start: expr.start };
      case "member": {
        const inner = this.target(expr.target);
        if (inner.kind === "namespace") {
          const qualified = `${inner.name}.${expr.name}`;
          const def = lookupType(qualified);
          if (def)
            return {
              kind: "type",
              type: typeOf(def, ...expr.typeArgs.map((a) => this.resolveType(a))),
              start: expr.start,
            };
          if (isNamespacePrefix(qualified)) return { kind: "namespace", name: qualified, start: expr.start };
          return this.fail(
            `Unknown type or namespace '${qualified}': policy expressions can use only the documented .NET types`,
            expr.nameStart,
          );
        }
        return { kind: "value", value: this.memberOf(inner, expr) };
      }
      case "call":
      case "index":
        return { kind: "value", value: this.link(expr) };
      default: {
        const value = this.value(expr);
        return { kind: "value", value: { ...value, shortable: false } };
      }
    }
  }

  private link(expr: Extract<Expr, { kind: "member" | "call" | "index" }>): Link {
    switch (expr.kind) {
      case "member":
        return this.memberOf(this.target(expr.target), expr);
      case "call":
        return this.call(expr);
      case "index":
        return this.index(expr);
    }
  }

  // ---- member access

  private memberOf(target: Target, expr: Extract<Expr, { kind: "member" }>): Link {
    if (target.kind === "namespace") {
      return this.fail(`Unknown type or namespace '${target.name}.${expr.name}'`, expr.nameStart);
    }
    if (target.kind === "type") {
      const member = this.member(target.type, expr, "property", true);
      const get = member.get;
      return { type: member.type(target.type), run: (f) => norm(get(undefined, f)), shortable: false };
    }
    const { value } = target;
    const conditional = expr.conditional;
    const shortable = value.shortable || conditional;
    const run = value.run;
    if (value.type.def === NULL_DEF) this.fail("A member of null cannot be accessed", expr.nameStart);
    if (isDynamic(value.type)) {
      const name = expr.name;
      return {
        type: OBJECT,
        shortable,
        run: (f) => {
          const self = receiverOf(run(f), conditional, false);
          return self === SHORT ? SHORT : norm(runtimeMember(self, name, "property").get(self, f));
        },
      };
    }
    // `x?.Member` on a `T?` reaches T's members: C# lifts the access to the value when there is one.
    const type = conditional ? underlying(value.type) : value.type;
    const member = this.member(type, expr, "property", false);
    this.noteBodyRead(member);
    const get = member.get;
    const nullable = type.def === NULLABLE_DEF;
    return {
      type: member.type(type),
      shortable,
      run: (f) => {
        const self = receiverOf(run(f), conditional, nullable);
        return self === SHORT ? SHORT : norm(get(self, f));
      },
    };
  }

  /**
   * The member `expr` names: a static one of `type`, or an instance one (its own, its bases', LINQ's, object's),
   * refused unless it is a `kind`.
   */
  private member<K extends Member["kind"]>(
    type: Type,
    expr: Extract<Expr, { kind: "member" }>,
    kind: K,
    statics: boolean,
  ): Extract<Member, { kind: K }> {
    const { name, nameStart } = expr;
    let member: Member | undefined;
    if (statics) {
      if (expr.conditional) this.fail("'?.' needs a value on its left, not a type", nameStart);
      member = type.def.statics.get(name);
      if (!member) this.noStaticMember(type, name, nameStart);
    } else {
      member = findMember(type, name, kind);
      if (!member) this.noMember(type, name, nameStart);
    }
    if (member.kind !== kind) {
      const what = `'${typeName(type)}.${name}'`;
      this.fail(
        kind === "property"
          ? `${what} is a method: call it with ()`
          : `${what} ${statics ? "is not a method" : "is a property, not a method"}`,
        nameStart,
      );
    }
    return member as Extract<Member, { kind: K }>;
  }

  private noteBodyRead(member: PropertySpec): void {
    if (member.readsBody) this.readsBody[member.readsBody] = true;
  }

  private noMember(type: Type, name: string, offset: number): never {
    return this.fail(`'${typeName(type)}' has no member '${name}'. Its members: ${describeMembers(type)}`, offset);
  }

  private noStaticMember(type: Type, name: string, offset: number): never {
    const names = [...type.def.statics.keys()].sort();
    return this.fail(
      names.length > 0
        ? `'${typeName(type)}' has no static member '${name}'. Its static members: ${names.join(", ")}`
        : `'${typeName(type)}' has no static members`,
      offset,
    );
  }

  // ---- calls

  private call(expr: Extract<Expr, { kind: "call" }>): Link {
    const callee = expr.callee;
    if (callee.kind === "name") {
      const local = this.scope.lookup(callee.name);
      if (local) this.fail(`'${callee.name}' is a variable, not a method`, callee.start);
      return this.fail(
        `Unknown method '${callee.name}': methods are called on a value or a type (x.Method(), Type.Method())`,
        callee.start,
      );
    }
    if (callee.kind !== "member") return this.fail("Only methods can be called", expr.start);
    const target = this.target(callee.target);
    const typeArgs = callee.typeArgs.map((a) => this.resolveType(a));
    if (target.kind === "namespace")
      return this.fail(`Unknown type or namespace '${target.name}.${callee.name}'`, callee.nameStart);
    if (target.kind === "type") {
      const spec = this.member(target.type, callee, "method", true);
      const args = this.arguments(
        spec,
        target.type,
        expr.args,
        typeArgs,
        `${typeName(target.type)}.${callee.name}`,
        callee.nameStart,
      );
      const invoke = spec.specialize?.(target.type, args.types, typeArgs) ?? spec.invoke;
      const runs = args.runs;
      return {
        type: spec.returns(target.type, args.types, typeArgs),
        shortable: false,
        run: (f) => {
          f.step();
          return norm(invoke(undefined, evaluateAll(runs, f), f, typeArgs));
        },
      };
    }
    const { value } = target;
    const conditional = callee.conditional;
    const shortable = value.shortable || conditional;
    const receiver = value.run;
    if (isDynamic(value.type)) return this.dynamicCall(value, callee.name, expr.args, typeArgs, conditional, shortable);
    // As for members: `x?.Method()` on a `T?` calls T's method on the value.
    const type = conditional ? underlying(value.type) : value.type;
    const spec = this.member(type, callee, "method", false);
    const args = this.arguments(spec, type, expr.args, typeArgs, `${typeName(type)}.${callee.name}`, callee.nameStart);
    const invoke = spec.specialize?.(type, args.types, typeArgs) ?? spec.invoke;
    const runs = args.runs;
    const acceptsNull = type.def === NULLABLE_DEF || spec.acceptsNull === true;
    return {
      type: spec.returns(type, args.types, typeArgs),
      shortable,
      run: (f) => {
        const self = receiverOf(receiver(f), conditional, acceptsNull);
        if (self === SHORT) return SHORT;
        f.step();
        return norm(invoke(self, evaluateAll(runs, f), f, typeArgs));
      },
    };
  }

  /** A method of a value of type object: found per evaluation from the value's type. */
  private dynamicCall(
    value: Link,
    name: string,
    argNodes: readonly Argument[],
    typeArgs: readonly Type[],
    conditional: boolean,
    shortable: boolean,
  ): Link {
    const runs: Run[] = [];
    const names: (string | undefined)[] = [];
    for (const arg of argNodes) {
      names.push(arg.name);
      if (arg.out) {
        const local = arg.out.declared
          ? this.declare(arg.out.name, OBJECT, arg.out.start)
          : this.scope.lookup(arg.out.name);
        if (!local) this.fail(`Unknown variable '${arg.out.name}'`, arg.out.start);
        runs.push(outRef(local.slot));
      } else if (arg.value.kind === "lambda") {
        runs.push(
          this.lambda(
            arg.value,
            arg.value.params.map(() => OBJECT),
          ).run,
        );
      } else {
        runs.push(this.value(arg.value).run);
      }
    }
    const receiver = value.run;
    const named = names.some((n) => n !== undefined);
    return {
      type: OBJECT,
      shortable,
      run: (f) => {
        const self = receiverOf(receiver(f), conditional, false);
        if (self === SHORT) return SHORT;
        const spec = runtimeMember(self, name, "method");
        let args = evaluateAll(runs, f);
        if (named) args = placeNamed(spec, names, args);
        if (args.length < spec.min || args.length > spec.max) {
          throw new ExpressionException(
            "RuntimeBinderException",
            `No overload for method '${name}' takes ${args.length} arguments`,
          );
        }
        f.step();
        return norm(spec.invoke(self, args, f, typeArgs));
      },
    };
  }

  /** Checks and compiles a call's arguments against the method's parameters. */
  private arguments(
    spec: MethodSpec,
    receiver: Type,
    argNodes: readonly Argument[],
    typeArgs: readonly Type[],
    what: string,
    offset: number,
  ): { runs: Run[]; types: Type[] } {
    const allowed = spec.typeArgs ?? [0];
    if (!allowed.includes(typeArgs.length)) {
      this.fail(
        typeArgs.length === 0
          ? `'${what}' needs a type argument (${what}<T>(…))`
          : `'${what}' does not take ${typeArgs.length} type argument${typeArgs.length === 1 ? "" : "s"}`,
        offset,
      );
    }
    // Named arguments go to their parameter's position.
    const ordered: (Argument | undefined)[] = [];
    let positional = true;
    argNodes.forEach((arg, i) => {
      if (arg.name === undefined) {
        if (!positional) this.fail("A positional argument cannot follow a named one", arg.value.start);
        ordered[i] = arg;
        return;
      }
      positional = false;
      const index = spec.params.indexOf(arg.name);
      if (index < 0) {
        this.fail(
          `'${what}' has no parameter named '${arg.name}'${spec.params.length > 0 ? `. Its parameters: ${spec.params.join(", ")}` : ""}`,
          arg.value.start,
        );
      }
      if (ordered[index] !== undefined) this.fail(`Parameter '${arg.name}' is given twice`, arg.value.start);
      ordered[index] = arg;
    });
    const count = ordered.length;
    if (count < spec.min || count > spec.max) {
      const range =
        spec.min === spec.max
          ? `${spec.min}`
          : spec.max === Infinity
            ? `at least ${spec.min}`
            : `${spec.min} to ${spec.max}`;
      this.fail(`'${what}' takes ${range} argument${range === "1" ? "" : "s"}, not ${count}`, offset);
    }
    const runs: Run[] = [];
    const types: Type[] = [];
    const constants: (Constant | undefined)[] = [];
    ordered.forEach((arg, i) => {
      if (arg === undefined) {
        if (i < spec.min) this.fail(`'${what}' needs argument '${spec.params[i] ?? i + 1}'`, offset);
        runs.push(() => undefined);
        types.push(OBJECT);
        constants[i] = { value: undefined };
        return;
      }
      if (arg.out) {
        const outType = spec.out?.(receiver, i, count, typeArgs);
        if (!outType) this.fail(`Argument ${i + 1} of '${what}' cannot be 'out'`, arg.out.start);
        let local: Local | undefined;
        if (arg.out.declared === undefined) {
          local = this.scope.lookup(arg.out.name);
          if (!local) this.fail(`Unknown variable '${arg.out.name}'`, arg.out.start);
          if (local.readonly) this.fail(`'${arg.out.name}' cannot be assigned`, arg.out.start);
        } else {
          const declared = arg.out.declared === "var" ? outType : this.resolveType(arg.out.declared);
          local = this.declare(arg.out.name, declared, arg.out.start);
        }
        runs.push(outRef(local.slot));
        types.push(local.type);
        return;
      }
      if (spec.out?.(receiver, i, count, typeArgs)) {
        this.fail(`Argument ${i + 1} of '${what}' must be passed with 'out'`, arg.value.start);
      }
      if (arg.value.kind === "lambda") {
        const params = spec.lambda?.(receiver, i, types, typeArgs);
        if (!params) this.fail(`Argument ${i + 1} of '${what}' cannot be a lambda`, arg.value.start);
        if (params.length !== arg.value.params.length) {
          this.fail(
            `The lambda for '${what}' takes ${params.length} parameter${params.length === 1 ? "" : "s"}`,
            arg.value.start,
          );
        }
        const lambda = this.lambda(arg.value, params);
        runs.push(lambda.run);
        types.push(lambda.type);
        return;
      }
      const value = this.value(arg.value);
      runs.push(value.run);
      types.push(value.type);
      constants[i] = value.constant;
    });
    const problem = spec.check?.(receiver, types, typeArgs, constants);
    if (typeof problem === "string") this.fail(problem, offset);
    if (problem) this.fail(problem.message, ordered[problem.argument]?.value.start ?? offset);
    return { runs, types };
  }

  private lambda(expr: Extract<Expr, { kind: "lambda" }>, paramTypes: readonly Type[]): Value {
    const saved = this.body;
    return this.inScope(() => {
      const slots = expr.params.map(
        (param, i) =>
          this.declare(param.name, param.type ? this.resolveType(param.type) : (paramTypes[i] ?? OBJECT), param.start)
            .slot,
      );
      const count = slots.length;
      const bind = (f: Frame, args: readonly unknown[]) => {
        f.step();
        for (let i = 0; i < count; i++) f.slots[slots[i] as number] = norm(args[i]);
      };
      const params = expr.params.map((_, i) => paramTypes[i] ?? OBJECT);
      if (expr.body.kind !== "block") {
        const body = this.value(expr.body);
        const run = body.run;
        return {
          type: funcOf(params, body.type),
          run:
            (f): Lambda =>
            (...args) => {
              bind(f, args);
              return run(f);
            },
        };
      }
      this.body = { lambda: true, returnTypes: [], breakables: [], catchSlot: undefined };
      try {
        const block = this.block(expr.body);
        const returnTypes = this.body.returnTypes;
        if (block.completes && returnTypes.length > 0) {
          this.fail("Not all code paths of the lambda return a value", expr.start);
        }
        const exec = block.exec;
        return {
          type: funcOf(params, returnTypes[0] ?? typeOf(VOID_DEF)),
          run:
            (f): Lambda =>
            (...args) => {
              bind(f, args);
              return exec(f) === RETURN ? f.returned : null;
            },
        };
      } finally {
        this.body = saved;
      }
    });
  }

  // ---- indexers

  private index(expr: Extract<Expr, { kind: "index" }>): Link {
    const target = this.target(expr.target);
    if (target.kind !== "value") this.notAValue(target, expr.start);
    const { value } = target;
    const args = expr.args.map((a) => this.value(a));
    const runs = args.map((a) => a.run);
    const conditional = expr.conditional;
    const shortable = value.shortable || conditional;
    const receiver = value.run;
    const { indexer: fixed, type } = this.indexer(value.type, args, expr.start);
    return {
      type,
      shortable,
      run: (f) => {
        const self = receiverOf(receiver(f), conditional, false);
        if (self === SHORT) return SHORT;
        return norm((fixed ?? runtimeIndexer(self)).get(self, evaluateAll(runs, f), f));
      },
    };
  }

  /** The indexer of a container's static type and what it yields; an object's is found per evaluation. */
  private indexer(
    container: Type,
    args: readonly Value[],
    start: number,
  ): { indexer: IndexerSpec | undefined; type: Type } {
    if (isDynamic(container)) return { indexer: undefined, type: OBJECT };
    const indexer = findIndexer(container);
    if (!indexer) this.fail(`Cannot apply indexing with [] to a value of type '${typeName(container)}'`, start);
    return {
      indexer,
      type: indexer.type(
        container,
        args.map((a) => a.type),
      ),
    };
  }

  // ---- operators

  private unary(expr: Extract<Expr, { kind: "unary" }>): Value {
    const operand = this.value(expr.operand);
    if (expr.op === "-" && operand.constant && typeof operand.constant.value === "number") {
      const value = operand.type === INT ? -operand.constant.value | 0 : -operand.constant.value;
      return { type: operand.type, run: () => value, constant: { value } };
    }
    if (expr.op === "!" && !isDynamic(operand.type) && underlying(operand.type).def !== BOOL_DEF) {
      this.fail(`Operator '!' cannot be applied to an operand of type '${typeName(operand.type)}'`, expr.start);
    }
    const operation = unaryOperation(expr.op, operand.type);
    if (typeof operation === "string") this.fail(operation, expr.start);
    const run = operand.run;
    const apply = operation.apply;
    if (expr.op === "!" && isDynamic(operand.type)) {
      return { type: BOOL, run: (f) => !toBoolean(run(f)) };
    }
    return { type: operation.type, run: (f) => apply(run(f)) };
  }

  private binary(expr: Extract<Expr, { kind: "binary" }>): Value {
    const { op } = expr;
    if (op === "&&" || op === "||") {
      const left = this.condition(expr.left);
      const right = this.condition(expr.right);
      return op === "&&"
        ? { type: BOOL, run: (f) => left(f) && right(f) }
        : { type: BOOL, run: (f) => left(f) || right(f) };
    }
    const left = this.value(expr.left);
    const right = this.value(expr.right);
    if (op === "??") return this.coalesce(left, right, expr.opStart);
    const operation = binaryOperation(op, left.type, right.type);
    if (typeof operation === "string") this.fail(operation, expr.opStart);
    const l = left.run;
    const r = right.run;
    const apply = operation.apply;
    return { type: operation.type, run: (f) => apply(l(f), r(f)) };
  }

  private coalesce(left: Value, right: Value, offset: number): Value {
    if (left.type.def.valueType && left.type.def !== NULLABLE_DEF) {
      this.fail(
        `Operator '??' cannot be applied to a value of type '${typeName(left.type)}', which is never null`,
        offset,
      );
    }
    const l = left.run;
    const r = right.run;
    const type =
      left.type.def === NULLABLE_DEF && right.type.def !== NULLABLE_DEF
        ? underlying(left.type)
        : left.type.def === NULL_DEF
          ? right.type
          : isDynamic(right.type) && !isDynamic(left.type) && right.type.def !== NULL_DEF
            ? OBJECT
            : left.type;
    return {
      type,
      run: (f) => {
        const v = l(f);
        return v === null ? r(f) : v;
      },
    };
  }

  /** A bool condition (if, while, &&, ternary); object values are checked per evaluation. */
  private condition(expr: Expr): (f: Frame) => boolean {
    const value = this.value(expr);
    const run = value.run;
    if (value.type.def === BOOL_DEF) return run as (f: Frame) => boolean;
    if (isDynamic(value.type)) return (f) => toBoolean(run(f));
    return this.fail(`Cannot implicitly convert type '${typeName(value.type)}' to 'bool'`, expr.start);
  }

  private conditional(expr: Extract<Expr, { kind: "conditional" }>): Value {
    const test = this.condition(expr.test);
    const then = this.value(expr.then);
    const otherwise = this.value(expr.otherwise);
    const t = then.run;
    const o = otherwise.run;
    return { type: commonType(then.type, otherwise.type), run: (f) => (test(f) ? t(f) : o(f)) };
  }

  private cast(expr: Extract<Expr, { kind: "cast" }>): Value {
    const type = this.resolveType(expr.type);
    const operand = this.value(expr.operand);
    const convert = castFunction(operand.type, type);
    const run = operand.run;
    if (operand.constant) {
      const value = convert(operand.constant.value);
      return { type, run: () => value, constant: { value } };
    }
    return { type, run: (f) => convert(run(f)) };
  }

  private isExpression(expr: Extract<Expr, { kind: "is" }>): Value {
    const operand = this.value(expr.operand);
    const run = operand.run;
    const negate = expr.negated;
    if (expr.constant) {
      const constant = this.value(expr.constant);
      const c = constant.run;
      return { type: BOOL, run: (f) => csEquals(run(f), c(f)) !== negate };
    }
    const type = this.resolveType(expr.type as TypeNode);
    if (expr.designation) {
      if (negate) this.fail("A pattern variable cannot follow 'is not'", expr.designation.start);
      const slot = this.declare(expr.designation.name, type, expr.designation.start).slot;
      return {
        type: BOOL,
        run: (f) => {
          const v = run(f);
          if (!isInstance(v, type)) return false;
          f.slots[slot] = v;
          return true;
        },
      };
    }
    return { type: BOOL, run: (f) => isInstance(run(f), type) !== negate };
  }

  // ---- assignment

  private assign(expr: Extract<Expr, { kind: "assign" }>): Value {
    const store = this.store(expr.target);
    const value = this.value(expr.value);
    const v = value.run;
    if (expr.op === "=") {
      const convert = implicitFunction(value.type, store.type) ?? ((x: unknown) => x);
      const set = store.set;
      return { type: store.type, run: (f) => set(f, convert(v(f))) };
    }
    if (expr.op === "??=") {
      const get = store.get;
      const set = store.set;
      return {
        type: store.type,
        run: (f) => {
          const current = get(f);
          return current === null ? set(f, v(f)) : current;
        },
      };
    }
    const op = expr.op.slice(0, -1);
    const operation = binaryOperation(op, store.type, value.type);
    if (typeof operation === "string") this.fail(operation, expr.start);
    const apply = operation.apply;
    const narrow =
      store.type.def !== operation.type.def && NUMERIC_DEFS.has(store.type.def)
        ? castFunction(operation.type, store.type)
        : (x: unknown) => x;
    const { get, set } = store;
    return { type: store.type, run: (f) => set(f, narrow(apply(get(f), v(f)))) };
  }

  private update(expr: Extract<Expr, { kind: "update" }>): Value {
    const store = this.store(expr.target);
    const step = incrementOperation(expr.op, store.type);
    if (typeof step === "string") this.fail(step, expr.start);
    const { get, set } = store;
    if (expr.prefix) return { type: store.type, run: (f) => set(f, step(get(f))) };
    return {
      type: store.type,
      run: (f) => {
        const before = get(f);
        set(f, step(before));
        return before;
      },
    };
  }

  /** Something assignable: a local or an indexer with a setter. `get` reads it, `set` stores and returns the value. */
  private store(target: Expr): { type: Type; get: Run; set: (f: Frame, value: unknown) => unknown } {
    if (target.kind === "name") {
      const local = this.scope.lookup(target.name);
      if (!local) {
        if (target.name === "context") this.fail("'context' is read-only", target.start);
        this.fail(`Unknown variable '${target.name}'`, target.start);
      }
      if (local.readonly) this.fail(`'${target.name}' is a foreach variable and cannot be assigned`, target.start);
      const slot = local.slot;
      return {
        type: local.type,
        get: (f) => f.slots[slot],
        set: (f, value) => (f.slots[slot] = value),
      };
    }
    if (target.kind === "index") {
      const container = this.value(target.target);
      const args = target.args.map((a) => this.value(a));
      const runs = args.map((a) => a.run);
      const { indexer: fixed, type } = this.indexer(container.type, args, target.start);
      if (fixed && !fixed.set) {
        this.fail(
          container.type.def === contextVariablesDef()
            ? "context.Variables is read-only: set variables with the set-variable policy"
            : `The indexer of '${typeName(container.type)}' is read-only`,
          target.start,
        );
      }
      const run = container.run;
      const owner = (f: Frame) => {
        const self = run(f);
        if (self === null) throw nullReference();
        return self;
      };
      return {
        type,
        get: (f) => {
          const self = owner(f);
          return norm((fixed ?? runtimeIndexer(self)).get(self, evaluateAll(runs, f), f));
        },
        set: (f, value) => {
          const self = owner(f);
          const spec = fixed ?? runtimeIndexer(self);
          if (!spec.set) throw new ExpressionException("RuntimeBinderException", "The indexer is read-only");
          spec.set(self, evaluateAll(runs, f), value, f);
          return value;
        },
      };
    }
    if (target.kind === "member") {
      return this.fail(
        `'${target.name}' cannot be assigned: properties are read-only in policy expressions`,
        target.nameStart,
      );
    }
    return this.fail("The left-hand side of an assignment must be a variable or an indexer", target.start);
  }

  // ---- object creation

  private newObject(expr: Extract<Expr, { kind: "new" }>): Value {
    const type = this.resolveType(expr.type);
    const ctor = type.def.create;
    if (!ctor || type.def.isStatic)
      this.fail(`'${typeName(type)}' cannot be created with 'new' in policy expressions`, expr.start);
    // The type's own arguments (List<string>) reach the constructor as its type arguments.
    const args = this.arguments(ctor, type, expr.args, [], `new ${typeName(type)}`, expr.start);
    const runs = args.runs;
    const invoke = ctor.invoke;
    const typeArgs = type.args;
    const create: Run = (f) => {
      f.step();
      return invoke(undefined, evaluateAll(runs, f), f, typeArgs);
    };
    if (!expr.initializer) return { type, run: create };
    const entries = expr.initializer.map((entry) => this.initializer(type, entry));
    return {
      type,
      run: (f) => {
        const object = create(f);
        for (const entry of entries) entry(f, object);
        return object;
      },
    };
  }

  private initializer(type: Type, entry: Initializer): (f: Frame, object: unknown) => void {
    if (entry.kind === "indexed") {
      const indexer = findIndexer(type);
      if (!indexer?.set) this.fail(`'${typeName(type)}' has no settable indexer`, entry.start);
      const runs = entry.index.map((a) => this.value(a).run);
      const value = this.value(entry.value).run;
      const set = indexer.set;
      return (f, object) => set(object, evaluateAll(runs, f), value(f), f);
    }
    const add = findMember(type, "Add");
    if (!add || add.kind !== "method")
      this.fail(`'${typeName(type)}' has no Add method for a collection initializer`, entry.start);
    const args: Argument[] = entry.args.map((value) => ({ name: undefined, value }));
    const compiled = this.arguments(add, type, args, [], `${typeName(type)}.Add`, entry.start);
    const runs = compiled.runs;
    const invoke = add.invoke;
    return (f, object) => {
      f.step();
      invoke(object, evaluateAll(runs, f), f, []);
    };
  }

  private newArray(
    element: Type | undefined,
    size: Expr | undefined,
    elementNodes: readonly Expr[] | undefined,
    start: number,
  ): Value {
    const elements = (elementNodes ?? []).map((e) =>
      e.kind === "arrayInit" && element
        ? this.newArray(elementType(element), undefined, e.elements, e.start)
        : this.value(e),
    );
    const type = element ?? elements.map((e) => e.type).reduce((a, b) => commonType(a, b), elements[0]?.type ?? OBJECT);
    if (type.def === NULL_DEF) this.fail("No best type found for the implicitly-typed array", start);
    const arrayType = arrayOf(type);
    if (size) {
      const length = this.value(size);
      if (!isDynamic(length.type) && !INTEGRAL_DEFS.has(length.type.def))
        this.fail("An array size must be an integer", size.start);
      const fill = defaultOf(type);
      const run = length.run;
      if (elementNodes) {
        const runs = elements.map((e) => e.run);
        return {
          type: arrayType,
          run: (f) => {
            if (run(f) !== runs.length)
              throw new ExpressionException("ArgumentException", "The array's size does not match its initializer");
            return evaluateAll(runs, f);
          },
        };
      }
      return {
        type: arrayType,
        run: (f) => {
          const n = run(f) as number;
          if (n < 0)
            throw new ExpressionException("OverflowException", "Arithmetic operation resulted in an overflow.");
          checkedLength(n);
          f.charge(n);
          return new Array<unknown>(n).fill(fill);
        },
      };
    }
    const runs = elements.map((e, i) => {
      const convert = implicitFunction(e.type, type);
      const r = e.run;
      return convert ? (f: Frame) => convert(r(f)) : (elements[i]?.run ?? r);
    });
    return { type: arrayType, run: (f) => evaluateAll(runs, f) };
  }

  // ---------------------------------------------------------------- statements

  block(block: Block): CompiledStatement {
    return this.inScope(() => this.statements(block.statements));
  }

  private statements(list: readonly Statement[]): CompiledStatement {
    const compiled: Exec[] = [];
    let completes = true;
    for (const statement of list) {
      const s = this.statement(statement);
      compiled.push(s.exec);
      if (!s.completes) completes = false;
    }
    if (compiled.length === 1) return { exec: compiled[0] as Exec, completes };
    return {
      completes,
      exec: (f) => {
        for (const exec of compiled) {
          const code = exec(f);
          if (code !== NORMAL) return code;
        }
        return NORMAL;
      },
    };
  }

  private statement(statement: Statement): CompiledStatement {
    switch (statement.kind) {
      case "block":
        return this.block(statement);
      case "empty":
        return { exec: () => NORMAL, completes: true };
      case "declare":
        return this.declaration(statement);
      case "expression": {
        const run = this.value(statement.expr).run;
        return {
          completes: true,
          exec: (f) => {
            f.step();
            run(f);
            return NORMAL;
          },
        };
      }
      case "if": {
        const test = this.condition(statement.test);
        const then = this.inScope(() => this.statement(statement.then));
        const otherwise = statement.otherwise
          ? this.inScope(() => this.statement(statement.otherwise as Statement))
          : undefined;
        const t = then.exec;
        const o = otherwise?.exec;
        return {
          completes: then.completes || !otherwise || otherwise.completes,
          exec: o
            ? (f) => {
                f.step();
                return test(f) ? t(f) : o(f);
              }
            : (f) => {
                f.step();
                return test(f) ? t(f) : NORMAL;
              },
        };
      }
      case "while":
        return this.loop(undefined, statement.test, [], statement.body, false);
      case "do":
        return this.loop(undefined, statement.test, [], statement.body, true);
      case "for":
        return this.inScope(() => this.loop(statement.init, statement.test, statement.update, statement.body, false));
      case "foreach":
        return this.foreach(statement);
      case "return":
        return this.returnStatement(statement);
      case "break":
      case "continue": {
        const kind = statement.kind;
        const target = kind === "break" ? this.body.breakables[0] : this.body.breakables.find((b) => b.loop);
        if (!target) this.fail(`No enclosing loop out of which to ${kind}`, statement.start);
        if (kind === "break") target.broken = true;
        const code = kind === "break" ? BREAK : CONTINUE;
        return { exec: () => code, completes: false };
      }
      case "throw":
        return this.throwStatement(statement);
      case "try":
        return this.tryStatement(statement);
      case "switch":
        return this.switchStatement(statement);
    }
  }

  private declaration(statement: Extract<Statement, { kind: "declare" }>): CompiledStatement {
    const declared = statement.type ? this.resolveType(statement.type) : undefined;
    const execs: Exec[] = statement.declarators.map((d) => {
      let init: Value | undefined;
      if (d.init?.kind === "arrayInit") {
        if (!declared || elementType(declared) === undefined || declared.def !== arrayOf(OBJECT).def) {
          this.fail("An array initializer { … } needs an array type", d.init.start);
        }
        init = this.newArray(elementType(declared), undefined, d.init.elements, d.init.start);
      } else if (d.init) {
        init = this.value(d.init);
      }
      if (!declared) {
        if (!init) this.fail("An implicitly-typed variable must be initialized", d.start);
        if (init.type.def === NULL_DEF) this.fail("Cannot assign null to an implicitly-typed variable", d.start);
        if (init.type.def === VOID_DEF) this.fail("Cannot assign a method without a result to a variable", d.start);
      }
      const type = declared ?? (init as Value).type;
      const slot = this.declare(d.name, type, d.start).slot;
      if (!init) {
        const value = defaultOf(type);
        return (f) => {
          f.slots[slot] = value;
          return NORMAL;
        };
      }
      const convert = declared ? implicitFunction(init.type, declared) : undefined;
      const run = init.run;
      return convert
        ? (f) => {
            f.step();
            f.slots[slot] = convert(run(f));
            return NORMAL;
          }
        : (f) => {
            f.step();
            f.slots[slot] = run(f);
            return NORMAL;
          };
    });
    if (execs.length === 1) return { exec: execs[0] as Exec, completes: true };
    return {
      completes: true,
      exec: (f) => {
        for (const exec of execs) exec(f);
        return NORMAL;
      },
    };
  }

  /** while, do-while and for: each iteration costs a step. */
  private loop(
    init: Statement | undefined,
    testExpr: Expr | undefined,
    updates: readonly Expr[],
    bodyStatement: Statement,
    doWhile: boolean,
  ): CompiledStatement {
    const first = init ? this.statement(init).exec : undefined;
    const constantTrue = testExpr === undefined || (testExpr.kind === "literal" && testExpr.value === true);
    const test = testExpr ? this.condition(testExpr) : () => true;
    const update = updates.map((u) => this.value(u).run);
    const marker = { loop: true, broken: false };
    const exec = this.breakable(marker, () => this.inScope(() => this.statement(bodyStatement))).exec;
    return {
      completes: !constantTrue || marker.broken,
      exec: (f) => {
        if (first) first(f);
        for (;;) {
          f.step();
          if (!doWhile && !test(f)) return NORMAL;
          const code = exec(f);
          if (code === BREAK) return NORMAL;
          if (code === RETURN) return RETURN;
          for (const u of update) u(f);
          if (doWhile && !test(f)) return NORMAL;
        }
      },
    };
  }

  private foreach(statement: Extract<Statement, { kind: "foreach" }>): CompiledStatement {
    const collection = this.value(statement.collection);
    const element = isDynamic(collection.type) ? OBJECT : elementType(collection.type);
    if (!element)
      this.fail(
        `foreach cannot walk a value of type '${typeName(collection.type)}': it is not enumerable`,
        statement.collection.start,
      );
    const declared = statement.type ? this.resolveType(statement.type) : element;
    const convert = statement.type ? castFunction(element, declared) : undefined;
    const marker = { loop: true, broken: false };
    return this.inScope(() => {
      const slot = this.declare(statement.name, declared, statement.nameStart, true).slot;
      const exec = this.breakable(marker, () => this.statement(statement.body)).exec;
      const run = collection.run;
      return {
        completes: true,
        exec: (f) => {
          const source = run(f);
          if (source === null) throw nullReference();
          // A snapshot, as .NET refuses a collection changed while enumerated.
          const items = [...enumerate(source, f)];
          for (const item of items) {
            f.step();
            f.slots[slot] = convert ? convert(item) : item;
            const code = exec(f);
            if (code === BREAK) return NORMAL;
            if (code === RETURN) return RETURN;
          }
          return NORMAL;
        },
      };
    });
  }

  private returnStatement(statement: Extract<Statement, { kind: "return" }>): CompiledStatement {
    if (!statement.value) {
      if (!this.body.lambda)
        this.fail("A statement block must return a value: 'return <expression>;'", statement.start);
      return {
        completes: false,
        exec: (f) => {
          f.returned = null;
          return RETURN;
        },
      };
    }
    const value = this.value(statement.value);
    this.body.returnTypes.push(value.type);
    const run = value.run;
    return {
      completes: false,
      exec: (f) => {
        f.returned = run(f);
        return RETURN;
      },
    };
  }

  private throwStatement(statement: Extract<Statement, { kind: "throw" }>): CompiledStatement {
    if (!statement.value) {
      const slot = this.body.catchSlot;
      if (slot === undefined)
        this.fail("'throw;' without an exception is allowed only in a catch clause", statement.start);
      return {
        completes: false,
        exec: (f) => {
          throw thrownException(f.slots[slot]);
        },
      };
    }
    const value = this.value(statement.value);
    if (!isDynamic(value.type) && !derivesFrom(value.type.def, EXCEPTION_DEF)) {
      this.fail(`Only exceptions can be thrown, not '${typeName(value.type)}'`, statement.value.start);
    }
    const run = value.run;
    return {
      completes: false,
      exec: (f) => {
        throw thrownException(run(f));
      },
    };
  }

  private tryStatement(statement: Extract<Statement, { kind: "try" }>): CompiledStatement {
    const body = this.block(statement.body);
    const savedCatch = this.body.catchSlot;
    const clauses = statement.catches.map((clause) => {
      const type = clause.type ? this.resolveType(clause.type) : typeOf(EXCEPTION_DEF);
      if (!derivesFrom(type.def, EXCEPTION_DEF))
        this.fail(`'${typeName(type)}' is not an exception type`, clause.start);
      return this.inScope(() => {
        const slot = clause.name ? this.declare(clause.name, type, clause.start).slot : this.slotCount++;
        this.body.catchSlot = slot;
        try {
          const compiled = this.block(clause.body);
          return { type, slot, exec: compiled.exec, completes: compiled.completes };
        } finally {
          this.body.catchSlot = savedCatch;
        }
      });
    });
    const final = statement.final ? this.block(statement.final) : undefined;
    if (final && !final.completes)
      this.fail("Control cannot leave the body of a finally clause", (statement.final as Block).start);
    const tryExec = body.exec;
    const finalExec = final?.exec;
    return {
      completes: body.completes || clauses.some((c) => c.completes),
      exec: (f) => {
        try {
          return tryExec(f);
        } catch (error) {
          if (!(error instanceof ExpressionEvaluationError) || error instanceof ExpressionBudgetError) throw error;
          const exception = exceptionValue(error);
          const clause = clauses.find((c) => exceptionMatches(exception, c.type));
          if (!clause) throw error;
          f.slots[clause.slot] = exception;
          return clause.exec(f);
        } finally {
          if (finalExec) finalExec(f);
        }
      },
    };
  }

  private switchStatement(statement: Extract<Statement, { kind: "switch" }>): CompiledStatement {
    const value = this.value(statement.value);
    const marker = { loop: false, broken: false };
    let hasDefault = false;
    const sections = this.inScope(() =>
      this.breakable(marker, () =>
        statement.sections.map((section) => {
          const labels = section.labels.map((label) => {
            if (label === undefined) {
              hasDefault = true;
              return undefined;
            }
            const constant = this.value(label);
            if (!constant.constant) this.fail("A case label must be a constant", label.start);
            return constant.constant.value;
          });
          const body = this.statements(section.body);
          if (body.completes)
            this.fail(
              "Control cannot fall through from one case label to another: end the section with break or return",
              section.start,
            );
          return { labels, exec: body.exec };
        }),
      ),
    );
    const run = value.run;
    return {
      completes: !hasDefault || marker.broken,
      exec: (f) => {
        f.step();
        const v = run(f);
        let chosen = sections.find((s) => s.labels.some((l) => l !== undefined && csEquals(v, l)));
        chosen ??= sections.find((s) => s.labels.includes(undefined));
        if (!chosen) return NORMAL;
        const code = chosen.exec(f);
        return code === BREAK ? NORMAL : code;
      },
    };
  }
}

// ---------------------------------------------------------------- helpers

/**
 * The receiver of a member, call or index in a chain, or SHORT when the chain stops here: it already stopped, or a
 * `?.` met null. Plain null is a NullReferenceException unless the member accepts it (`Nullable<T>.HasValue`).
 */
function receiverOf(self: unknown, conditional: boolean, acceptsNull: boolean): unknown {
  if (self === null && !acceptsNull) {
    if (conditional) return SHORT;
    throw nullReference();
  }
  return self;
}

function evaluateAll(runs: readonly Run[], f: Frame): unknown[] {
  const values = new Array<unknown>(runs.length);
  for (let i = 0; i < runs.length; i++) values[i] = (runs[i] as Run)(f);
  return values;
}

function outRef(slot: number): Run {
  return (f): OutRef => ({
    set: (value) => {
      f.slots[slot] = value;
    },
  });
}

/** Arguments given by name, placed at their parameter's position for a method found at run time. */
function placeNamed(spec: MethodSpec, names: readonly (string | undefined)[], values: readonly unknown[]): unknown[] {
  const placed: unknown[] = [];
  names.forEach((name, i) => {
    const index = name === undefined ? i : spec.params.indexOf(name);
    if (index < 0) throw new ExpressionException("RuntimeBinderException", `No parameter named '${name}'`);
    placed[index] = values[i];
  });
  return placed;
}

/** The member of a value of type object, found from its run-time type as C#'s dynamic binder does. */
function runtimeMember<K extends Member["kind"]>(self: unknown, name: string, kind: K): Extract<Member, { kind: K }> {
  const type = typeOfValue(self);
  const member = findMember(type, name, kind);
  if (member?.kind === kind) return member as Extract<Member, { kind: K }>;
  const clr = clrTypeName(type);
  throw new ExpressionException(
    "RuntimeBinderException",
    !member
      ? `'${clr}' does not contain a definition for '${name}'`
      : kind === "property"
        ? `'${name}' is a method of '${clr}': call it`
        : `'${name}' is not a method`,
  );
}

function runtimeIndexer(self: unknown): IndexerSpec {
  const indexer = findIndexer(typeOfValue(self));
  if (!indexer) {
    throw new ExpressionException(
      "RuntimeBinderException",
      `Cannot apply indexing with [] to a value of type '${clrTypeName(typeOfValue(self))}'`,
    );
  }
  return indexer;
}

/** A bool from a value of type object: anything else is an invalid cast. */
export function toBoolean(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (value === null) throw nullReference();
  throw invalidCast(clrTypeName(typeOfValue(value)), "System.Boolean");
}

/** The type of `c ? a : b` (and of array elements): the same type, null and a reference, numeric promotion, or object. */
function commonType(a: Type, b: Type): Type {
  if (a.def === b.def && typeName(a) === typeName(b)) return a;
  if (a.def === NULL_DEF) return b.def.valueType ? nullableOf(b) : b;
  if (b.def === NULL_DEF) return a.def.valueType ? nullableOf(a) : a;
  if (NUMERIC_DEFS.has(a.def) && NUMERIC_DEFS.has(b.def)) {
    for (const wider of [DECIMAL, DOUBLE, FLOAT, LONG]) if (a.def === wider.def || b.def === wider.def) return wider;
    return INT;
  }
  if (derivesFrom(a.def, b.def)) return b;
  if (derivesFrom(b.def, a.def)) return a;
  if (a.def === NULLABLE_DEF && underlying(a).def === b.def) return a;
  if (b.def === NULLABLE_DEF && underlying(b).def === a.def) return b;
  return OBJECT;
}

/** context.Variables' type, for its read-only message (resolved lazily: the library defines it). */
function contextVariablesDef() {
  const variables = findMember(CONTEXT, "Variables");
  return variables?.kind === "property" ? variables.type(CONTEXT).def : undefined;
}
