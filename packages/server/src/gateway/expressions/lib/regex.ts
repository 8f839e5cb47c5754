/**
 * System.Text.RegularExpressions on RE2 (re2js): every match runs in time linear in its input, so no pattern can
 * hang the gateway (regex-pattern.ts translates .NET syntax and refuses what needs backtracking). Groups keep .NET's
 * numbering (unnamed first, then named), and replacement strings use .NET's `$1`/`${name}` syntax. Patterns are
 * compiled once per pattern and options, in a bounded LRU cache that each static call site fronts with the regex it
 * used last; a literal pattern is compiled, or refused, when its document loads.
 */
import { RE2Set, type RE2JS } from "re2js";
import { ExpressionEvaluationError } from "../errors.js";
import {
  argumentError,
  argumentNull,
  argumentOutOfRange,
  checkedLength,
  checkedString,
  type Frame,
} from "../runtime.js";
import { addMembers, libraryType, method, property } from "../members.js";
import { BOOL, INT, STRING, STRING_ARRAY, typeOf, type Lambda, type MethodSpec, type Type } from "../types.js";
import { CsValue, EnumValue, defineEnum, enumerable } from "../values.js";
import { RegexOption, RegexSyntaxError, compilePattern, type CompiledPattern } from "./regex-pattern.js";

defineEnum("RegexOptions", "System.Text.RegularExpressions.RegexOptions", {
  None: 0,
  IgnoreCase: RegexOption.IgnoreCase,
  Multiline: RegexOption.Multiline,
  ExplicitCapture: RegexOption.ExplicitCapture,
  Compiled: 8,
  Singleline: RegexOption.Singleline,
  IgnorePatternWhitespace: RegexOption.IgnorePatternWhitespace,
  RightToLeft: RegexOption.RightToLeft,
  ECMAScript: 256,
  CultureInvariant: 512,
});

/** What re2js's lookbehinds saw of an input so far (its type is not exported by name). */
type LookbehindState = ReturnType<ReturnType<RE2JS["re2"]>["createLookbehindState"]>;

const define = (name: string) => libraryType(`System.Text.RegularExpressions.${name}`);
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

/** A compiled .NET pattern. */
class RegexValue extends CsValue {
  /** RE2 groups to report: the whole match and each capture. */
  private readonly groupCount: number;
  constructor(
    readonly pattern: string,
    readonly compiled: CompiledPattern,
  ) {
    super();
    this.groupCount = compiled.re2.groupCount() + 1;
  }
  csType(): Type {
    return REGEX;
  }
  override csToString(): string {
    return this.pattern;
  }
  /** Whether the pattern matches anywhere in `input`: without positions, RE2's fastest engine decides. */
  test(input: string): boolean {
    return this.compiled.re2.test(input);
  }
  /** State for successive searches of one input; null unless the pattern has lookbehinds. */
  lookbehindState(): LookbehindState | null {
    return this.compiled.re2.re2().createLookbehindState();
  }
  /**
   * The first match at or after `start`: each RE2 group's start and end (-1 when it took no part), or undefined.
   * `lookbehinds` carries what lookbehinds saw from a previous search of the same input, so walking all matches
   * reads the input once; without it each search would re-read the input from its beginning.
   */
  find(input: string, start: number, lookbehinds: LookbehindState | null): readonly number[] | undefined {
    // One pass that reports every group (a Matcher makes two), over the whole input so `^` and `\b` see context.
    const [found, bounds] = this.compiled.re2
      .re2()
      .matchWithGroup(input, start, input.length, RE2Set.UNANCHORED, this.groupCount, lookbehinds) as [
      boolean,
      number[] | null,
    ];
    return found && bounds ? bounds : undefined;
  }
}

const CACHE_LIMIT = 256;
/** Least recently used first: Map keeps insertion order, and a hit is moved to the end. */
const cache = new Map<string, RegexValue>();

const optionsOf = (options: unknown) => (options instanceof EnumValue ? options.value : 0);

/** A new compiled pattern; .NET's ArgumentException when the pattern is invalid. */
function newRegex(pattern: string, options: number): RegexValue {
  try {
    return new RegexValue(pattern, compilePattern(pattern, options));
  } catch (error) {
    if (!(error instanceof RegexSyntaxError)) throw error;
    throw argumentError(`Invalid pattern '${pattern}' at offset ${error.offset}. ${error.detail}`);
  }
}

function compileRegex(pattern: unknown, options: unknown): RegexValue {
  if (pattern === null || pattern === undefined) throw argumentNull("pattern");
  const opts = optionsOf(options);
  const key = `${opts}\u0000${pattern as string}`;
  const cached = cache.get(key);
  if (cached) {
    cache.delete(key);
    cache.set(key, cached);
    return cached;
  }
  const compiled = newRegex(pattern as string, opts);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, compiled);
  return compiled;
}

/** Computed options change how a pattern reads only through these two: every combination but none. */
const READING_OPTIONS = [
  RegexOption.IgnorePatternWhitespace,
  RegexOption.ExplicitCapture,
  RegexOption.IgnorePatternWhitespace | RegexOption.ExplicitCapture,
];

/**
 * Refuses a literal pattern that can never run, when its document loads, at the pattern's position. Known options
 * (none given) compile it into the cache; computed ones (`RegexOptions.IgnoreCase`) refuse it only when it fails
 * however they read it.
 */
function checkPattern(patternAt: number, optionsAt: number): NonNullable<MethodSpec["check"]> {
  const problem = (pattern: string, compile: () => unknown) => {
    try {
      compile();
      return undefined;
    } catch (error) {
      if (error instanceof ExpressionEvaluationError) return { message: error.message, argument: patternAt };
      throw error;
    }
  };
  return (_r, _args, _typeArgs, constants) => {
    const pattern = constants[patternAt]?.value;
    if (typeof pattern !== "string") return undefined;
    const options = optionsAt < constants.length ? constants[optionsAt] : { value: undefined };
    if (options) return problem(pattern, () => compileRegex(pattern, options.value));
    const first = problem(pattern, () => newRegex(pattern, 0));
    return first && READING_OPTIONS.every((opts) => problem(pattern, () => newRegex(pattern, opts)))
      ? first
      : undefined;
  };
}

class GroupValue extends CsValue {
  constructor(
    readonly name: string,
    readonly success: boolean,
    readonly value: string,
    readonly index: number,
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
    /** RegexValue.find's positions; undefined when nothing matched. */
    readonly bounds: readonly number[] | undefined,
    /** The lookbehind state of the search that found it, for NextMatch. */
    readonly lookbehinds: LookbehindState | null,
  ) {
    super();
  }
  csType(): Type {
    return MATCH;
  }
  get index(): number {
    return this.bounds?.[0] ?? 0;
  }
  get end(): number {
    return this.bounds?.[1] ?? 0;
  }
  get value(): string {
    return this.input.slice(this.index, this.end);
  }
  override csToString(): string {
    return this.value;
  }
  group(dotnet: number): GroupValue {
    const { names, captures } = this.regex.compiled;
    const name = names[dotnet] ?? String(dotnet);
    const bounds = this.bounds;
    let start = -1;
    let end = -1;
    // A name several groups share holds the capture that ended last, as .NET's last capture.
    if (bounds) {
      for (const g of captures[dotnet] ?? []) {
        const s = bounds[2 * g] as number;
        const e = bounds[2 * g + 1] as number;
        if (s >= 0 && e >= end) {
          start = s;
          end = e;
        }
      }
    }
    return start < 0
      ? new GroupValue(name, false, "", 0)
      : new GroupValue(name, true, this.input.slice(start, end), start);
  }
  groups(): GroupValue[] {
    return this.regex.compiled.names.map((_, i) => this.group(i));
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

function inputOf(input: unknown): string {
  if (input === null || input === undefined) throw argumentNull("input");
  return input as string;
}

function isMatch(regex: RegexValue, input: unknown): boolean {
  return regex.test(inputOf(input));
}

function match(regex: RegexValue, input: unknown, start = 0, lookbehinds = regex.lookbehindState()): MatchValue {
  const text = inputOf(input);
  if (start < 0 || start > text.length) throw argumentOutOfRange("startat");
  return new MatchValue(regex, text, regex.find(text, start, lookbehinds), lookbehinds);
}

/** Where the search for the match after `m` starts: past it, or one further after an empty match. */
const after = (m: MatchValue) => m.end + (m.end === m.index ? 1 : 0);

function matches(regex: RegexValue, input: unknown, frame: Frame): MatchCollection {
  const all: MatchValue[] = [];
  let m = match(regex, input);
  while (m.bounds) {
    frame.step();
    checkedLength(all.length + 1);
    all.push(m);
    const next = after(m);
    if (next > m.input.length) break;
    m = match(regex, m.input, next, m.lookbehinds);
  }
  return new MatchCollection(all);
}

/** A .NET replacement pattern applied to one match: `$1`, `${name}`, `$0`/`$&`, `$$`, `` $` ``, `$'`. */
function expand(replacement: string, m: MatchValue): string {
  return replacement.replace(
    /\$(\$|&|`|'|\d+|\{([\p{L}\p{Mn}\p{Nd}\p{Pc}]+)\})/gu,
    (all, token: string, braced: string | undefined) => {
      if (token === "$") return "$";
      if (token === "&") return m.value;
      if (token === "`") return m.input.slice(0, m.index);
      if (token === "'") return m.input.slice(m.end);
      const key = braced ?? token;
      const { names } = m.regex.compiled;
      const dotnet = /^\d+$/.test(key) ? Number(key) : names.indexOf(key);
      if (dotnet < 0 || dotnet >= names.length) return all;
      return m.group(dotnet).value;
    },
  );
}

function replace(regex: RegexValue, input: unknown, replacement: unknown, frame: Frame, count = -1): string {
  const text = inputOf(input);
  let out = "";
  let last = 0;
  let done = 0;
  for (const m of matches(regex, text, frame).matches) {
    if (count >= 0 && done >= count) break;
    const value =
      typeof replacement === "function" ? String((replacement as Lambda)(m) ?? "") : expand(replacement as string, m);
    out = checkedString(out + text.slice(last, m.index) + value);
    last = m.end;
    done++;
  }
  return checkedString(out + text.slice(last));
}

function split(regex: RegexValue, input: unknown, frame: Frame): string[] {
  const text = inputOf(input);
  const parts: string[] = [];
  let last = 0;
  for (const m of matches(regex, text, frame).matches) {
    parts.push(text.slice(last, m.index));
    // .NET includes captured groups in the result.
    for (const group of m.groups().slice(1)) if (group.success) parts.push(group.value);
    last = m.end;
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
): MethodSpec => ({
  ...method({
    params: [...params, "options"],
    min: params.length,
    max: params.length + 2,
    ...(lambda ? { lambda } : {}),
    returns,
    invoke: (_s, args, frame) => run(compileRegex(args[1], args[params.length]), args, frame),
  }),
  check: checkPattern(1, params.length),
  // Each call site keeps the regex it used last, so a literal pattern costs no cache lookup per evaluation.
  specialize: () => {
    let last: RegexValue | undefined;
    let lastOptions = 0;
    return (_s, args, frame) => {
      const options = args[params.length];
      if (last === undefined || last.pattern !== args[1] || lastOptions !== optionsOf(options)) {
        last = compileRegex(args[1], options);
        lastOptions = optionsOf(options);
      }
      return run(last, args, frame);
    };
  },
});

addMembers(REGEX_DEF.statics, {
  IsMatch: staticCall(BOOL, (r, [input]) => isMatch(r, input), ["input", "pattern"]),
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
REGEX_DEF.create = {
  ...method({
    params: ["pattern", "options", "matchTimeout"],
    min: 1,
    returns: REGEX,
    invoke: (_s, [pattern, options]) => compileRegex(pattern, options),
  }),
  check: checkPattern(0, 1),
};
const regexOf = (self: unknown) => self as RegexValue;
addMembers(REGEX_DEF.members, {
  IsMatch: method({
    params: ["input"],
    returns: BOOL,
    invoke: (r, [input]) => isMatch(regexOf(r), input),
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
  GetGroupNames: method({ returns: STRING_ARRAY, invoke: (r) => [...regexOf(r).compiled.names] }),
});

const matchOf = (self: unknown) => self as MatchValue;
const groupOf = (self: unknown) => self as GroupValue;
addMembers(MATCH_DEF.members, {
  Success: property(BOOL, (m) => matchOf(m).bounds !== undefined),
  Value: property(STRING, (m) => matchOf(m).value),
  Index: property(INT, (m) => matchOf(m).index),
  Length: property(INT, (m) => matchOf(m).end - matchOf(m).index),
  Name: property(STRING, () => "0"),
  Groups: property(GROUP_COLLECTION, (m) => new GroupCollection(matchOf(m))),
  NextMatch: method({
    returns: MATCH,
    invoke: (m) => {
      const current = matchOf(m);
      if (!current.bounds) return current;
      const next = after(current);
      return next > current.input.length
        ? new MatchValue(current.regex, current.input, undefined, null)
        : match(current.regex, current.input, next, current.lookbehinds);
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
  Index: property(INT, (g) => groupOf(g).index),
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
    const { names } = m.regex.compiled;
    const index = typeof key === "number" ? key : names.indexOf(key as string);
    // An unknown group is an unsuccessful empty group, never null (as in .NET).
    if (index < 0 || index >= names.length) return new GroupValue(String(key), false, "", 0);
    return m.group(index);
  },
};
addMembers(GROUP_COLLECTION_DEF.members, {
  Count: property(INT, (c) => (c as GroupCollection).match.regex.compiled.names.length),
  Keys: property(STRING_ARRAY, (c) => [...(c as GroupCollection).match.regex.compiled.names]),
});
