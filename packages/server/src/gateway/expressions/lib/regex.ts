/**
 * System.Text.RegularExpressions over JavaScript's RegExp: .NET patterns are translated (inline options, `\A`/`\z`,
 * `(?'name')`, explicit capture), groups keep .NET's numbering (unnamed first, then named), and replacement strings
 * use .NET's `$1`/`${name}` syntax. Patterns are compiled once per pattern and options, in a bounded cache.
 */
import { argumentError, argumentNull, checkedLength, checkedString, type Frame } from "../runtime.js";
import {
  BOOL,
  INT,
  STRING,
  STRING_ARRAY,
  addMembers,
  defineType,
  method,
  property,
  registerType,
  typeOf,
  type Lambda,
  type MethodSpec,
  type Type,
} from "../types.js";
import { CsValue, EnumValue, defineEnum, enumerable } from "../values.js";

const REGEX_OPTIONS_DEF = defineEnum("RegexOptions", "System.Text.RegularExpressions.RegexOptions", {
  None: 0,
  IgnoreCase: 1,
  Multiline: 2,
  ExplicitCapture: 4,
  Compiled: 8,
  Singleline: 16,
  IgnorePatternWhitespace: 32,
  RightToLeft: 64,
  ECMAScript: 256,
  CultureInvariant: 512,
});
registerType(REGEX_OPTIONS_DEF, "RegexOptions");

const define = (name: string) =>
  registerType(
    defineType(name, { clrName: `System.Text.RegularExpressions.${name}` }),
    `System.Text.RegularExpressions.${name}`,
  );
const REGEX_DEF = define("Regex");
const MATCH_DEF = define("Match");
const GROUP_DEF = define("Group");
const MATCH_COLLECTION_DEF = define("MatchCollection");
const GROUP_COLLECTION_DEF = define("GroupCollection");
const REGEX = typeOf(REGEX_DEF);
const MATCH = typeOf(MATCH_DEF);
const GROUP = typeOf(GROUP_DEF);
const MATCH_COLLECTION = typeOf(MATCH_COLLECTION_DEF);
const GROUP_COLLECTION = typeOf(GROUP_COLLECTION_DEF);
MATCH_COLLECTION_DEF.element = () => MATCH;
GROUP_COLLECTION_DEF.element = () => GROUP;

interface GroupInfo {
  /** .NET group number → JS group number. */
  readonly jsIndex: readonly number[];
  /** .NET group number → name ("0", "1" … for unnamed). */
  readonly names: readonly string[];
}

/** A compiled .NET pattern. */
class RegexValue extends CsValue {
  /** The same pattern with match indices (`d`), compiled when a group's Index is first read: it is slower. */
  private indexed: RegExp | undefined;
  constructor(
    readonly pattern: string,
    readonly regex: RegExp,
    readonly groups: GroupInfo,
  ) {
    super();
  }
  /** The group positions of the match found at `at`. */
  indices(input: string, at: number): RegExpIndicesArray | undefined {
    this.indexed ??= new RegExp(this.regex.source, `${this.regex.flags}d`);
    this.indexed.lastIndex = at;
    return this.indexed.exec(input)?.indices;
  }
  csType(): Type {
    return REGEX;
  }
  override csToString(): string {
    return this.pattern;
  }
  /** The match at or after `start`, or undefined. */
  exec(input: string, start: number): RegExpExecArray | null {
    this.regex.lastIndex = start;
    return this.regex.exec(input);
  }
}

const CACHE_LIMIT = 256;
const cache = new Map<string, RegexValue>();

const parseError = (pattern: string, detail: string) =>
  argumentError(`Invalid pattern '${pattern}' at offset 0. ${detail}`);

/** Translates a .NET pattern to JavaScript and records its capture groups. */
function translate(pattern: string, options: number): { source: string; flags: string; groups: GroupInfo } {
  let flags = "g";
  let opts = options;
  let source = pattern;
  // Leading inline options: (?imsnx) — JavaScript has no inline modifiers.
  const inline = /^\(\?([imsnx]+)\)/.exec(source);
  if (inline) {
    for (const c of inline[1] as string) opts |= { i: 1, m: 2, n: 4, s: 16, x: 32 }[c] ?? 0;
    source = source.slice(inline[0].length);
  }
  if (opts & 1) flags += "i";
  if (opts & 2) flags += "m";
  if (opts & 16) flags += "s";
  if (opts & 64) throw parseError(pattern, "RegexOptions.RightToLeft is not supported in policy expressions.");
  const explicit = (opts & 4) !== 0;
  let out = "";
  const unnamed: number[] = [];
  const named: { name: string; js: number }[] = [];
  let js = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === "\\") {
      const next = source[i + 1] ?? "";
      i++;
      if (inClass) out += `\\${next}`;
      else if (next === "A") out += "(?<![\\s\\S])";
      else if (next === "z") out += "(?![\\s\\S])";
      else if (next === "Z") out += "(?=\\n?(?![\\s\\S]))";
      else if (next === "G") throw parseError(pattern, "\\G is not supported in policy expressions.");
      else out += `\\${next}`;
      continue;
    }
    if (opts & 32 && !inClass) {
      if (/\s/.test(c)) continue;
      if (c === "#") {
        while (i < source.length && source[i] !== "\n") i++;
        continue;
      }
    }
    if (inClass) {
      if (c === "]") inClass = false;
      if (c === "-" && source[i + 1] === "[")
        throw parseError(pattern, "Character class subtraction is not supported in policy expressions.");
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (source[i + 1] === "^") out += source[++i];
      if (source[i + 1] === "]") out += `\\${source[++i]}`;
      continue;
    }
    if (c === "(") {
      if (source[i + 1] !== "?") {
        if (explicit) {
          out += "(?:";
        } else {
          js++;
          unnamed.push(js);
          out += "(";
        }
        continue;
      }
      const rest = source.slice(i + 2);
      const name = /^(?:<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')/.exec(rest);
      if (name) {
        js++;
        named.push({ name: (name[1] ?? name[2]) as string, js });
        out += `(?<${name[1] ?? name[2]}>`;
        i += 1 + name[0].length;
        continue;
      }
      if (rest.startsWith(">"))
        throw parseError(pattern, "Atomic groups (?>…) are not supported in policy expressions.");
      if (/^[imsnx-]+[:)]/.test(rest))
        throw parseError(pattern, "Inline options inside a pattern are supported only at its start.");
      if (/^<[A-Za-z_]\w*-/.test(rest) || rest.startsWith("(")) {
        throw parseError(pattern, "Balancing groups and conditionals are not supported in policy expressions.");
      }
      out += "(?";
      i++;
      continue;
    }
    out += c;
  }
  // .NET numbers the unnamed groups first, then the named ones in order (a name used twice is one group).
  const jsIndex = [0, ...unnamed];
  const names = ["0", ...unnamed.map((_, k) => String(k + 1))];
  const seen = new Set<string>();
  for (const group of named) {
    if (seen.has(group.name))
      throw parseError(pattern, `The group name '${group.name}' is used twice, which JavaScript cannot match.`);
    seen.add(group.name);
    jsIndex.push(group.js);
    names.push(group.name);
  }
  return { source: out, flags, groups: { jsIndex, names } };
}

function compileRegex(pattern: unknown, options: unknown): RegexValue {
  if (pattern === null || pattern === undefined) throw argumentNull("pattern");
  const opts = options instanceof EnumValue ? options.value : 0;
  const key = `${opts}\u0000${pattern as string}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const { source, flags, groups } = translate(pattern as string, opts);
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (error) {
    throw parseError(pattern as string, (error as Error).message.replace(/^Invalid regular expression: /, ""));
  }
  const compiled = new RegexValue(pattern as string, regex, groups);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, compiled);
  return compiled;
}

class GroupValue extends CsValue {
  constructor(
    readonly name: string,
    readonly success: boolean,
    readonly value: string,
    /** The group's position, found when asked for. */
    readonly index: () => number,
  ) {
    super();
  }
  csType(): Type {
    return GROUP;
  }
  override csToString(): string {
    return this.value;
  }
}

class MatchValue extends CsValue {
  constructor(
    readonly regex: RegexValue,
    readonly input: string,
    readonly result: RegExpExecArray | null,
  ) {
    super();
  }
  csType(): Type {
    return MATCH;
  }
  override csToString(): string {
    return this.result?.[0] ?? "";
  }
  group(dotnet: number): GroupValue {
    const { jsIndex, names } = this.regex.groups;
    const js = jsIndex[dotnet];
    const name = names[dotnet] ?? String(dotnet);
    const value = js === undefined || !this.result ? undefined : this.result[js];
    return new GroupValue(name, value !== undefined, value ?? "", () =>
      js === undefined || !this.result ? 0 : (this.regex.indices(this.input, this.result.index)?.[js]?.[0] ?? 0),
    );
  }
  groups(): GroupValue[] {
    return this.regex.groups.jsIndex.map((_, i) => this.group(i));
  }
}

class GroupCollection extends CsValue {
  constructor(readonly match: MatchValue) {
    super();
  }
  csType(): Type {
    return GROUP_COLLECTION;
  }
}
class MatchCollection extends CsValue {
  constructor(readonly matches: MatchValue[]) {
    super();
  }
  csType(): Type {
    return MATCH_COLLECTION;
  }
}
enumerable((v) =>
  v instanceof MatchCollection ? v.matches : v instanceof GroupCollection ? v.match.groups() : undefined,
);
for (const [def, C] of [
  [REGEX_DEF, RegexValue],
  [MATCH_DEF, MatchValue],
  [GROUP_DEF, GroupValue],
  [MATCH_COLLECTION_DEF, MatchCollection],
  [GROUP_COLLECTION_DEF, GroupCollection],
] as const) {
  def.test = (v) => v instanceof C;
}

function match(regex: RegexValue, input: unknown, start = 0): MatchValue {
  if (input === null || input === undefined) throw argumentNull("input");
  const text = input as string;
  return new MatchValue(regex, text, regex.exec(text, start));
}

function matches(regex: RegexValue, input: unknown, frame: Frame): MatchCollection {
  const all: MatchValue[] = [];
  let m = match(regex, input);
  while (m.result) {
    frame.step();
    checkedLength(all.length + 1);
    all.push(m);
    const next = m.result.index + Math.max(m.result[0].length, 1);
    if (next > m.input.length) break;
    m = match(regex, m.input, next);
  }
  return new MatchCollection(all);
}

/** A .NET replacement pattern applied to one match: `$1`, `${name}`, `$0`/`$&`, `$$`, `` $` ``, `$'`. */
function expand(replacement: string, m: MatchValue): string {
  return replacement.replace(
    /\$(\$|&|`|'|\d+|\{([A-Za-z_]\w*|\d+)\})/g,
    (all, token: string, braced: string | undefined) => {
      const result = m.result as RegExpExecArray;
      if (token === "$") return "$";
      if (token === "&") return result[0];
      if (token === "`") return m.input.slice(0, result.index);
      if (token === "'") return m.input.slice(result.index + result[0].length);
      const key = braced ?? token;
      const { names } = m.regex.groups;
      const dotnet = /^\d+$/.test(key) ? Number(key) : names.indexOf(key);
      if (dotnet < 0 || dotnet >= names.length) return all;
      return m.group(dotnet).value;
    },
  );
}

function replace(regex: RegexValue, input: unknown, replacement: unknown, frame: Frame, count = -1): string {
  if (input === null || input === undefined) throw argumentNull("input");
  const text = input as string;
  let out = "";
  let last = 0;
  let done = 0;
  for (const m of matches(regex, text, frame).matches) {
    if (count >= 0 && done >= count) break;
    const result = m.result as RegExpExecArray;
    const value =
      typeof replacement === "function" ? String((replacement as Lambda)(m) ?? "") : expand(replacement as string, m);
    out = checkedString(out + text.slice(last, result.index) + value);
    last = result.index + result[0].length;
    done++;
  }
  return checkedString(out + text.slice(last));
}

function split(regex: RegexValue, input: unknown, frame: Frame): string[] {
  if (input === null || input === undefined) throw argumentNull("input");
  const text = input as string;
  const parts: string[] = [];
  let last = 0;
  for (const m of matches(regex, text, frame).matches) {
    const result = m.result as RegExpExecArray;
    parts.push(text.slice(last, result.index));
    // .NET includes captured groups in the result.
    for (const group of m.groups().slice(1)) if (group.success) parts.push(group.value);
    last = result.index + result[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

const evaluator = (_r: Type, index: number): readonly Type[] | undefined => (index === 2 ? [MATCH] : undefined);
const instanceEvaluator = (_r: Type, index: number): readonly Type[] | undefined => (index === 1 ? [MATCH] : undefined);

const staticCall = (
  returns: Type,
  run: (regex: RegexValue, args: readonly unknown[], frame: Frame) => unknown,
  params: string[],
  lambda?: MethodSpec["lambda"],
) =>
  method({
    params: [...params, "options"],
    min: params.length,
    max: params.length + 2,
    ...(lambda ? { lambda } : {}),
    returns,
    invoke: (_s, args, frame) => run(compileRegex(args[1], args[params.length]), args, frame),
  });

addMembers(REGEX_DEF.statics, {
  IsMatch: staticCall(BOOL, (r, [input]) => match(r, input).result !== null, ["input", "pattern"]),
  Match: staticCall(MATCH, (r, [input]) => match(r, input), ["input", "pattern"]),
  Matches: staticCall(MATCH_COLLECTION, (r, [input], f) => matches(r, input, f), ["input", "pattern"]),
  Replace: staticCall(
    STRING,
    (r, [input, , replacement], f) => replace(r, input, replacement, f),
    ["input", "pattern", "replacement"],
    evaluator,
  ),
  Split: staticCall(STRING_ARRAY, (r, [input], f) => split(r, input, f), ["input", "pattern"]),
  Escape: method({
    params: ["str"],
    returns: STRING,
    invoke: (_s, [text]) =>
      (text as string).replace(
        /[\\*+?|{[()^$.#\s]/g,
        (c) => ({ "\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f", " ": "\\ " })[c] ?? `\\${c}`,
      ),
  }),
  Unescape: method({
    params: ["str"],
    returns: STRING,
    invoke: (_s, [text]) => (text as string).replace(/\\(.)/g, "$1"),
  }),
});
REGEX_DEF.create = method({
  params: ["pattern", "options", "matchTimeout"],
  min: 1,
  returns: REGEX,
  invoke: (_s, [pattern, options]) => compileRegex(pattern, options),
});
const regexOf = (self: unknown) => self as RegexValue;
addMembers(REGEX_DEF.members, {
  IsMatch: method({
    params: ["input"],
    returns: BOOL,
    invoke: (r, [input]) => match(regexOf(r), input).result !== null,
  }),
  Match: method({
    params: ["input", "startat"],
    min: 1,
    returns: MATCH,
    invoke: (r, [input, start]) => match(regexOf(r), input, (start as number | undefined) ?? 0),
  }),
  Matches: method({
    params: ["input"],
    returns: MATCH_COLLECTION,
    invoke: (r, [input], f) => matches(regexOf(r), input, f),
  }),
  Replace: method({
    params: ["input", "replacement", "count"],
    min: 2,
    lambda: instanceEvaluator,
    returns: STRING,
    invoke: (r, [input, replacement, count], f) =>
      replace(regexOf(r), input, replacement, f, (count as number | undefined) ?? -1),
  }),
  Split: method({ params: ["input"], returns: STRING_ARRAY, invoke: (r, [input], f) => split(regexOf(r), input, f) }),
  GetGroupNames: method({ returns: STRING_ARRAY, invoke: (r) => [...regexOf(r).groups.names] }),
});

const matchOf = (self: unknown) => self as MatchValue;
const groupOf = (self: unknown) => self as GroupValue;
addMembers(MATCH_DEF.members, {
  Success: property(BOOL, (m) => matchOf(m).result !== null),
  Value: property(STRING, (m) => matchOf(m).result?.[0] ?? ""),
  Index: property(INT, (m) => matchOf(m).result?.index ?? 0),
  Length: property(INT, (m) => matchOf(m).result?.[0].length ?? 0),
  Name: property(STRING, () => "0"),
  Groups: property(GROUP_COLLECTION, (m) => new GroupCollection(matchOf(m))),
  NextMatch: method({
    returns: MATCH,
    invoke: (m) => {
      const current = matchOf(m);
      if (!current.result) return current;
      return match(current.regex, current.input, current.result.index + Math.max(current.result[0].length, 1));
    },
  }),
  Result: method({
    params: ["replacement"],
    returns: STRING,
    invoke: (m, [replacement]) => expand(replacement as string, matchOf(m)),
  }),
});
addMembers(GROUP_DEF.members, {
  Success: property(BOOL, (g) => groupOf(g).success),
  Value: property(STRING, (g) => groupOf(g).value),
  Index: property(INT, (g) => groupOf(g).index()),
  Length: property(INT, (g) => groupOf(g).value.length),
  Name: property(STRING, (g) => groupOf(g).name),
});
MATCH_COLLECTION_DEF.indexer = {
  type: () => MATCH,
  get: (self, [i]) => {
    const item = (self as MatchCollection).matches[i as number];
    if (!item) throw argumentError("Specified argument was out of the range of valid values. (Parameter 'i')");
    return item;
  },
};
MATCH_COLLECTION_DEF.members.set(
  "Count",
  property(INT, (c) => (c as MatchCollection).matches.length),
);
GROUP_COLLECTION_DEF.indexer = {
  type: () => GROUP,
  get: (self, [key]) => {
    const m = (self as GroupCollection).match;
    const { names } = m.regex.groups;
    const index = typeof key === "number" ? key : names.indexOf(key as string);
    // An unknown group is an unsuccessful empty group, never null (as in .NET).
    if (index < 0 || index >= names.length) return new GroupValue(String(key), false, "", () => 0);
    return m.group(index);
  },
};
addMembers(GROUP_COLLECTION_DEF.members, {
  Count: property(INT, (c) => (c as GroupCollection).match.regex.groups.names.length),
  Keys: property(STRING_ARRAY, (c) => [...(c as GroupCollection).match.regex.groups.names]),
});
