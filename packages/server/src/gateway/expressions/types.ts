/**
 * The static type model of policy expressions. A type is a definition (name, members, base, element type when it is
 * enumerable) applied to type arguments. Members live in our own Maps, keyed by their C# names, so nothing of the
 * JavaScript world (`constructor`, `__proto__`, `toString` …) can ever be reached by a name an expression chooses.
 *
 * `object` is the dynamic type: a member access on it is resolved at run time against the value's own type, which
 * keeps the checker sound (it never refuses what C# would accept) while still refusing, at load time, what cannot
 * exist on a statically known type.
 */
import type { Frame } from "./runtime.js";

export interface Type {
  readonly def: TypeDef;
  readonly args: readonly Type[];
}

/** What compiled code calls: arguments are evaluated values; lambdas arrive as functions. */
export type Invoke = (self: unknown, args: readonly unknown[], frame: Frame, typeArgs: readonly Type[]) => unknown;

/** A run-time function an expression lambda became. */
export type Lambda = (...args: unknown[]) => unknown;

/** An `out` argument: the callee stores its result through it. */
export interface OutRef {
  set(value: unknown): void;
}

export interface PropertySpec {
  readonly kind: "property";
  type(receiver: Type): Type;
  get(self: unknown, frame: Frame): unknown;
  /** Reading it reads a message body, which the step must buffer first. */
  readsBody?: "request" | "response";
}

export interface MethodSpec {
  readonly kind: "method";
  /** Parameter names, for named arguments (`preserveContent: true`). */
  readonly params: readonly string[];
  readonly min: number;
  /** Infinity for `params` arrays. */
  readonly max: number;
  /** Generic arities accepted (`As<JObject>()` → [1]); [0] when absent. */
  readonly typeArgs?: readonly number[];
  /** Parameter types of a lambda at argument `index`, or undefined when no lambda may stand there. */
  lambda?(
    receiver: Type,
    index: number,
    before: readonly Type[],
    typeArgs: readonly Type[],
  ): readonly Type[] | undefined;
  /** The type of an `out` argument at `index` of `count`, or undefined when the argument is not `out`. */
  out?(receiver: Type, index: number, count: number, typeArgs: readonly Type[]): Type | undefined;
  returns(receiver: Type, args: readonly Type[], typeArgs: readonly Type[]): Type;
  readonly invoke: Invoke;
  /** An extension method that handles a null receiver itself (AsJwt on a null string). */
  readonly acceptsNull?: boolean;
  /**
   * A load-time check of the arguments' static types, and of the values of those that are constants (a literal
   * pattern): a message when the call cannot work, or the message and the argument it is about.
   */
  check?(
    receiver: Type,
    args: readonly Type[],
    typeArgs: readonly Type[],
    constants: readonly (Constant | undefined)[],
  ): string | ArgumentProblem | undefined;
  /** The invoke for these static types, when it depends on them (`Nullable<int>.GetValueOrDefault()` → 0). */
  specialize?(receiver: Type, args: readonly Type[], typeArgs: readonly Type[]): Invoke;
}

/** An argument's value known when the document loads: a literal's, or undefined for an optional one left out. */
export interface Constant {
  readonly value: unknown;
}

/** A load-time problem with the argument at `argument`: the document position is that argument's. */
export interface ArgumentProblem {
  readonly message: string;
  readonly argument: number;
}

export type Member = PropertySpec | MethodSpec;

export interface IndexerSpec {
  type(receiver: Type, args: readonly Type[]): Type;
  get(self: unknown, args: readonly unknown[], frame: Frame): unknown;
  /** Absent for read-only indexers. */
  set?(self: unknown, args: readonly unknown[], value: unknown, frame: Frame): void;
}

export interface TypeDef {
  /** The C# name as messages show it (`string`, `JObject`, `List`). */
  readonly name: string;
  /** The .NET name, for `GetType`-free ToString of containers and cast messages (`System.String`). */
  readonly clrName: string;
  readonly arity: number;
  readonly base: TypeDef | undefined;
  readonly members: Map<string, Member>;
  readonly statics: Map<string, Member>;
  /** A value type: never null (int, bool, DateTime …). */
  readonly valueType: boolean;
  /** Members are looked up at run time (object). */
  readonly dynamic: boolean;
  /** The element type when enumerated (foreach, LINQ). */
  element?: (type: Type) => Type;
  indexer?: IndexerSpec;
  /** `new T(…)`: the spec's receiver is the constructed type. */
  create?: MethodSpec;
  /** Whether a run-time value belongs to the type (casts, `is`, GetValueOrDefault<T>). */
  test?: (value: unknown) => boolean;
  /** Static-only type (Math, Convert): no values, no `new`. */
  readonly isStatic: boolean;
  /** An enum's value names. */
  enumNames?: ReadonlyMap<number, string>;
  /** `default(T)` of a value type. */
  defaultValue?: () => unknown;
}

export interface TypeDefOptions {
  clrName?: string;
  arity?: number;
  base?: TypeDef;
  valueType?: boolean;
  dynamic?: boolean;
  isStatic?: boolean;
  test?: (value: unknown) => boolean;
}

export function defineType(name: string, options: TypeDefOptions = {}): TypeDef {
  return {
    name,
    clrName: options.clrName ?? name,
    arity: options.arity ?? 0,
    base: options.base,
    members: new Map(),
    statics: new Map(),
    valueType: options.valueType ?? false,
    dynamic: options.dynamic ?? false,
    isStatic: options.isStatic ?? false,
    ...(options.test ? { test: options.test } : {}),
  };
}

const plain = new Map<TypeDef, Type>();

/** The type `def<args>`; non-generic types are shared. */
export function typeOf(def: TypeDef, ...args: Type[]): Type {
  if (args.length > 0) return { def, args };
  let found = plain.get(def);
  if (!found) {
    found = { def, args: [] };
    plain.set(def, found);
  }
  return found;
}

// The core definitions; libraries add their members.
export const OBJECT_DEF = defineType("object", { clrName: "System.Object", dynamic: true });
export const NULL_DEF = defineType("null");
export const VOID_DEF = defineType("void", { clrName: "System.Void" });
export const STRING_DEF = defineType("string", {
  clrName: "System.String",
  test: (v) => typeof v === "string",
});
export const CHAR_DEF = defineType("char", {
  clrName: "System.Char",
  valueType: true,
  test: (v) => typeof v === "string" && v.length === 1,
});
export const BOOL_DEF = defineType("bool", {
  clrName: "System.Boolean",
  valueType: true,
  test: (v) => typeof v === "boolean",
});
const isNumber = (v: unknown): boolean => typeof v === "number";
const isWhole = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v);
export const INT_DEF = defineType("int", { clrName: "System.Int32", valueType: true, test: isWhole });
export const LONG_DEF = defineType("long", { clrName: "System.Int64", valueType: true, test: isWhole });
export const DOUBLE_DEF = defineType("double", { clrName: "System.Double", valueType: true, test: isNumber });
export const FLOAT_DEF = defineType("float", { clrName: "System.Single", valueType: true, test: isNumber });
export const DECIMAL_DEF = defineType("decimal", { clrName: "System.Decimal", valueType: true, test: isNumber });
export const BYTE_DEF = defineType("byte", { clrName: "System.Byte", valueType: true, test: isWhole });
export const ARRAY_DEF = defineType("Array", { clrName: "System.Array", arity: 1 });
export const ENUMERABLE_DEF = defineType("IEnumerable", {
  clrName: "System.Collections.Generic.IEnumerable`1",
  arity: 1,
});
export const NULLABLE_DEF = defineType("Nullable", { clrName: "System.Nullable`1", arity: 1, valueType: true });
/** A lambda's type: parameter types then the result type. */
export const FUNC_DEF = defineType("Func", { clrName: "System.Func", arity: -1 });
export const KEY_VALUE_PAIR_DEF = defineType("KeyValuePair", {
  clrName: "System.Collections.Generic.KeyValuePair`2",
  arity: 2,
  valueType: true,
});

export const OBJECT = typeOf(OBJECT_DEF);
export const NULL = typeOf(NULL_DEF);
export const VOID = typeOf(VOID_DEF);
export const STRING = typeOf(STRING_DEF);
export const CHAR = typeOf(CHAR_DEF);
export const BOOL = typeOf(BOOL_DEF);
export const INT = typeOf(INT_DEF);
export const LONG = typeOf(LONG_DEF);
export const DOUBLE = typeOf(DOUBLE_DEF);
export const FLOAT = typeOf(FLOAT_DEF);
export const DECIMAL = typeOf(DECIMAL_DEF);
export const BYTE = typeOf(BYTE_DEF);

export const arrayOf = (element: Type): Type => typeOf(ARRAY_DEF, element);
export const enumerableOf = (element: Type): Type => typeOf(ENUMERABLE_DEF, element);
export const nullableOf = (type: Type): Type => (type.def === NULLABLE_DEF ? type : typeOf(NULLABLE_DEF, type));
export const funcOf = (params: readonly Type[], result: Type): Type => typeOf(FUNC_DEF, ...params, result);
export const pairOf = (key: Type, value: Type): Type => typeOf(KEY_VALUE_PAIR_DEF, key, value);
export const STRING_ARRAY = arrayOf(STRING);
export const BYTE_ARRAY = arrayOf(BYTE);

/** The type argument at `index`, object when absent. */
export const argOf = (type: Type, index: number): Type => type.args[index] ?? OBJECT;

/** The result type of a lambda's Func type. */
export const lambdaResult = (type: Type | undefined): Type =>
  type && type.def === FUNC_DEF ? (type.args[type.args.length - 1] ?? OBJECT) : OBJECT;

export const NUMERIC_DEFS: ReadonlySet<TypeDef> = new Set([
  INT_DEF,
  LONG_DEF,
  DOUBLE_DEF,
  FLOAT_DEF,
  DECIMAL_DEF,
  BYTE_DEF,
]);
export const INTEGRAL_DEFS: ReadonlySet<TypeDef> = new Set([INT_DEF, LONG_DEF, BYTE_DEF]);

export const isDynamic = (type: Type): boolean => type.def.dynamic;
/** Nullable<T> → T; anything else as is. */
export const underlying = (type: Type): Type => (type.def === NULLABLE_DEF ? argOf(type, 0) : type);

/** How a type is written in C#, for messages. */
export function typeName(type: Type): string {
  const { def, args } = type;
  if (def === ARRAY_DEF) return `${typeName(argOf(type, 0))}[]`;
  if (def === NULLABLE_DEF) return `${typeName(argOf(type, 0))}?`;
  if (args.length === 0) return def.name;
  return `${def.name}<${args.map(typeName).join(", ")}>`;
}

/** The .NET name, as `ToString()` of a container shows it (`System.String[]`). */
export function clrTypeName(type: Type): string {
  const { def, args } = type;
  if (def === ARRAY_DEF) return `${clrTypeName(argOf(type, 0))}[]`;
  if (args.length === 0) return def.clrName;
  return `${def.clrName}[${args.map(clrTypeName).join(",")}]`;
}

/** The element type of an enumerable type, or undefined. */
export function elementType(type: Type): Type | undefined {
  for (let def: TypeDef | undefined = type.def; def; def = def.base) {
    if (def.element) return def.element(type);
  }
  return undefined;
}

/** Whether `def` is `target` or derives from it. */
export function derivesFrom(def: TypeDef, target: TypeDef): boolean {
  for (let d: TypeDef | undefined = def; d; d = d.base) if (d === target) return true;
  return false;
}

/** Members every type shares (object's), consulted last. */
export const OBJECT_MEMBERS = OBJECT_DEF.members;
/** LINQ's extension methods, consulted for every enumerable type. */
export const ENUMERABLE_MEMBERS = ENUMERABLE_DEF.members;

/**
 * An instance member of a type: its own, its bases', LINQ's for enumerables, then object's. A call looks for a
 * method, so `list.Count()` finds LINQ's Count although List has a Count property, as in C#.
 */
export function findMember(type: Type, name: string, kind?: Member["kind"]): Member | undefined {
  let found: Member | undefined;
  for (let def: TypeDef | undefined = type.def; def && !found; def = def.base) found = def.members.get(name);
  if (found && (kind === undefined || found.kind === kind)) return found;
  if (type.def !== ENUMERABLE_DEF && elementType(type)) {
    const member = ENUMERABLE_MEMBERS.get(name);
    if (member && (kind === undefined || member.kind === kind)) return member;
  }
  return found ?? OBJECT_MEMBERS.get(name);
}

/** The instance members of a type, for "its members are …" messages (LINQ's named once, not listed). */
export function describeMembers(type: Type): string {
  const names = new Set<string>();
  for (let def: TypeDef | undefined = type.def; def; def = def.base)
    for (const name of def.members.keys()) names.add(name);
  for (const name of OBJECT_MEMBERS.keys()) names.add(name);
  const list = [...names].sort().join(", ");
  return elementType(type) && type.def !== ENUMERABLE_DEF
    ? `${list}, and the LINQ methods (Where, Select, Any …)`
    : list;
}

export function findIndexer(type: Type): IndexerSpec | undefined {
  for (let def: TypeDef | undefined = type.def; def; def = def.base) if (def.indexer) return def.indexer;
  return undefined;
}

// ---- Names an expression may use for types ----

const KNOWN_TYPES = new Map<string, TypeDef>();

/** Makes a type nameable in expressions, under its name and any aliases (`String`, `System.String` …). */
export function registerType(def: TypeDef, ...aliases: string[]): TypeDef {
  for (const name of [def.name, ...aliases]) KNOWN_TYPES.set(name, def);
  return def;
}

/** A type by the name written in the expression (simple or namespace-qualified). */
export function lookupType(name: string): TypeDef | undefined {
  return KNOWN_TYPES.get(name);
}

/** Whether `prefix` is the start of a known qualified type name (`System`, `System.Net` …). */
export function isNamespacePrefix(prefix: string): boolean {
  const start = `${prefix}.`;
  for (const name of KNOWN_TYPES.keys()) if (name.startsWith(start)) return true;
  return false;
}

/** The simple names of the known types, for messages. */
export function knownTypeNames(): string[] {
  const names = new Set<string>();
  for (const [name, def] of KNOWN_TYPES) {
    // C#'s own names (String, Int32 …) and the many exception types are left out to keep messages readable.
    if (name.includes(".") || name !== def.name || (name.endsWith("Exception") && name !== "Exception")) continue;
    names.add(name);
  }
  return [...names].sort();
}

registerType(OBJECT_DEF, "Object", "System.Object");
registerType(STRING_DEF, "String", "System.String");
registerType(CHAR_DEF, "Char", "System.Char");
registerType(BOOL_DEF, "Boolean", "System.Boolean");
registerType(INT_DEF, "Int32", "System.Int32");
registerType(LONG_DEF, "Int64", "System.Int64");
registerType(DOUBLE_DEF, "Double", "System.Double");
registerType(FLOAT_DEF, "Single", "System.Single");
registerType(DECIMAL_DEF, "Decimal", "System.Decimal");
registerType(BYTE_DEF, "Byte", "System.Byte");
registerType(ENUMERABLE_DEF, "System.Collections.Generic.IEnumerable");
registerType(NULLABLE_DEF, "System.Nullable");
registerType(KEY_VALUE_PAIR_DEF, "System.Collections.Generic.KeyValuePair");
