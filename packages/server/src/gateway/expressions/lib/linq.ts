/**
 * System.Linq.Enumerable over every enumerable value (arrays, lists, dictionaries, strings, JArray …). Results are
 * materialised arrays typed IEnumerable<T>; each element walked costs a step of the evaluation's budget.
 */
import { castFunction, defaultOf, isInstance } from "../casts.js";
import { argumentNull, argumentOutOfRange, checkedLength, invalidOperation, type Frame } from "../runtime.js";
import { addMembers, libraryType, method, property } from "../members.js";
import {
  BOOL,
  DOUBLE,
  ENUMERABLE_DEF,
  ENUMERABLE_MEMBERS,
  INT,
  LONG,
  NUMERIC_DEFS,
  OBJECT,
  arrayOf,
  defineType,
  elementType,
  enumerableOf,
  lambdaResult,
  typeOf,
  type Lambda,
  type MethodSpec,
  type Type,
} from "../types.js";
import { CsValue, ListValue, csEquals, csKey, elementsOf, enumerable } from "../values.js";
import { LIST_DEF, MapDictionary, DICTIONARY_DEF, HASH_SET_DEF, SetValue, compareValues } from "./collections.js";

const elementOf = (t: Type): Type => elementType(t) ?? OBJECT;

/** The receiver's elements; null is ArgumentNullException as in LINQ. */
function items(self: unknown, frame: Frame): readonly unknown[] {
  if (self === null || self === undefined) throw argumentNull("source");
  const values = elementsOf(self);
  if (!values) throw invalidOperation("The value is not enumerable");
  frame.charge(values.length);
  return values;
}

const test = (f: unknown) => (x: unknown, i?: number) => (f as Lambda)(x, i) === true;
const noElements = () => invalidOperation("Sequence contains no elements");
const noMatch = () => invalidOperation("Sequence contains no matching element");

/** A lambda over the element at argument 0 (Where, Select, Any …). */
const overElement = (receiver: Type, index: number): readonly Type[] | undefined =>
  index === 0 ? [elementOf(receiver)] : undefined;

interface Finder {
  pick(values: readonly unknown[]): { found: boolean; value: unknown };
  orDefault: boolean;
}

function finder({ pick, orDefault }: Finder): MethodSpec {
  const find =
    (zero: unknown) =>
    (self: unknown, [predicate, fallback]: readonly unknown[], frame: Frame) => {
      let values = items(self, frame);
      const hasPredicate = typeof predicate === "function";
      if (hasPredicate) values = values.filter(test(predicate));
      const { found, value } = pick(values);
      if (found) return value;
      // FirstOrDefault's default is default(T): 0 for numbers, null for references.
      if (orDefault) return (hasPredicate ? fallback : predicate) ?? zero;
      throw hasPredicate ? noMatch() : noElements();
    };
  return method({
    params: ["predicate", "defaultValue"],
    min: 0,
    max: orDefault ? 2 : 1,
    lambda: overElement,
    returns: (t) => elementOf(t),
    invoke: find(null),
    specialize: (t) => find(defaultOf(elementOf(t))),
  });
}

const first = (values: readonly unknown[]) => ({ found: values.length > 0, value: values[0] });
const last = (values: readonly unknown[]) => ({ found: values.length > 0, value: values[values.length - 1] });
const single = (name: string) => (values: readonly unknown[]) => {
  if (values.length > 1)
    throw invalidOperation(`Sequence contains more than one ${name === "element" ? "element" : "matching element"}`);
  return { found: values.length === 1, value: values[0] };
};

function numbers(self: unknown, selector: unknown, frame: Frame): number[] {
  const values = items(self, frame);
  const mapped = typeof selector === "function" ? values.map((v) => (selector as Lambda)(v)) : values;
  return mapped.filter((v) => v !== null) as number[];
}

const numericResult = (t: Type, args: readonly Type[]): Type => {
  const source = args[0] ? lambdaResult(args[0]) : elementOf(t);
  return NUMERIC_DEFS.has(source.def) ? source : source.def === ENUMERABLE_DEF ? INT : source;
};

/** Sorts by a key, stably; `descending` reverses the key order only. */
function orderBy(values: readonly unknown[], key: Lambda | undefined, descending: boolean): unknown[] {
  const keyed = values.map((value, index) => ({ value, index, key: key ? key(value) : value }));
  keyed.sort((a, b) => (descending ? compareValues(b.key, a.key) : compareValues(a.key, b.key)) || a.index - b.index);
  return keyed.map((k) => k.value);
}

/** Distinct by C# Equals, in first-seen order. */
function distinct(values: readonly unknown[]): unknown[] {
  const seen = new Set<unknown>();
  return values.filter((v) => {
    const key = csKey(v);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const GROUPING_DEF = defineType("IGrouping", { clrName: "System.Linq.IGrouping`2", arity: 2 });
GROUPING_DEF.element = (t) => t.args[1] ?? OBJECT;

class Grouping extends CsValue {
  constructor(
    readonly key: unknown,
    readonly values: unknown[],
    private readonly type: Type,
  ) {
    super();
  }
  csType(): Type {
    return this.type;
  }
}
GROUPING_DEF.members.set(
  "Key",
  property<Grouping>(
    (t) => t.args[0] ?? OBJECT,
    (g) => g.key,
  ),
);
GROUPING_DEF.test = (v) => v instanceof Grouping;

enumerable((v) => (v instanceof Grouping ? v.values : undefined));

const sequence = (t: Type): Type => enumerableOf(elementOf(t));

/** SkipWhile and TakeWhile: `part` of the elements split at the first that fails the predicate (or at the end). */
const whilePredicate = (part: (values: readonly unknown[], index: number) => unknown[]) =>
  method({
    params: ["predicate"],
    lambda: overElement,
    returns: sequence,
    invoke: (self, [predicate], frame) => {
      const values = items(self, frame);
      const index = values.findIndex((v) => !test(predicate)(v));
      return part(values, index < 0 ? values.length : index);
    },
  });
const projected = (_t: Type, args: readonly Type[]): Type => enumerableOf(lambdaResult(args[0]));

addMembers(ENUMERABLE_MEMBERS, {
  Any: method({
    params: ["predicate"],
    min: 0,
    lambda: overElement,
    returns: BOOL,
    invoke: (self, [predicate], frame) => {
      const values = items(self, frame);
      return predicate === undefined ? values.length > 0 : values.some((v) => test(predicate)(v));
    },
  }),
  All: method({
    params: ["predicate"],
    lambda: overElement,
    returns: BOOL,
    invoke: (self, [predicate], frame) => items(self, frame).every((v) => test(predicate)(v)),
  }),
  Count: method({
    params: ["predicate"],
    min: 0,
    lambda: overElement,
    returns: INT,
    invoke: (self, [predicate], frame) => {
      const values = items(self, frame);
      return predicate === undefined ? values.length : values.filter((v) => test(predicate)(v)).length;
    },
  }),
  LongCount: method({ returns: LONG, invoke: (self, _a, frame) => items(self, frame).length }),
  First: finder({ pick: first, orDefault: false }),
  FirstOrDefault: finder({ pick: first, orDefault: true }),
  Last: finder({ pick: last, orDefault: false }),
  LastOrDefault: finder({ pick: last, orDefault: true }),
  Single: finder({ pick: single("element"), orDefault: false }),
  SingleOrDefault: finder({ pick: single("element"), orDefault: true }),
  Where: method({
    params: ["predicate"],
    lambda: overElement,
    returns: sequence,
    invoke: (self, [predicate], frame) => items(self, frame).filter((v) => test(predicate)(v)),
  }),
  Select: method({
    params: ["selector"],
    lambda: overElement,
    returns: projected,
    invoke: (self, [selector], frame) => items(self, frame).map((v) => (selector as Lambda)(v)),
  }),
  SelectMany: method({
    params: ["selector"],
    lambda: overElement,
    returns: (_t, args) => enumerableOf(elementType(lambdaResult(args[0])) ?? OBJECT),
    invoke: (self, [selector], frame) => {
      const out: unknown[] = [];
      for (const v of items(self, frame)) {
        const inner = (selector as Lambda)(v);
        if (inner === null) throw argumentNull("source");
        const values = elementsOf(inner) ?? [];
        frame.charge(values.length);
        checkedLength(out.length + values.length);
        out.push(...values);
      }
      return out;
    },
  }),
  Contains: method({
    params: ["value", "comparer"],
    min: 1,
    returns: BOOL,
    invoke: (self, [value, comparer], frame) => {
      const values = items(self, frame);
      const ignoreCase =
        comparer instanceof CsValue && (comparer as unknown as { ignoreCase?: boolean }).ignoreCase === true;
      if (ignoreCase && typeof value === "string") {
        const lower = value.toLowerCase();
        return values.some((v) => typeof v === "string" && v.toLowerCase() === lower);
      }
      return values.some((v) => csEquals(v, value ?? null));
    },
  }),
  ToArray: method({ returns: (t) => arrayOf(elementOf(t)), invoke: (self, _a, frame) => [...items(self, frame)] }),
  ToList: method({
    returns: (t) => typeOf(LIST_DEF, elementOf(t)),
    invoke: (self, _a, frame) => new ListValue([...items(self, frame)], typeOf(LIST_DEF, OBJECT)),
    specialize: (t) => (self, _a, frame) => new ListValue([...items(self, frame)], typeOf(LIST_DEF, elementOf(t))),
  }),
  ToHashSet: method({
    returns: (t) => typeOf(HASH_SET_DEF, elementOf(t)),
    invoke: (self, _a, frame) => {
      const set = new SetValue(typeOf(HASH_SET_DEF, OBJECT), false);
      for (const v of items(self, frame)) set.add(v);
      return set;
    },
  }),
  ToDictionary: method({
    params: ["keySelector", "elementSelector"],
    min: 1,
    lambda: (receiver) => [elementOf(receiver)],
    returns: (t, args) => typeOf(DICTIONARY_DEF, lambdaResult(args[0]), args[1] ? lambdaResult(args[1]) : elementOf(t)),
    invoke: (self, [key, value], frame) => {
      const dictionary = new MapDictionary(typeOf(DICTIONARY_DEF, OBJECT, OBJECT), true);
      for (const v of items(self, frame)) {
        const k = (key as Lambda)(v);
        if (dictionary.has(k)) throw invalidOperation(`An item with the same key has already been added.`);
        dictionary.set(k, value ? (value as Lambda)(v) : v);
      }
      return dictionary;
    },
  }),
  OrderBy: method({
    params: ["keySelector"],
    lambda: overElement,
    returns: sequence,
    invoke: (self, [key], frame) => orderBy(items(self, frame), key as Lambda, false),
  }),
  OrderByDescending: method({
    params: ["keySelector"],
    lambda: overElement,
    returns: sequence,
    invoke: (self, [key], frame) => orderBy(items(self, frame), key as Lambda, true),
  }),
  Reverse: method({ returns: sequence, invoke: (self, _a, frame) => [...items(self, frame)].reverse() }),
  Skip: method({
    params: ["count"],
    returns: sequence,
    invoke: (self, [n], frame) => items(self, frame).slice(Math.max(0, n as number)),
  }),
  Take: method({
    params: ["count"],
    returns: sequence,
    invoke: (self, [n], frame) => items(self, frame).slice(0, Math.max(0, n as number)),
  }),
  SkipWhile: whilePredicate((values, index) => values.slice(index)),
  TakeWhile: whilePredicate((values, index) => values.slice(0, index)),
  Distinct: method({ returns: sequence, invoke: (self, _a, frame) => distinct(items(self, frame)) }),
  Sum: method({
    params: ["selector"],
    min: 0,
    lambda: overElement,
    returns: numericResult,
    invoke: (self, [selector], frame) => numbers(self, selector, frame).reduce((a, b) => a + b, 0),
  }),
  Average: method({
    params: ["selector"],
    min: 0,
    lambda: overElement,
    returns: DOUBLE,
    invoke: (self, [selector], frame) => {
      const values = numbers(self, selector, frame);
      if (values.length === 0) throw noElements();
      return values.reduce((a, b) => a + b, 0) / values.length;
    },
  }),
  Min: extremum(-1),
  Max: extremum(1),
  Concat: method({
    params: ["second"],
    returns: sequence,
    invoke: (self, [second], frame) => [...items(self, frame), ...items(second, frame)],
  }),
  Union: method({
    params: ["second"],
    returns: sequence,
    invoke: (self, [second], frame) => distinct([...items(self, frame), ...items(second, frame)]),
  }),
  Intersect: method({
    params: ["second"],
    returns: sequence,
    invoke: (self, [second], frame) => {
      const other = new Set(items(second, frame).map(csKey));
      return distinct(items(self, frame).filter((v) => other.has(csKey(v))));
    },
  }),
  Except: method({
    params: ["second"],
    returns: sequence,
    invoke: (self, [second], frame) => {
      const other = new Set(items(second, frame).map(csKey));
      return distinct(items(self, frame).filter((v) => !other.has(csKey(v))));
    },
  }),
  Aggregate: method({
    params: ["seed", "func"],
    min: 1,
    lambda: (t, index, before) =>
      index === 0 ? [elementOf(t), elementOf(t)] : index === 1 ? [before[0] ?? OBJECT, elementOf(t)] : undefined,
    returns: (t, args) => (args.length === 1 ? elementOf(t) : (args[0] ?? OBJECT)),
    invoke: (self, args, frame) => {
      const values = items(self, frame);
      if (args.length === 1) {
        if (values.length === 0) throw noElements();
        return values.slice(1).reduce((acc, v) => (args[0] as Lambda)(acc, v), values[0]);
      }
      return values.reduce((acc, v) => (args[1] as Lambda)(acc, v), args[0]);
    },
  }),
  SequenceEqual: method({
    params: ["second"],
    returns: BOOL,
    invoke: (self, [second], frame) => {
      const a = items(self, frame);
      const b = items(second, frame);
      return a.length === b.length && a.every((v, i) => csEquals(v, b[i]));
    },
  }),
  ElementAt: method({
    params: ["index"],
    returns: (t) => elementOf(t),
    invoke: (self, [index], frame) => {
      const values = items(self, frame);
      const i = index as number;
      if (i < 0 || i >= values.length)
        throw argumentOutOfRange(
          "index",
          "Index was out of range. Must be non-negative and less than the size of the collection.",
        );
      return values[i];
    },
  }),
  ElementAtOrDefault: method({
    params: ["index"],
    returns: (t) => elementOf(t),
    invoke: (self, [index], frame) => items(self, frame)[index as number] ?? null,
  }),
  DefaultIfEmpty: method({
    params: ["defaultValue"],
    min: 0,
    returns: sequence,
    invoke: (self, [fallback], frame) => {
      const values = items(self, frame);
      return values.length > 0 ? [...values] : [fallback ?? null];
    },
  }),
  GroupBy: method({
    params: ["keySelector"],
    lambda: overElement,
    returns: (t, args) => enumerableOf(typeOf(GROUPING_DEF, lambdaResult(args[0]), elementOf(t))),
    invoke: (self, [key], frame) => {
      const groups = new Map<unknown, Grouping>();
      for (const v of items(self, frame)) {
        const k = (key as Lambda)(v);
        const hash = csKey(k);
        let group = groups.get(hash);
        if (!group) {
          group = new Grouping(k, [], typeOf(GROUPING_DEF, OBJECT, OBJECT));
          groups.set(hash, group);
        }
        group.values.push(v);
      }
      return [...groups.values()];
    },
  }),
  Cast: method({
    typeArgs: [1],
    returns: (_t, _a, [target]) => enumerableOf(target ?? OBJECT),
    invoke: (self, _a, frame, [target]) => items(self, frame).map(castFunction(OBJECT, target ?? OBJECT)),
  }),
  OfType: method({
    typeArgs: [1],
    returns: (_t, _a, [target]) => enumerableOf(target ?? OBJECT),
    invoke: (self, _a, frame, [target]) => items(self, frame).filter((v) => isInstance(v, target ?? OBJECT)),
  }),
  AsEnumerable: method({ returns: sequence, invoke: (self, _a, frame) => [...items(self, frame)] }),
});

function extremum(sign: number): MethodSpec {
  return method({
    params: ["selector"],
    min: 0,
    lambda: overElement,
    returns: (t, args) => (args[0] ? lambdaResult(args[0]) : elementOf(t)),
    invoke: (self, [selector], frame) => {
      const values = items(self, frame);
      const mapped = (typeof selector === "function" ? values.map((v) => (selector as Lambda)(v)) : values).filter(
        (v) => v !== null,
      );
      if (mapped.length === 0) {
        if (values.length === 0) throw noElements();
        return null;
      }
      return mapped.reduce((best, v) => (compareValues(v, best) * sign > 0 ? v : best));
    },
  });
}

// Enumerable's static methods.
const ENUMERABLE_STATIC_DEF = libraryType("System.Linq.Enumerable", { isStatic: true });
addMembers(ENUMERABLE_STATIC_DEF.statics, {
  Range: method({
    params: ["start", "count"],
    returns: enumerableOf(INT),
    invoke: (_s, [start, count], frame) => {
      const n = count as number;
      if (n < 0) throw argumentOutOfRange("count");
      checkedLength(n);
      frame.charge(n);
      return Array.from({ length: n }, (_, i) => (start as number) + i);
    },
  }),
  Repeat: method({
    params: ["element", "count"],
    returns: (_t, args) => enumerableOf(args[0] ?? OBJECT),
    invoke: (_s, [value, count], frame) => {
      const n = count as number;
      if (n < 0) throw argumentOutOfRange("count");
      checkedLength(n);
      frame.charge(n);
      return new Array<unknown>(n).fill(value);
    },
  }),
  Empty: method({ typeArgs: [1], returns: (_t, _a, [t]) => enumerableOf(t ?? OBJECT), invoke: () => [] }),
});
