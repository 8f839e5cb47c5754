/**
 * List<T>, Dictionary<K,V>, IReadOnlyDictionary<K,V> (with API Management's GetValueOrDefault<T>) and the read-only
 * dictionaries the context facade shows: headers, query parameters, claims, matched parameters and variables.
 */
import { castFunction, defaultOf, isInstance } from "../casts.js";
import type { HeaderMap } from "../../pipeline/headers.js";
import { argumentError, argumentNull, argumentOutOfRange, checkedLength, invalidCast, type Frame } from "../runtime.js";
import { addMembers, libraryType, method, property } from "../members.js";
import {
  BOOL,
  INT,
  OBJECT,
  STRING,
  STRING_ARRAY,
  VOID,
  argOf,
  clrTypeName,
  defineType,
  enumerableOf,
  pairOf,
  typeOf,
  type Lambda,
  type MethodSpec,
  type OutRef,
  type Type,
  type TypeDef,
} from "../types.js";
import {
  CsValue,
  DictionaryValue,
  ListValue,
  csEquals,
  csKey,
  csString,
  elementsOf,
  enumerable,
  typeOfValue,
} from "../values.js";

// ---- List<T> ----

const GENERIC = "System.Collections.Generic";
export const LIST_DEF = libraryType(
  `${GENERIC}.List`,
  { arity: 1, test: (v) => v instanceof ListValue },
  "IList",
  "ICollection",
);
LIST_DEF.element = (t) => argOf(t, 0);

const element = (t: Type): Type => argOf(t, 0);
const predicate = (_r: Type, index: number): readonly Type[] | undefined => (index === 0 ? [element(_r)] : undefined);

function listIndex(list: ListValue, index: unknown, inclusive = false): number {
  const i = index as number;
  if (!Number.isInteger(i) || i < 0 || i > list.items.length || (!inclusive && i === list.items.length)) {
    throw argumentOutOfRange(
      "index",
      "Index was out of range. Must be non-negative and less than the size of the collection.",
    );
  }
  return i;
}

LIST_DEF.create = method({
  params: ["collection"],
  min: 0,
  returns: (t) => t,
  invoke: (_s, [source], frame, typeArgs) => {
    const type = typeOf(LIST_DEF, typeArgs[0] ?? OBJECT);
    if (source === undefined || typeof source === "number") return new ListValue([], type);
    if (source === null) throw argumentNull("collection");
    const items = elementsOf(source) ?? [];
    frame.charge(items.length);
    return new ListValue([...items], type);
  },
});
LIST_DEF.indexer = {
  type: (t) => element(t),
  get: (self, [index]) => {
    const list = self as ListValue;
    return list.items[listIndex(list, index)];
  },
  set: (self, [index], value) => {
    const list = self as ListValue;
    list.items[listIndex(list, index)] = value;
  },
};

/** RemoveAll, Exists, Find and FindAll: `run` over the list with its `match` lambda; each item costs a step. */
const byMatch = (
  returns: MethodSpec["returns"] | Type,
  run: (list: ListValue, matches: (item: unknown) => boolean) => unknown,
) =>
  method<ListValue>({
    params: ["match"],
    lambda: predicate,
    returns,
    invoke: (l, [match], frame) => {
      frame.charge(l.items.length);
      return run(l, (item) => (match as Lambda)(item) === true);
    },
  });

const add = (list: ListValue, value: unknown) => {
  checkedLength(list.items.length + 1);
  list.items.push(value);
};

addMembers(LIST_DEF.members, {
  Count: property<ListValue>(INT, (l) => l.items.length),
  Capacity: property<ListValue>(INT, (l) => l.items.length),
  Add: method<ListValue>({ params: ["item"], returns: VOID, invoke: (l, [v]) => add(l, v) }),
  AddRange: method<ListValue>({
    params: ["collection"],
    returns: VOID,
    invoke: (l, [source], frame) => {
      if (source === null) throw argumentNull("collection");
      const items = [...(elementsOf(source) ?? [])];
      frame.charge(items.length);
      checkedLength(l.items.length + items.length);
      l.items.push(...items);
    },
  }),
  Insert: method<ListValue>({
    params: ["index", "item"],
    returns: VOID,
    invoke: (l, [index, v]) => {
      checkedLength(l.items.length + 1);
      l.items.splice(listIndex(l, index, true), 0, v);
    },
  }),
  Remove: method<ListValue>({
    params: ["item"],
    returns: BOOL,
    invoke: (l, [v]) => {
      const i = l.items.findIndex((x) => csEquals(x, v ?? null));
      if (i < 0) return false;
      l.items.splice(i, 1);
      return true;
    },
  }),
  RemoveAt: method<ListValue>({
    params: ["index"],
    returns: VOID,
    invoke: (l, [index]) => void l.items.splice(listIndex(l, index), 1),
  }),
  RemoveAll: byMatch(INT, (l, matches) => {
    const keep = l.items.filter((x) => !matches(x));
    const removed = l.items.length - keep.length;
    l.items.splice(0, l.items.length, ...keep);
    return removed;
  }),
  Clear: method<ListValue>({ returns: VOID, invoke: (l) => void l.items.splice(0) }),
  IndexOf: method<ListValue>({
    params: ["item"],
    returns: INT,
    invoke: (l, [v]) => l.items.findIndex((x) => csEquals(x, v ?? null)),
  }),
  Exists: byMatch(BOOL, (l, matches) => l.items.some(matches)),
  Find: byMatch(element, (l, matches) => l.items.find(matches) ?? null),
  FindAll: byMatch(
    (t) => t,
    (l, matches) => new ListValue(l.items.filter(matches), l.csType()),
  ),
  ForEach: method<ListValue>({
    params: ["action"],
    lambda: predicate,
    returns: VOID,
    invoke: (l, [action], frame) => {
      frame.charge(l.items.length);
      for (const item of [...l.items]) (action as Lambda)(item);
    },
  }),
  Sort: method<ListValue>({
    params: ["comparison"],
    min: 0,
    lambda: (r, index) => (index === 0 ? [element(r), element(r)] : undefined),
    returns: VOID,
    invoke: (l, [comparison], frame) => {
      frame.charge(l.items.length);
      const compare = comparison ? (a: unknown, b: unknown) => (comparison as Lambda)(a, b) as number : compareValues;
      l.items.sort(compare);
    },
  }),
  Reverse: method<ListValue>({ returns: VOID, invoke: (l) => void l.items.reverse() }),
});

/** Comparer<T>.Default: numbers, strings (culture order), and values that order themselves; null first. */
export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return collator.compare(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (a instanceof CsValue && typeof (a as Partial<{ csCompare(o: unknown): number }>).csCompare === "function") {
    return (a as unknown as { csCompare(o: unknown): number }).csCompare(b);
  }
  throw argumentError(`At least one object must implement IComparable.`);
}
const collator = new Intl.Collator("en", { sensitivity: "variant" });

// ---- dictionaries ----

export const READONLY_DICTIONARY_DEF = libraryType(
  `${GENERIC}.IReadOnlyDictionary`,
  { arity: 2, test: (v) => v instanceof DictionaryValue },
  "IDictionary",
  `${GENERIC}.IDictionary`,
);
READONLY_DICTIONARY_DEF.element = (t) => pairOf(argOf(t, 0), argOf(t, 1));

export const DICTIONARY_DEF = libraryType(`${GENERIC}.Dictionary`, {
  arity: 2,
  base: READONLY_DICTIONARY_DEF,
  test: (v) => v instanceof MapDictionary && v.mutable,
});

/** A dictionary of the context facade: an IReadOnlyDictionary<K,V> to expressions, with members of its own. */
export function dictionaryView(): TypeDef {
  return defineType("IReadOnlyDictionary", {
    clrName: READONLY_DICTIONARY_DEF.clrName,
    arity: 2,
    base: READONLY_DICTIONARY_DEF,
  });
}

/**
 * The facade's multi-valued dictionaries (headers, query, claims): `IReadOnlyDictionary<string, string[]>` whose
 * GetValueOrDefault(name, default) returns the values comma-joined, as API Management's does.
 */
const MULTI_VALUE_DICTIONARY_DEF = dictionaryView();
export const MULTI_VALUE_DICTIONARY = typeOf(MULTI_VALUE_DICTIONARY_DEF, STRING, STRING_ARRAY);

/** A dictionary over a Map: user-made (mutable) or a facade's (claims, matched parameters, variables). */
export class MapDictionary extends DictionaryValue {
  private readonly entries: Map<unknown, { key: unknown; value: unknown }>;

  constructor(
    private readonly type: Type,
    readonly mutable: boolean,
    /** Keys compared case-insensitively (StringComparer.OrdinalIgnoreCase). */
    readonly ignoreCase = false,
    source?: Iterable<readonly [unknown, unknown]>,
  ) {
    super();
    this.entries = new Map();
    if (source) for (const [key, value] of source) this.entries.set(this.hash(key), { key, value });
  }
  private hash(key: unknown): unknown {
    return this.ignoreCase && typeof key === "string" ? key.toLowerCase() : csKey(key);
  }
  csType(): Type {
    return this.type;
  }
  get(key: unknown): unknown {
    return this.entries.get(this.hash(key))?.value;
  }
  has(key: unknown): boolean {
    return this.entries.has(this.hash(key));
  }
  keys(): unknown[] {
    return [...this.entries.values()].map((e) => e.key);
  }
  values(): unknown[] {
    return [...this.entries.values()].map((e) => e.value);
  }
  get count(): number {
    return this.entries.size;
  }
  set(key: unknown, value: unknown): void {
    if (key === null) throw argumentNull("key");
    const hash = this.hash(key);
    if (!this.entries.has(hash)) checkedLength(this.entries.size + 1);
    const existing = this.entries.get(hash);
    this.entries.set(hash, { key: existing ? existing.key : key, value });
  }
  remove(key: unknown): boolean {
    return this.entries.delete(this.hash(key));
  }
  clear(): void {
    this.entries.clear();
  }
}

/** Headers over the live HeaderMap of a request or response. */
export class HeadersDictionary extends DictionaryValue {
  constructor(private readonly headers: () => HeaderMap) {
    super();
  }
  csType(): Type {
    return MULTI_VALUE_DICTIONARY;
  }
  get(key: unknown): unknown {
    const map = this.headers();
    return typeof key === "string" && map.has(key) ? [...map.getAll(key)] : undefined;
  }
  has(key: unknown): boolean {
    return typeof key === "string" && this.headers().has(key);
  }
  keys(): unknown[] {
    return [...this.headers()].map(([name]) => name);
  }
  values(): unknown[] {
    return [...this.headers()].map(([, values]) => [...values]);
  }
  get count(): number {
    return [...this.headers()].length;
  }
  /** The comma-joined values, the fast path of GetValueOrDefault. */
  joined(name: string): string | undefined {
    return this.headers().get(name);
  }
}

/** Query parameters over live URLSearchParams. */
export class QueryDictionary extends DictionaryValue {
  constructor(private readonly params: () => URLSearchParams) {
    super();
  }
  csType(): Type {
    return MULTI_VALUE_DICTIONARY;
  }
  get(key: unknown): unknown {
    const params = this.params();
    return typeof key === "string" && params.has(key) ? params.getAll(key) : undefined;
  }
  has(key: unknown): boolean {
    return typeof key === "string" && this.params().has(key);
  }
  keys(): unknown[] {
    return [...new Set(this.params().keys())];
  }
  values(): unknown[] {
    return this.keys().map((key) => this.get(key));
  }
  get count(): number {
    return this.keys().length;
  }
}

const dictionaryOf = (self: unknown): DictionaryValue => self as DictionaryValue;

/** A key argument: null is ArgumentNullException, as in .NET. */
function checkedKey(key: unknown): unknown {
  if (key === null) throw argumentNull("key");
  return key;
}

/** `GetValueOrDefault<T>(key, default)`: a stored value of another type is an invalid cast, as in APIM. */
function typedValue(dictionary: DictionaryValue, key: unknown, fallback: unknown, type: Type): unknown {
  if (!dictionary.has(key)) return fallback === undefined ? defaultOf(type) : fallback;
  const value = dictionary.get(key) ?? null;
  if (value === null) return value;
  if (isInstance(value, type)) return castFunction(OBJECT, type)(value);
  throw invalidCast(clrTypeName(typeOfValue(value)), clrTypeName(type));
}

const keyType = (t: Type): Type => argOf(t, 0);
const valueType = (t: Type): Type => argOf(t, 1);

const getValueOrDefault = (join: boolean): MethodSpec =>
  method({
    params: ["key", "defaultValue"],
    min: 1,
    typeArgs: [0, 1],
    returns: (t, _a, [typed]) => typed ?? (join ? STRING : valueType(t)),
    invoke: (self, [key, fallback], _f, [typed]) => {
      if (key === null) throw argumentNull("key");
      const dictionary = dictionaryOf(self);
      if (typed) return typedValue(dictionary, key, fallback, typed);
      if (join) {
        if (dictionary instanceof HeadersDictionary) return dictionary.joined(key as string) ?? fallback ?? null;
        const values = dictionary.get(key);
        return values === undefined ? (fallback ?? null) : (values as unknown[]).map((v) => csString(v)).join(",");
      }
      return dictionary.has(key) ? dictionary.get(key) : (fallback ?? null);
    },
  });

READONLY_DICTIONARY_DEF.indexer = {
  type: (t) => valueType(t),
  get: (self, [key]) => dictionaryOf(self).item(key),
};
addMembers(READONLY_DICTIONARY_DEF.members, {
  Count: property<DictionaryValue>(INT, (d) => d.count),
  Keys: property<DictionaryValue>(
    (t) => enumerableOf(keyType(t)),
    (d) => d.keys(),
  ),
  Values: property<DictionaryValue>(
    (t) => enumerableOf(valueType(t)),
    (d) => d.values(),
  ),
  ContainsKey: method<DictionaryValue>({
    params: ["key"],
    returns: BOOL,
    invoke: (d, [key]) => d.has(checkedKey(key)),
  }),
  ContainsValue: method<DictionaryValue>({
    params: ["value"],
    returns: BOOL,
    invoke: (d, [value]) => d.values().some((v) => csEquals(v, value ?? null)),
  }),
  TryGetValue: method<DictionaryValue>({
    params: ["key", "value"],
    out: (t, index) => (index === 1 ? valueType(t) : undefined),
    returns: BOOL,
    invoke: (d, [key, out]) => {
      const found = d.has(checkedKey(key));
      (out as OutRef).set(found ? d.get(key) : null);
      return found;
    },
  }),
  GetValueOrDefault: getValueOrDefault(false),
});
MULTI_VALUE_DICTIONARY_DEF.members.set("GetValueOrDefault", getValueOrDefault(true));

const mutable = (self: unknown): MapDictionary => self as MapDictionary;

DICTIONARY_DEF.indexer = {
  type: (t) => valueType(t),
  get: (self, [key]) => dictionaryOf(self).item(key),
  set: (self, [key], value) => mutable(self).set(key, value),
};
DICTIONARY_DEF.create = method({
  params: ["comparer"],
  min: 0,
  max: 2,
  returns: (t) => t,
  invoke: (_s, [arg, second], frame: Frame, typeArgs) => {
    const type = typeOf(DICTIONARY_DEF, typeArgs[0] ?? OBJECT, typeArgs[1] ?? OBJECT);
    const comparer =
      arg instanceof StringComparerValue ? arg : second instanceof StringComparerValue ? second : undefined;
    const dictionary = new MapDictionary(type, true, comparer?.ignoreCase ?? false);
    if (arg instanceof DictionaryValue) {
      frame.charge(arg.count);
      for (const key of arg.keys()) dictionary.set(key, arg.get(key));
    }
    return dictionary;
  },
});

addMembers(DICTIONARY_DEF.members, {
  Add: method<MapDictionary>({
    params: ["key", "value"],
    returns: VOID,
    invoke: (d, [key, value]) => {
      if (d.has(checkedKey(key)))
        throw argumentError(`An item with the same key has already been added. Key: ${csString(key)}`);
      d.set(key, value);
    },
  }),
  TryAdd: method<MapDictionary>({
    params: ["key", "value"],
    returns: BOOL,
    invoke: (d, [key, value]) => {
      if (d.has(checkedKey(key))) return false;
      d.set(key, value);
      return true;
    },
  }),
  Remove: method<MapDictionary>({
    params: ["key"],
    returns: BOOL,
    invoke: (d, [key]) => d.remove(checkedKey(key)),
  }),
  Clear: method<MapDictionary>({ returns: VOID, invoke: (d) => d.clear() }),
});

// ---- StringComparer ----

class StringComparerValue extends CsValue {
  constructor(
    readonly name: string,
    readonly ignoreCase: boolean,
  ) {
    super();
  }
  csType(): Type {
    return typeOf(STRING_COMPARER_DEF);
  }
}
const STRING_COMPARER_DEF = libraryType("System.StringComparer", { test: (v) => v instanceof StringComparerValue });
for (const [name, ignoreCase] of [
  ["Ordinal", false],
  ["OrdinalIgnoreCase", true],
  ["InvariantCulture", false],
  ["InvariantCultureIgnoreCase", true],
  ["CurrentCulture", false],
  ["CurrentCultureIgnoreCase", true],
] as const) {
  const value = new StringComparerValue(name, ignoreCase);
  STRING_COMPARER_DEF.statics.set(
    name,
    property(typeOf(STRING_COMPARER_DEF), () => value),
  );
}

// ---- HashSet<T> ----

export const HASH_SET_DEF = libraryType(`${GENERIC}.HashSet`, { arity: 1, test: (v) => v instanceof SetValue }, "ISet");
HASH_SET_DEF.element = (t) => argOf(t, 0);

export class SetValue extends CsValue {
  private readonly entries = new Map<unknown, unknown>();
  constructor(
    private readonly type: Type,
    readonly ignoreCase: boolean,
  ) {
    super();
  }
  private hash(value: unknown): unknown {
    return this.ignoreCase && typeof value === "string" ? value.toLowerCase() : csKey(value);
  }
  csType(): Type {
    return this.type;
  }
  add(value: unknown): boolean {
    const hash = this.hash(value);
    if (this.entries.has(hash)) return false;
    checkedLength(this.entries.size + 1);
    this.entries.set(hash, value);
    return true;
  }
  has(value: unknown): boolean {
    return this.entries.has(this.hash(value));
  }
  remove(value: unknown): boolean {
    return this.entries.delete(this.hash(value));
  }
  items(): unknown[] {
    return [...this.entries.values()];
  }
}

HASH_SET_DEF.create = method({
  params: ["collection", "comparer"],
  min: 0,
  returns: (t) => t,
  invoke: (_s, [first, second], frame, typeArgs) => {
    const comparer =
      first instanceof StringComparerValue ? first : second instanceof StringComparerValue ? second : undefined;
    const set = new SetValue(typeOf(HASH_SET_DEF, typeArgs[0] ?? OBJECT), comparer?.ignoreCase ?? false);
    if (first !== undefined && first !== null && !(first instanceof StringComparerValue)) {
      const items = elementsOf(first) ?? [];
      frame.charge(items.length);
      for (const item of items) set.add(item);
    }
    return set;
  },
});
addMembers(HASH_SET_DEF.members, {
  Count: property<SetValue>(INT, (s) => s.items().length),
  Add: method<SetValue>({ params: ["item"], returns: BOOL, invoke: (s, [v]) => s.add(v ?? null) }),
  Remove: method<SetValue>({ params: ["item"], returns: BOOL, invoke: (s, [v]) => s.remove(v ?? null) }),
  Contains: method<SetValue>({ params: ["item"], returns: BOOL, invoke: (s, [v]) => s.has(v ?? null) }),
});

enumerable((v) => (v instanceof SetValue ? v.items() : undefined));

/**
 * A read-only view of a Map the pipeline owns (variables, claims, matched parameters): reads see it live, and arrays
 * are copied out so that an expression cannot change what the Map holds.
 */
export class MapView extends DictionaryValue {
  constructor(
    private readonly type: Type,
    private readonly map: ReadonlyMap<string, unknown>,
  ) {
    super();
  }
  csType(): Type {
    return this.type;
  }
  get(key: unknown): unknown {
    if (typeof key !== "string") return undefined;
    const value = this.map.get(key);
    return Array.isArray(value) ? [...(value as unknown[])] : value;
  }
  has(key: unknown): boolean {
    return typeof key === "string" && this.map.has(key);
  }
  keys(): unknown[] {
    return [...this.map.keys()];
  }
  values(): unknown[] {
    return this.keys().map((key) => this.get(key));
  }
  get count(): number {
    return this.map.size;
  }
}
