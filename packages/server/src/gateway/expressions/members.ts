/**
 * What library modules build the type model with: member tables (properties, methods, C#'s Try pattern) and the
 * .NET types they define.
 */
import type { Frame } from "./runtime.js";
import {
  BOOL,
  defineType,
  registerType,
  type Invoke,
  type Member,
  type MethodSpec,
  type OutRef,
  type PropertySpec,
  type Type,
  type TypeDef,
  type TypeDefOptions,
} from "./types.js";

/**
 * A .NET library type, nameable by its simple and its qualified name and any `aliases`; a generic type's .NET name
 * carries its arity (`System.Collections.Generic.List`1`).
 */
export function libraryType(
  qualifiedName: string,
  options: Omit<TypeDefOptions, "clrName"> = {},
  ...aliases: string[]
): TypeDef {
  const name = qualifiedName.slice(qualifiedName.lastIndexOf(".") + 1);
  const arity = options.arity ?? 0;
  const clrName = arity > 0 ? `${qualifiedName}\`${arity}` : qualifiedName;
  return registerType(defineType(name, { ...options, clrName }), qualifiedName, ...aliases);
}

/** A property; `self` is the receiver's run-time value (never null: the caller checks). */
export function property<S>(
  type: Type | ((receiver: Type) => Type),
  get: (self: S, frame: Frame) => unknown,
): PropertySpec {
  return {
    kind: "property",
    type: typeof type === "function" ? type : () => type,
    get: get as (self: unknown, frame: Frame) => unknown,
  };
}

export interface MethodOptions<S> {
  params?: readonly string[];
  /** Fewest arguments; all of `params` when absent. */
  min?: number;
  /** Most arguments; `params.length` when absent. */
  max?: number;
  typeArgs?: readonly number[];
  lambda?: MethodSpec["lambda"];
  out?: MethodSpec["out"];
  returns: Type | MethodSpec["returns"];
  invoke: (self: S, args: readonly unknown[], frame: Frame, typeArgs: readonly Type[]) => unknown;
  acceptsNull?: boolean;
  specialize?: MethodSpec["specialize"];
}

export function method<S>(options: MethodOptions<S>): MethodSpec {
  const params = options.params ?? [];
  const { returns } = options;
  return {
    kind: "method",
    params,
    min: options.min ?? params.length,
    max: options.max ?? params.length,
    ...(options.typeArgs ? { typeArgs: options.typeArgs } : {}),
    ...(options.lambda ? { lambda: options.lambda } : {}),
    ...(options.out ? { out: options.out } : {}),
    ...(options.acceptsNull ? { acceptsNull: true } : {}),
    ...(options.specialize ? { specialize: options.specialize } : {}),
    returns: typeof returns === "function" ? returns : () => returns,
    invoke: options.invoke as Invoke,
  };
}

/**
 * C#'s Try pattern (`int.TryParse(s, out n)`, `Uri.TryCreate(s, kind, out u)`): the last argument is `out result`,
 * set to what `parse` returns, or to `fallback` when it throws; the call says which happened.
 */
export function tryParseMethod(options: {
  params: readonly string[];
  min?: number;
  max?: number;
  result: Type;
  fallback: unknown;
  parse: (args: readonly unknown[]) => unknown;
}): MethodSpec {
  const { result, fallback, parse } = options;
  return method({
    params: options.params,
    min: options.min,
    max: options.max,
    out: (_r, index, count) => (index === count - 1 && index >= 1 ? result : undefined),
    returns: BOOL,
    invoke: (_s, args) => {
      const out = args[args.length - 1] as OutRef;
      try {
        out.set(parse(args));
        return true;
      } catch {
        out.set(fallback);
        return false;
      }
    },
  });
}

/** Adds members to a table; a later definition of the same name replaces the earlier. */
export function addMembers(table: Map<string, Member>, members: Readonly<Record<string, Member>>): void {
  for (const [name, member] of Object.entries(members)) table.set(name, member);
}
