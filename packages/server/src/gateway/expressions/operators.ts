/**
 * C#'s operators over the runtime's values: numeric promotion (int arithmetic wraps at 32 bits and divides to an
 * integer), string concatenation with ToString, lifted nullable operators, and the overloads libraries declare
 * (DateTime − DateTime → TimeSpan …). An operator is chosen at load time from the static types; with an operand of
 * type object it is chosen per evaluation from the values' types.
 */
import { JTOKEN_DEF } from "./json.js";
import { ExpressionException, checkedString } from "./runtime.js";
import {
  BOOL,
  BOOL_DEF,
  CHAR_DEF,
  DECIMAL_DEF,
  DOUBLE_DEF,
  FLOAT_DEF,
  INT_DEF,
  LONG_DEF,
  NULLABLE_DEF,
  NULL_DEF,
  NUMERIC_DEFS,
  STRING,
  STRING_DEF,
  derivesFrom,
  isDynamic,
  nullableOf,
  typeName,
  typeOf,
  underlying,
  type Type,
  type TypeDef,
} from "./types.js";
import { EnumValue, csEquals, csString, numberKind, typeOfValue } from "./values.js";

export type Apply = (a: unknown, b: unknown) => unknown;
export interface Operation {
  readonly type: Type;
  readonly apply: Apply;
}

/** A user-visible operator overload a library declares (DateTime + TimeSpan …). */
export interface Overload {
  readonly op: string;
  readonly left: TypeDef;
  readonly right: TypeDef;
  readonly result: Type;
  readonly apply: Apply;
}

const overloads: Overload[] = [];

export function declareOperator(overload: Overload): void {
  overloads.push(overload);
}

/** Values that order themselves (DateTime, TimeSpan, Guid …). */
export interface Ordered {
  csCompare(other: unknown): number;
}

const divideByZero = () => new ExpressionException("DivideByZeroException", "Attempted to divide by zero.");

/** The promoted numeric type of two operands (char promotes to int). */
function promote(a: TypeDef, b: TypeDef): TypeDef {
  if (a === DECIMAL_DEF || b === DECIMAL_DEF) return DECIMAL_DEF;
  if (a === DOUBLE_DEF || b === DOUBLE_DEF) return DOUBLE_DEF;
  if (a === FLOAT_DEF || b === FLOAT_DEF) return FLOAT_DEF;
  if (a === LONG_DEF || b === LONG_DEF) return LONG_DEF;
  return INT_DEF;
}

const numericDef = (type: Type): TypeDef | undefined => {
  const def = underlying(type).def;
  if (def === CHAR_DEF) return INT_DEF;
  return NUMERIC_DEFS.has(def) ? def : undefined;
};

function arithmetic(op: string, kind: TypeDef): Apply | undefined {
  if (kind === INT_DEF) {
    switch (op) {
      case "+":
        return (a, b) => ((a as number) + (b as number)) | 0;
      case "-":
        return (a, b) => ((a as number) - (b as number)) | 0;
      case "*":
        return (a, b) => Math.imul(a as number, b as number);
      case "/":
        return (a, b) => {
          if (b === 0) throw divideByZero();
          return ((a as number) / (b as number)) | 0;
        };
      case "%":
        return (a, b) => {
          if (b === 0) throw divideByZero();
          return ((a as number) % (b as number)) | 0;
        };
      case "&":
        return (a, b) => (a as number) & (b as number);
      case "|":
        return (a, b) => (a as number) | (b as number);
      case "^":
        return (a, b) => (a as number) ^ (b as number);
      case "<<":
        return (a, b) => (a as number) << ((b as number) & 31);
      case ">>":
        return (a, b) => (a as number) >> ((b as number) & 31);
    }
    return undefined;
  }
  const integral = kind === LONG_DEF;
  // A long has no -0 (`+ 0` turns JavaScript's into 0); a float rounds to single precision.
  const round = kind === FLOAT_DEF ? Math.fround : integral ? (x: number) => x + 0 : (x: number) => x;
  switch (op) {
    case "+":
      return (a, b) => round((a as number) + (b as number));
    case "-":
      return (a, b) => round((a as number) - (b as number));
    case "*":
      return (a, b) => round((a as number) * (b as number));
    case "/":
      return (a, b) => {
        if (b === 0 && (integral || kind === DECIMAL_DEF)) throw divideByZero();
        const q = (a as number) / (b as number);
        return round(integral ? Math.trunc(q) : q);
      };
    case "%":
      return (a, b) => {
        if (b === 0 && (integral || kind === DECIMAL_DEF)) throw divideByZero();
        return round((a as number) % (b as number));
      };
  }
  if (integral) {
    // long bit operations stay within the 53 bits a long carries here.
    switch (op) {
      case "&":
        return (a, b) => Number(BigInt(a as number) & BigInt(b as number));
      case "|":
        return (a, b) => Number(BigInt(a as number) | BigInt(b as number));
      case "^":
        return (a, b) => Number(BigInt(a as number) ^ BigInt(b as number));
      case "<<":
        return (a, b) => Number(BigInt.asIntN(64, BigInt(a as number) << BigInt((b as number) & 63)));
      case ">>":
        return (a, b) => Number(BigInt(a as number) >> BigInt((b as number) & 63));
    }
  }
  return undefined;
}

const COMPARISONS: Readonly<Record<string, (c: number) => boolean>> = {
  "<": (c) => c < 0,
  ">": (c) => c > 0,
  "<=": (c) => c <= 0,
  ">=": (c) => c >= 0,
};

/** Lifts an operation over nullable operands: null in, null out (comparisons: false). */
function lifted(apply: Apply, nullResult: unknown): Apply {
  return (a, b) => (a === null || b === null ? nullResult : apply(a, b));
}

const charCode = (type: Type): ((v: unknown) => unknown) | undefined =>
  underlying(type).def === CHAR_DEF ? (v) => (v === null ? null : (v as string).charCodeAt(0)) : undefined;

/** The operation `left op right`, or a message saying why C# has none. */
export function binaryOperation(op: string, left: Type, right: Type): Operation | string {
  if (isDynamic(left) || isDynamic(right)) return dynamicOperation(op, left, right);
  const nullableOperands =
    left.def === NULLABLE_DEF || right.def === NULLABLE_DEF || left.def === NULL_DEF || right.def === NULL_DEF;
  if (op === "==" || op === "!=") {
    const equal = equality(left, right);
    return { type: BOOL, apply: op === "==" ? equal : (a, b) => !equal(a, b) };
  }
  // String concatenation: either side a string (C# also concatenates char + string).
  if (op === "+" && (left.def === STRING_DEF || right.def === STRING_DEF)) {
    const li = numberKind(left);
    const ri = numberKind(right);
    return { type: STRING, apply: (a, b) => checkedString(csString(a, li) + csString(b, ri)) };
  }
  for (const overload of overloads) {
    if (overload.op === op && underlying(left).def === overload.left && underlying(right).def === overload.right) {
      const resultType =
        nullableOperands && overload.result.def.valueType ? nullableOf(overload.result) : overload.result;
      const isComparison = op in COMPARISONS;
      return {
        type: resultType,
        apply: nullableOperands ? lifted(overload.apply, isComparison ? false : null) : overload.apply,
      };
    }
  }
  const ln = numericDef(left);
  const rn = numericDef(right);
  const lb = underlying(left).def === BOOL_DEF;
  const rb = underlying(right).def === BOOL_DEF;
  if (lb && rb && (op === "&" || op === "|" || op === "^")) {
    const apply: Apply =
      op === "&"
        ? (a, b) => a === true && b === true
        : op === "|"
          ? (a, b) => a === true || b === true
          : (a, b) => a !== b;
    return { type: nullableOperands ? nullableOf(BOOL) : BOOL, apply };
  }
  const le = underlying(left).def.enumNames ? underlying(left).def : undefined;
  if (le && underlying(right).def === le && (op === "&" || op === "|" || op === "^")) {
    const names = le.enumNames as ReadonlyMap<number, string>;
    const bits = arithmetic(op, INT_DEF) as Apply;
    return {
      type: typeOf(le),
      apply: (a, b) => new EnumValue(le, bits((a as EnumValue).value, (b as EnumValue).value) as number, names),
    };
  }
  if (ln && rn) {
    const lc = charCode(left);
    const rc = charCode(right);
    const withCodes = (apply: Apply): Apply => (lc || rc ? (a, b) => apply(lc ? lc(a) : a, rc ? rc(b) : b) : apply);
    if (op in COMPARISONS) {
      const test = COMPARISONS[op] as (c: number) => boolean;
      const apply = withCodes((a, b) => test((a as number) - (b as number)));
      return { type: BOOL, apply: nullableOperands ? lifted(apply, false) : apply };
    }
    const shift = op === "<<" || op === ">>";
    const kind = shift ? (ln === LONG_DEF ? LONG_DEF : INT_DEF) : promote(ln, rn);
    const apply = arithmetic(op, kind);
    if (apply) {
      const type = typeOf(kind);
      return {
        type: nullableOperands ? nullableOf(type) : type,
        apply: nullableOperands ? lifted(withCodes(apply), null) : withCodes(apply),
      };
    }
  }
  if (op in COMPARISONS && isOrderedType(left) && underlying(left).def === underlying(right).def) {
    const test = COMPARISONS[op] as (c: number) => boolean;
    const apply: Apply = (a, b) => test((a as Ordered).csCompare(b));
    return { type: BOOL, apply: nullableOperands ? lifted(apply, false) : apply };
  }
  return `Operator '${op}' cannot be applied to operands of type '${typeName(left)}' and '${typeName(right)}'`;
}

const ORDERED_TYPES = new Set<TypeDef>();
/** Declares that values of the type compare with <, >, <=, >= through csCompare. */
export function declareOrdered(def: TypeDef): void {
  ORDERED_TYPES.add(def);
}
const isOrderedType = (type: Type): boolean => ORDERED_TYPES.has(underlying(type).def);

/** == for two static types: value equality for values, reference equality for JTokens (as C# has it). */
function equality(left: Type, right: Type): Apply {
  const l = underlying(left).def;
  const r = underlying(right).def;
  if (
    (l === STRING_DEF && r === STRING_DEF) ||
    (NUMERIC_DEFS.has(l) && NUMERIC_DEFS.has(r)) ||
    (l === BOOL_DEF && r === BOOL_DEF)
  ) {
    return (a, b) => a === b;
  }
  if (l === CHAR_DEF && r === CHAR_DEF) return (a, b) => a === b;
  const lc = charCode(left);
  const rc = charCode(right);
  if ((lc && NUMERIC_DEFS.has(r)) || (rc && NUMERIC_DEFS.has(l))) {
    return (a, b) => (lc ? lc(a) : a) === (rc ? rc(b) : b);
  }
  if (derivesFrom(l, JTOKEN_DEF) || derivesFrom(r, JTOKEN_DEF)) return (a, b) => a === b;
  return csEquals;
}

/** An operation chosen per evaluation from the operands' run-time types (an operand of type object). */
function dynamicOperation(op: string, left: Type, right: Type): Operation {
  if (op === "==" || op === "!=") {
    return { type: BOOL, apply: op === "==" ? csEquals : (a, b) => !csEquals(a, b) };
  }
  const staticString = left.def === STRING_DEF || right.def === STRING_DEF;
  if (op === "+" && staticString) {
    return { type: STRING, apply: (a, b) => checkedString(csString(a) + csString(b)) };
  }
  const cache = new Map<string, Operation | string>();
  const apply: Apply = (a, b) => {
    if (a === null || b === null) {
      if (op === "+" && (typeof a === "string" || typeof b === "string")) return csString(a) + csString(b);
      if (op in COMPARISONS) return false;
      return null;
    }
    const lt = typeOfValue(a);
    const rt = typeOfValue(b);
    const key = `${lt.def.name}|${rt.def.name}`;
    let operation = cache.get(key);
    if (operation === undefined) {
      operation =
        lt.def.dynamic || rt.def.dynamic
          ? `Operator '${op}' cannot be applied to operands of type '${typeName(lt)}' and '${typeName(rt)}'`
          : binaryOperation(op, lt, rt);
      cache.set(key, operation);
    }
    if (typeof operation === "string") throw new ExpressionException("RuntimeBinderException", operation);
    return operation.apply(a, b);
  };
  const resultType = op in COMPARISONS ? BOOL : typeOf(left.def.dynamic ? left.def : right.def);
  return { type: resultType, apply };
}

/** The operation `op operand` for a unary operator, or a message. */
export function unaryOperation(op: string, operand: Type): { type: Type; apply: (a: unknown) => unknown } | string {
  const def = underlying(operand).def;
  const nullable = operand.def === NULLABLE_DEF;
  const lift = (f: (a: unknown) => unknown) => (nullable ? (a: unknown) => (a === null ? null : f(a)) : f);
  if (isDynamic(operand)) {
    return {
      type: operand,
      apply: (a) => {
        if (a === null) return null;
        const inner = unaryOperation(op, typeOfValue(a));
        if (typeof inner === "string") throw new ExpressionException("RuntimeBinderException", inner);
        return inner.apply(a);
      },
    };
  }
  if (op === "!" && def === BOOL_DEF) return { type: operand, apply: lift((a) => !a) };
  const numeric = def === CHAR_DEF ? INT_DEF : NUMERIC_DEFS.has(def) ? def : undefined;
  const code = def === CHAR_DEF ? (a: unknown) => (a as string).charCodeAt(0) : (a: unknown) => a as number;
  if (numeric) {
    const kind =
      numeric === INT_DEF ||
      numeric === LONG_DEF ||
      numeric === DOUBLE_DEF ||
      numeric === DECIMAL_DEF ||
      numeric === FLOAT_DEF
        ? numeric
        : INT_DEF;
    const type = nullable ? nullableOf(typeOf(kind)) : typeOf(kind);
    if (op === "-") return { type, apply: lift(kind === INT_DEF ? (a) => -code(a) | 0 : (a) => -code(a)) };
    if (op === "+") return { type, apply: lift(code) };
    if (op === "~" && (kind === INT_DEF || kind === LONG_DEF)) return { type, apply: lift((a) => ~code(a)) };
  }
  if (op === "~" && def.enumNames) {
    const names = def.enumNames;
    return { type: operand, apply: lift((a) => new EnumValue(def, ~(a as EnumValue).value, names)) };
  }
  for (const overload of overloads) {
    if (overload.op === `unary${op}` && overload.left === def) {
      return { type: overload.result, apply: lift((a) => overload.apply(a, null)) };
    }
  }
  return `Operator '${op}' cannot be applied to an operand of type '${typeName(operand)}'`;
}

/** The result of `++`/`--` on a value of this type. */
export function incrementOperation(op: "++" | "--", operand: Type): ((a: unknown) => unknown) | string {
  const def = underlying(operand).def;
  const delta = op === "++" ? 1 : -1;
  if (def === INT_DEF) return (a) => ((a as number) + delta) | 0;
  if (def === CHAR_DEF) return (a) => String.fromCharCode(((a as string).charCodeAt(0) + delta) & 0xffff);
  if (NUMERIC_DEFS.has(def) || isDynamic(operand)) {
    return (a) => {
      if (typeof a !== "number")
        throw new ExpressionException("RuntimeBinderException", `Operator '${op}' cannot be applied to this operand`);
      return a + delta;
    };
  }
  return `Operator '${op}' cannot be applied to an operand of type '${typeName(operand)}'`;
}
