/** Members of JToken, JObject, JArray, JProperty and JValue, and JsonConvert's Serialize/Deserialize. */
import { castFunction } from "../casts.js";
import type { JToken } from "../json.js";
import {
  JARRAY,
  JARRAY_DEF,
  JCONTAINER_DEF,
  JOBJECT,
  JOBJECT_DEF,
  JProperty,
  JPROPERTY,
  JPROPERTY_DEF,
  JSON_NULL,
  JTOKEN,
  JTOKEN_DEF,
  JVALUE,
  JVALUE_DEF,
  JArray,
  JObject,
  JValue,
  JsonReaderError,
  TOKEN_TYPES,
  deepEquals,
  parseJson,
  removeToken,
  selectToken,
  toToken,
  tokenFrom,
  writeJson,
} from "../json.js";
import {
  argumentError,
  argumentNull,
  argumentOutOfRange,
  invalidCast,
  invalidOperation,
  type Frame,
} from "../runtime.js";
import { addMembers, libraryType, method, property } from "../members.js";
import {
  ARRAY_DEF,
  BOOL,
  INT,
  OBJECT,
  STRING,
  STRING_DEF,
  VOID,
  argOf,
  clrTypeName,
  derivesFrom,
  enumerableOf,
  pairOf,
  typeOf,
  type MethodSpec,
  type Type,
} from "../types.js";
import {
  DictionaryValue,
  EnumValue,
  KeyValuePairValue,
  ListValue,
  csString,
  defineEnum,
  elementsOf,
  enumerable,
  typeOfValue,
} from "../values.js";
import { DICTIONARY_DEF, LIST_DEF, MapDictionary, READONLY_DICTIONARY_DEF, SetValue } from "./collections.js";
import { ignoresCase } from "./core.js";

defineEnum("Formatting", "Newtonsoft.Json.Formatting", { None: 0, Indented: 1 });
const TOKEN_TYPE_DEF = defineEnum(
  "JTokenType",
  "Newtonsoft.Json.Linq.JTokenType",
  Object.fromEntries(TOKEN_TYPES.map((name, i) => [name, i])),
);
const TOKEN_TYPE = typeOf(TOKEN_TYPE_DEF);

const indented = (formatting: unknown): boolean => !(formatting instanceof EnumValue && formatting.value === 0);

// Enumeration: a JObject yields its properties as KeyValuePair<string, JToken>, a JArray its items.
const PAIR = pairOf(STRING, JTOKEN);
JOBJECT_DEF.element = () => PAIR;
JARRAY_DEF.element = () => JTOKEN;
JTOKEN_DEF.element = () => JTOKEN;
enumerable((v) => {
  if (v instanceof JObject) return [...v.properties.values()].map((p) => new KeyValuePairValue(p.name, p.value, PAIR));
  if (v instanceof JArray) return v.items;
  if (v instanceof JProperty) return [v.value];
  if (v instanceof JValue) return [];
  return undefined;
});

/** A token's children as JToken.Children() gives them (properties for an object). */
function children(token: JToken): JToken[] {
  if (token instanceof JObject) return [...token.properties.values()];
  if (token instanceof JArray) return [...token.items];
  if (token instanceof JProperty) return [token.value];
  return [];
}

/** Collections and dictionaries become JSON arrays and objects (JToken.FromObject, SerializeObject). */
tokenFrom((value) => {
  if (value instanceof DictionaryValue) {
    const object = new JObject();
    for (const key of value.keys()) object.set(csString(key), toToken(value.get(key)));
    return object;
  }
  if (value instanceof ListValue || value instanceof SetValue) {
    const array = new JArray();
    for (const item of elementsOf(value) ?? []) array.add(toToken(item));
    return array;
  }
  return undefined;
});

/** The indexer: a JObject by name, a JArray by position; other tokens have no children. */
function child(token: JToken, key: unknown): JToken | null {
  if (token instanceof JObject) {
    if (typeof key !== "string")
      throw argumentError(
        `Accessed JObject values with invalid key value: ${csString(key)}. Object property name expected.`,
      );
    return token.get(key);
  }
  if (token instanceof JArray) {
    if (typeof key !== "number")
      throw argumentError(
        `Accessed JArray values with invalid key value: "${csString(key)}". Int32 array index expected.`,
      );
    if (key < 0 || key >= token.items.length)
      throw argumentOutOfRange(
        "index",
        "Index was out of range. Must be non-negative and less than the size of the collection.",
      );
    return token.items[key] as JToken;
  }
  if (token instanceof JProperty)
    throw invalidOperation(`Cannot access child value on Newtonsoft.Json.Linq.JProperty.`);
  throw invalidOperation(`Cannot access child value on Newtonsoft.Json.Linq.JValue.`);
}

function setChild(token: JToken, key: unknown, value: unknown): void {
  const item = toToken(value);
  if (token instanceof JObject) {
    if (typeof key !== "string")
      throw argumentError(
        `Set JObject values with invalid key value: ${csString(key)}. Object property name expected.`,
      );
    token.set(key, item);
  } else if (token instanceof JArray) {
    const index = key as number;
    if (typeof key !== "number" || index < 0 || index >= token.items.length) throw argumentOutOfRange("index");
    token.removeAt(index);
    token.insert(index, item);
  } else {
    throw invalidOperation(`Cannot set child value on ${clrTypeName(token.csType())}.`);
  }
}

const indexer = {
  type: () => JTOKEN,
  get: (self: unknown, [key]: readonly unknown[]) => child(self as JToken, key),
  set: (self: unknown, [key]: readonly unknown[], value: unknown) => setChild(self as JToken, key, value),
};
JTOKEN_DEF.indexer = indexer;

/** A token converted to T as Value<T>/ToObject<T> do (a missing token is default(T)). */
function convert(token: JToken | null, type: Type | undefined): unknown {
  const target = type ?? OBJECT;
  if (derivesFrom(target.def, JTOKEN_DEF)) {
    if (token === null || target.def.test?.(token)) return token;
    throw invalidCast(clrTypeName(token.csType()), clrTypeName(target));
  }
  if (token === null) return castFunction(OBJECT, target)(null);
  if (target.def === OBJECT.def) return token instanceof JValue ? token.value : token;
  // Collections deserialise element by element (ToObject<string[]>, DeserializeObject<Dictionary<string, int>>).
  if (token instanceof JArray && (target.def === ARRAY_DEF || target.def === LIST_DEF)) {
    const items = token.items.map((item) => convert(item, argOf(target, 0)));
    return target.def === LIST_DEF ? new ListValue(items, target) : items;
  }
  if (token instanceof JObject && (target.def === DICTIONARY_DEF || target.def === READONLY_DICTIONARY_DEF)) {
    const dictionary = new MapDictionary(typeOf(DICTIONARY_DEF, STRING, argOf(target, 1)), true);
    for (const [name, property] of token.properties) dictionary.set(name, convert(property.value, argOf(target, 1)));
    return dictionary;
  }
  if (
    (token instanceof JObject || token instanceof JArray) &&
    (target.def === ARRAY_DEF || target.def === LIST_DEF || target.def === DICTIONARY_DEF)
  ) {
    throw new JsonReaderError(
      `Cannot deserialize the current JSON ${token.tokenType.toLowerCase()} into type '${clrTypeName(target)}'.`,
    );
  }
  return castFunction(JTOKEN, target)(token);
}

const token = (self: unknown) => self as JToken;

addMembers(JTOKEN_DEF.members, {
  Type: property(
    TOKEN_TYPE,
    (t) =>
      new EnumValue(TOKEN_TYPE_DEF, TOKEN_TYPES.indexOf(token(t).tokenType), TOKEN_TYPE_DEF.enumNames ?? new Map()),
  ),
  Parent: property(JTOKEN, (t) => token(t).parent),
  Root: property(JTOKEN, (t) => {
    let root = token(t);
    while (root.parent) root = root.parent;
    return root;
  }),
  Path: property(STRING, (t) => token(t).path()),
  HasValues: property(BOOL, (t) => children(token(t)).length > 0),
  First: property(JTOKEN, (t) => children(token(t))[0] ?? null),
  Last: property(JTOKEN, (t) => children(token(t)).at(-1) ?? null),
  Next: property(JTOKEN, (t) => sibling(token(t), 1)),
  Previous: property(JTOKEN, (t) => sibling(token(t), -1)),
  Value: method({
    params: ["key"],
    min: 0,
    typeArgs: [1],
    returns: (_t, _a, [type]) => type ?? OBJECT,
    invoke: (t, args, _f, [type]) => convert(args.length === 0 ? token(t) : child(token(t), args[0]), type),
  }),
  Values: method({
    params: ["key"],
    min: 0,
    typeArgs: [0, 1],
    returns: (_t, _a, [type]) => enumerableOf(type ?? JTOKEN),
    invoke: (t, _a, _f, [type]) =>
      children(token(t))
        .map((c) => (c instanceof JProperty ? c.value : c))
        .map((c) => (type ? convert(c, type) : c)),
  }),
  ToObject: method({
    typeArgs: [1],
    returns: (_t, _a, [type]) => type ?? OBJECT,
    invoke: (t, _a, _f, [type]) => convert(token(t), type),
  }),
  Children: method({ returns: enumerableOf(JTOKEN), invoke: (t) => children(token(t)) }),
  SelectToken: method({
    params: ["path", "errorWhenNoMatch"],
    min: 1,
    returns: JTOKEN,
    invoke: (t, [path, error]) => selectToken(token(t), path as string, error === true),
  }),
  ToString: method({
    params: ["formatting", "converters"],
    min: 0,
    max: Infinity,
    returns: STRING,
    invoke: (t, [formatting]) => {
      const self = token(t);
      return self instanceof JValue && formatting === undefined
        ? self.csToString()
        : writeJson(self, indented(formatting));
    },
  }),
  DeepClone: method({ returns: (t) => t, invoke: (t) => token(t).clone() }),
  Remove: method({ returns: VOID, invoke: (t) => removeToken(token(t)) }),
  Replace: method({
    params: ["value"],
    returns: VOID,
    invoke: (t, [value]) => {
      const self = token(t);
      const parent = self.parent;
      if (parent instanceof JProperty) parent.value = toToken(value);
      else if (parent instanceof JArray) {
        const index = parent.items.indexOf(self);
        parent.removeAt(index);
        parent.insert(index, toToken(value));
      } else throw invalidOperation("The parent is missing.");
    },
  }),
});
JCONTAINER_DEF.members.set(
  "Count",
  property(INT, (t) => children(token(t)).length),
);

function sibling(t: JToken, step: number): JToken | null {
  const parent = t.parent;
  const list =
    parent instanceof JArray
      ? parent.items
      : parent instanceof JProperty && parent.parent instanceof JObject
        ? children(parent.parent)
        : [];
  const self = parent instanceof JProperty ? parent : t;
  const index = list.indexOf(self);
  return index < 0 ? null : (list[index + step] ?? null);
}

const statics = (type: Type, expected: string) => ({
  Parse: method({
    params: ["json", "settings"],
    min: 1,
    returns: type,
    invoke: (_s, [text]) => {
      if (text === null) throw argumentNull("json");
      const parsed = parseJson(text as string);
      if (expected !== "Token" && parsed.tokenType !== expected) {
        throw argumentError(
          `Error reading J${expected} from JsonReader. Current JsonReader item is not an ${expected === "Object" ? "object" : "array"}: Start${parsed.tokenType}.`,
        );
      }
      return parsed;
    },
  }),
  FromObject: method({ params: ["o"], returns: type, invoke: (_s, [value]) => toToken(value) }),
  DeepEquals: method({
    params: ["t1", "t2"],
    returns: BOOL,
    invoke: (_s, [a, b]) => deepEquals(a as JToken | null, b as JToken | null),
  }),
});
addMembers(JTOKEN_DEF.statics, statics(JTOKEN, "Token"));
addMembers(JOBJECT_DEF.statics, statics(JOBJECT, "Object"));
addMembers(JARRAY_DEF.statics, statics(JARRAY, "Array"));

/** `new JObject(content…)`, `new JArray(content…)`: a container given each item `contentOf` finds in the arguments. */
function containerConstructor<C extends JToken>(
  type: Type,
  create: () => C,
  contentOf: (args: readonly unknown[]) => readonly unknown[],
  add: (container: C, item: unknown) => void,
): MethodSpec {
  return method({
    params: ["content"],
    min: 0,
    max: Infinity,
    returns: type,
    invoke: (_s, args, frame: Frame) => {
      const created = create();
      const content = contentOf(args);
      frame.charge(content.length);
      for (const item of content) add(created, item);
      return created;
    },
  });
}

// JObject
const object = (self: unknown) => self as JObject;
/** The first property whose name is `name` but for case. */
const propertyIgnoringCase = (o: JObject, name: string): JProperty | undefined => {
  const lower = name.toLowerCase();
  return [...o.properties.values()].find((p) => p.name.toLowerCase() === lower);
};
JOBJECT_DEF.indexer = indexer;
JOBJECT_DEF.create = containerConstructor(
  JOBJECT,
  () => new JObject(),
  (args) =>
    args.length === 1 && args[0] instanceof JObject
      ? [...args[0].properties.values()]
      : args.flatMap((a) => (Array.isArray(a) ? a : [a])),
  (created, item) => {
    if (item instanceof JProperty) created.add(item);
    else if (item !== null)
      throw argumentError(`Can not add ${clrTypeName(typeOfValue(item))} to Newtonsoft.Json.Linq.JObject.`);
  },
);
addMembers(JOBJECT_DEF.members, {
  Properties: method({ returns: enumerableOf(JPROPERTY), invoke: (o) => [...object(o).properties.values()] }),
  Property: method({
    params: ["name", "comparison"],
    min: 1,
    returns: JPROPERTY,
    invoke: (o, [name, comparison]) =>
      (ignoresCase(comparison)
        ? propertyIgnoringCase(object(o), name as string)
        : object(o).properties.get(name as string)) ?? null,
  }),
  GetValue: method({
    params: ["propertyName", "comparison"],
    min: 1,
    returns: JTOKEN,
    invoke: (o, [name, comparison]) => {
      const exact = object(o).get(name as string);
      if (exact !== null || !ignoresCase(comparison)) return exact;
      return propertyIgnoringCase(object(o), name as string)?.value ?? null;
    },
  }),
  Add: method({
    params: ["propertyName", "value"],
    min: 1,
    returns: VOID,
    invoke: (o, args) => {
      const self = object(o);
      if (args.length === 1) {
        if (!(args[0] instanceof JProperty))
          throw argumentError(`Can not add ${clrTypeName(typeOfValue(args[0]))} to Newtonsoft.Json.Linq.JObject.`);
        self.add(args[0]);
      } else {
        self.add(new JProperty(args[0] as string, toToken(args[1])));
      }
    },
  }),
  Remove: method({
    params: ["propertyName"],
    min: 0,
    returns: (_t, args) => (args.length === 0 ? VOID : BOOL),
    invoke: (o, args) => (args.length === 0 ? removeToken(object(o)) : object(o).remove(args[0] as string)),
  }),
  ContainsKey: method({
    params: ["propertyName"],
    returns: BOOL,
    invoke: (o, [name]) => object(o).properties.has(name as string),
  }),
  TryGetValue: method({
    params: ["propertyName", "value"],
    out: (_t, index) => (index === 1 ? JTOKEN : undefined),
    returns: BOOL,
    invoke: (o, [name, out]) => {
      const value = object(o).get(name as string);
      (out as { set(v: unknown): void }).set(value);
      return value !== null;
    },
  }),
  Count: property(INT, (o) => object(o).properties.size),
  Merge: method({
    params: ["content", "settings"],
    min: 1,
    returns: VOID,
    invoke: (o, [content]) => {
      if (!(content instanceof JObject)) return;
      merge(object(o), content);
    },
  }),
});

/** JObject.Merge with default settings: objects merge recursively, arrays concatenate, other values replace. */
function merge(into: JObject, from: JObject): void {
  for (const [name, property] of from.properties) {
    const existing = into.get(name);
    const incoming = property.value;
    if (existing instanceof JObject && incoming instanceof JObject) merge(existing, incoming);
    else if (existing instanceof JArray && incoming instanceof JArray)
      for (const item of incoming.items) existing.add(item.clone());
    else if (!(incoming instanceof JValue && incoming.tokenType === "Null" && existing !== null))
      into.set(name, incoming.clone());
  }
}

// JArray
const array = (self: unknown) => self as JArray;
JARRAY_DEF.indexer = indexer;
JARRAY_DEF.create = containerConstructor(
  JARRAY,
  () => new JArray(),
  (args) =>
    args.length === 1 && args[0] !== null && typeof args[0] !== "string" ? (elementsOf(args[0]) ?? args) : args,
  (created, item) => created.add(toToken(item)),
);
addMembers(JARRAY_DEF.members, {
  Count: property(INT, (a) => array(a).items.length),
  Add: method({ params: ["item"], returns: VOID, invoke: (a, [item]) => array(a).add(toToken(item)) }),
  Insert: method({
    params: ["index", "item"],
    returns: VOID,
    invoke: (a, [index, item]) => {
      const self = array(a);
      if ((index as number) < 0 || (index as number) > self.items.length) throw argumentOutOfRange("index");
      self.insert(index as number, toToken(item));
    },
  }),
  RemoveAt: method({
    params: ["index"],
    returns: VOID,
    invoke: (a, [index]) => {
      const self = array(a);
      if ((index as number) < 0 || (index as number) >= self.items.length) throw argumentOutOfRange("index");
      self.removeAt(index as number);
    },
  }),
  Remove: method({
    params: ["item"],
    min: 0,
    returns: (_t, args) => (args.length === 0 ? VOID : BOOL),
    invoke: (a, args) => {
      const self = array(a);
      if (args.length === 0) return removeToken(self);
      const index = self.items.indexOf(args[0] as JToken);
      if (index < 0) return false;
      self.removeAt(index);
      return true;
    },
  }),
  Clear: method({
    returns: VOID,
    invoke: (a) =>
      void array(a)
        .items.splice(0)
        .forEach((t) => (t.parent = null)),
  }),
  IndexOf: method({ params: ["item"], returns: INT, invoke: (a, [item]) => array(a).items.indexOf(item as JToken) }),
});

// JProperty
JPROPERTY_DEF.create = method({
  params: ["name", "content"],
  returns: JPROPERTY,
  invoke: (_s, [name, content]) => {
    if (name === null) throw argumentNull("name");
    return new JProperty(name as string, toToken(content));
  },
});
addMembers(JPROPERTY_DEF.members, {
  Name: property(STRING, (p) => (p as JProperty).name),
  Value: property(JTOKEN, (p) => (p as JProperty).value),
});

// JValue
JVALUE_DEF.create = method({ params: ["value"], returns: JVALUE, invoke: (_s, [value]) => toToken(value) });
JVALUE_DEF.members.set(
  "Value",
  property(OBJECT, (v) => (v as JValue).value),
);
addMembers(JVALUE_DEF.statics, {
  CreateNull: method({ returns: JVALUE, invoke: () => JSON_NULL() }),
  CreateString: method({
    params: ["value"],
    returns: JVALUE,
    invoke: (_s, [v]) => new JValue(v === null ? "Null" : "String", v),
  }),
});
JCONTAINER_DEF.indexer = indexer;

// JsonConvert
const JSON_CONVERT_DEF = libraryType("Newtonsoft.Json.JsonConvert", { isStatic: true });
addMembers(JSON_CONVERT_DEF.statics, {
  SerializeObject: method({
    params: ["value", "formatting", "settings"],
    min: 1,
    returns: STRING,
    invoke: (_s, [value, formatting]) =>
      writeJson(toToken(value ?? null), formatting instanceof EnumValue && formatting.value === 1),
  }),
  DeserializeObject: method({
    params: ["value", "settings"],
    min: 1,
    typeArgs: [0, 1],
    returns: (_t, _a, [type]) => type ?? OBJECT,
    invoke: (_s, [text], _f, [type]) => {
      if (text === null) throw argumentNull("value");
      const parsed = parseJson(text as string);
      if (!type) return parsed;
      if (type.def === STRING_DEF && parsed instanceof JValue)
        return parsed.value === null ? null : csString(parsed.value);
      return convert(parsed, type);
    },
  }),
  ToString: method({
    params: ["value"],
    returns: STRING,
    invoke: (_s, [value]) => writeJson(toToken(value ?? null), false),
  }),
});
