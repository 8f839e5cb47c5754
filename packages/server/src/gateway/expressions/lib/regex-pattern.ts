/**
 * .NET regular expression syntax rewritten for RE2 (re2js), which matches in time linear in the input: no pattern
 * can hang the gateway. Constructs that need backtracking (lookahead, backreferences, atomic groups, balancing
 * groups, conditionals) are refused, as are the few RE2 cannot express; lookbehind runs on re2js's linear-time
 * lookbehind support, without captures inside it.
 *
 * Every capturing group is emitted unnamed: this module keeps the names, so .NET's numbering (unnamed groups first,
 * then named ones) and a name used by several groups both work.
 *
 * Differences from .NET that remain: `\d`, `\w`, `\s` and `\b` are ASCII (RE2's classes; .NET's are Unicode), `$`
 * without Multiline matches only at the very end (.NET's also before a final newline), `.` and classes match a
 * code point (.NET's a UTF-16 unit), and a repetition count is at most 1000.
 */
import { RE2JS, RE2JSSyntaxException } from "re2js";
import { ExpressionEvaluationError } from "../errors.js";

/** System.Text.RegularExpressions.RegexOptions bits this module reads. */
export const RegexOption = {
  IgnoreCase: 1,
  Multiline: 2,
  ExplicitCapture: 4,
  Singleline: 16,
  IgnorePatternWhitespace: 32,
  RightToLeft: 64,
} as const;

export interface CompiledPattern {
  readonly re2: RE2JS;
  /** .NET group number → its name ("0", "1" … for unnamed groups). */
  readonly names: readonly string[];
  /** .NET group number → the RE2 groups that capture for it (several when a name is used twice). */
  readonly captures: readonly (readonly number[])[];
}

interface Translation extends Omit<CompiledPattern, "re2"> {
  /** The pattern in RE2 syntax. */
  readonly source: string;
  /** RE2JS compile flags. */
  readonly flags: number;
}

/** A pattern .NET refuses too: an ArgumentException when it runs. */
export class RegexSyntaxError extends Error {
  override name = "RegexSyntaxError";
  constructor(
    readonly detail: string,
    readonly offset: number,
  ) {
    super(detail);
  }
}

/** A pattern .NET accepts but Gatehouse cannot run. */
export class RegexNotSupportedError extends ExpressionEvaluationError {
  override name = "RegexNotSupportedError";
  /** `linear`: refused because it needs backtracking, not because RE2 lacks a spelling for it. */
  constructor(what: string, token: string, linear: boolean, hint?: string) {
    const why = linear ? ": Gatehouse runs regular expressions in linear time" : " in policy expressions";
    super(`Regular expression ${what} '${token}' is not supported${why}${hint ? `; ${hint}` : ""}`);
  }
}

/** Group constructs after `(?` that need backtracking. */
const BACKTRACKING_GROUPS: readonly (readonly [prefix: string, what: string])[] = [
  ["=", "lookahead"],
  ["!", "negative lookahead"],
  [">", "atomic group"],
  ["(", "conditional"],
];

const SPACE = /[\t\n\v\f\r ]/;
const INLINE_OPTIONS = /^\(\?([imnsx]*)(?:-([imnsx]*))?([:)])/;
const GROUP_NAME = /^(?:<([^>]*)>|'([^']*)')/;
const NAME = /^[\p{L}\p{Mn}\p{Pc}][\p{L}\p{Mn}\p{Nd}\p{Pc}]*$/u;
const QUANTIFIER = /^\{\d+(?:,\d*)?\}/;
/** The escape letters .NET knows outside a character class, and inside one (`\k`, `\G`, `\Z` are refused earlier). */
const ESCAPES = /[AbBdDwWsSpPeafnrtvxucz]/;
const CLASS_ESCAPES = /[dDwWsSpPeafnrtvxuc]/;

/** The scope a `(` opened: what `)` restores. */
interface Scope {
  readonly explicit: boolean;
  readonly extended: boolean;
  readonly lookbehind: boolean;
}

/** Compiles `pattern` under `options` (RegexOptions bits). Throws RegexSyntaxError or RegexNotSupportedError. */
export function compilePattern(pattern: string, options: number): CompiledPattern {
  if (options & RegexOption.RightToLeft) throw new RegexNotSupportedError("option", "RightToLeft", false);
  const { source, flags, names, captures } = new Translator(pattern, options).run();
  try {
    return { re2: RE2JS.compile(source, flags), names, captures };
  } catch (error) {
    if (!(error instanceof RE2JSSyntaxException)) throw error;
    // RE2 names the fragment it refused, in its own syntax: found in the .NET pattern when spelled the same.
    const fragment = error.getPattern() ?? "";
    const description = error.getDescription();
    const limit = description === "invalid repeat count" ? " (at most 1000 in policy expressions)" : "";
    const detail = `${description[0]?.toUpperCase() ?? ""}${description.slice(1)} '${fragment}'${limit}.`;
    throw new RegexSyntaxError(detail, Math.max(0, pattern.indexOf(fragment)));
  }
}

class Translator {
  private out = "";
  private i = 0;
  private scope: Scope;
  private readonly scopes: Scope[] = [];
  private re2Groups = 0;
  private readonly unnamed: number[] = [];
  private readonly named = new Map<string, number[]>();
  private lookbehinds = false;
  /** The quantifier just emitted, which a `+` now would make possessive. */
  private quantified: string | undefined;

  constructor(
    private readonly pattern: string,
    private readonly options: number,
  ) {
    this.scope = {
      explicit: (options & RegexOption.ExplicitCapture) !== 0,
      extended: (options & RegexOption.IgnorePatternWhitespace) !== 0,
      lookbehind: false,
    };
  }

  run(): Translation {
    const p = this.pattern;
    while (this.i < p.length) {
      const c = p[this.i] as string;
      if (this.scope.extended && (SPACE.test(c) || c === "#")) {
        this.skipWhitespace(c);
        continue;
      }
      const quantified = this.quantified;
      this.quantified = undefined;
      if (c === "\\") this.escape();
      else if (c === "[") this.characterClass();
      else if (c === "(") this.openGroup();
      else if (c === ")") this.closeGroup();
      else if (c === "*" || c === "+" || c === "?" || (c === "{" && QUANTIFIER.test(p.slice(this.i)))) {
        this.quantifier(c, quantified);
      } else {
        this.out += c === "{" ? "\\{" : c;
        this.i++;
      }
    }
    if (this.scopes.length > 0) throw new RegexSyntaxError("Not enough )'s.", p.length);
    return this.result();
  }

  private result(): Translation {
    const names = ["0", ...this.unnamed.map((_, k) => String(k + 1))];
    const captures: number[][] = [[0], ...this.unnamed.map((g) => [g])];
    for (const [name, groups] of this.named) {
      names.push(name);
      captures.push(groups);
    }
    let flags = this.lookbehinds ? RE2JS.LOOKBEHINDS : 0;
    if (this.options & RegexOption.IgnoreCase) flags |= RE2JS.CASE_INSENSITIVE;
    if (this.options & RegexOption.Multiline) flags |= RE2JS.MULTILINE;
    if (this.options & RegexOption.Singleline) flags |= RE2JS.DOTALL;
    return { source: this.out, flags, names, captures };
  }

  private skipWhitespace(c: string): void {
    const p = this.pattern;
    if (c === "#") {
      while (this.i < p.length && p[this.i] !== "\n") this.i++;
    } else {
      this.i++;
    }
  }

  private quantifier(c: string, quantified: string | undefined): void {
    const p = this.pattern;
    const start = this.i;
    if (c === "+" && quantified !== undefined) {
      throw new RegexNotSupportedError("possessive quantifier", `${quantified}+`, true);
    }
    const token = c === "{" ? (QUANTIFIER.exec(p.slice(start)) as RegExpExecArray)[0] : c;
    this.out += token;
    this.i += token.length;
    // A `?` after a quantifier makes it lazy, which RE2 runs; it is not itself quantifiable.
    if (p[this.i] === "?") {
      this.out += "?";
      this.i++;
      return;
    }
    this.quantified = token;
  }

  private escape(): void {
    const p = this.pattern;
    const start = this.i;
    const next = p[start + 1];
    if (next === undefined) throw new RegexSyntaxError("Illegal \\ at end of pattern.", start);
    if (/[1-9]/.test(next)) {
      const digits = /^\d+/.exec(p.slice(start + 1)) as RegExpExecArray;
      throw new RegexNotSupportedError("backreference", `\\${digits[0]}`, true);
    }
    if (next === "k") {
      const name = GROUP_NAME.exec(p.slice(start + 2));
      throw new RegexNotSupportedError("backreference", `\\k${name?.[0] ?? ""}`, true);
    }
    if (next === "G") throw new RegexNotSupportedError("anchor", "\\G", false);
    if (next === "Z") throw new RegexNotSupportedError("anchor", "\\Z", false, "use \\z or $");
    this.i = start + 2;
    this.out += this.escapeBody(next, start, ESCAPES) ?? `\\${next}`;
  }

  /**
   * An escape that means the same inside and outside a class, rewritten when RE2 spells it differently. Letters
   * .NET does not know are refused, as .NET does: RE2 would read some of them (`\Q…\E`, `\C`).
   */
  private escapeBody(next: string, start: number, known: RegExp): string | undefined {
    const p = this.pattern;
    if (/[A-Za-z]/.test(next) && !known.test(next))
      throw new RegexSyntaxError(`Unrecognized escape sequence \\${next}.`, start);
    if (next === "p" || next === "P") {
      const name = /^\{[^}]*\}/.exec(p.slice(this.i));
      if (!name) throw new RegexSyntaxError("Incomplete \\p{X} character escape.", start);
      this.i += name[0].length;
      return `\\${next}${name[0]}`;
    }
    if (next === "e") return "\\x1B";
    if (next === "u") {
      const hex = /^[0-9A-Fa-f]{4}/.exec(p.slice(this.i));
      if (!hex) throw new RegexSyntaxError("Insufficient hex digits.", start);
      this.i += 4;
      return `\\x{${hex[0]}}`;
    }
    if (next === "c") {
      const letter = p[this.i];
      if (letter === undefined || !/[A-Za-z@[\\\]^_]/.test(letter))
        throw new RegexSyntaxError("Unrecognized control character.", start);
      this.i++;
      return `\\x{${(letter.toUpperCase().charCodeAt(0) & 0x1f).toString(16)}}`;
    }
    return undefined;
  }

  private characterClass(): void {
    const p = this.pattern;
    const start = this.i;
    let i = start + 1;
    let out = "[";
    if (p[i] === "^") {
      out += "^";
      i++;
    }
    // A `]` first in the class is a literal.
    if (p[i] === "]") {
      out += "\\]";
      i++;
    }
    const first = i;
    for (;;) {
      const c = p[i];
      if (c === undefined) throw new RegexSyntaxError("Unterminated [] set.", start);
      if (c === "]") break;
      if (c === "\\") {
        const next = p[i + 1];
        if (next === undefined) throw new RegexSyntaxError("Illegal \\ at end of pattern.", i);
        this.i = i + 2;
        out += next === "b" ? "\\x08" : (this.escapeBody(next, i, CLASS_ESCAPES) ?? `\\${next}`);
        i = this.i;
        continue;
      }
      if (c === "-" && p[i + 1] === "[" && i > first)
        throw new RegexNotSupportedError("character class subtraction", "-[", false);
      // RE2 reads `[:alpha:]` inside a class as a POSIX class; in .NET a `[` there is a literal.
      out += c === "[" ? "\\[" : c;
      i++;
    }
    this.out += `${out}]`;
    this.i = i + 1;
  }

  private openGroup(): void {
    const p = this.pattern;
    const start = this.i;
    if (p[start + 1] !== "?") {
      this.i++;
      if (this.scope.explicit) this.push("(?:");
      else this.capture(undefined, start);
      return;
    }
    const rest = p.slice(start + 2);
    if (rest.startsWith("#")) {
      const end = p.indexOf(")", start);
      if (end < 0) throw new RegexSyntaxError("Unterminated (?#...) comment.", start);
      this.i = end + 1;
      return;
    }
    for (const [prefix, what] of BACKTRACKING_GROUPS) {
      if (rest.startsWith(prefix)) throw new RegexNotSupportedError(what, `(?${prefix}`, true);
    }
    if (rest.startsWith("<=") || rest.startsWith("<!")) {
      this.i = start + 4;
      this.lookbehinds = true;
      this.push(`(?${rest.slice(0, 2)}`, { lookbehind: true });
      return;
    }
    const name = GROUP_NAME.exec(rest);
    if (name) {
      this.namedGroup((name[1] ?? name[2]) as string, name[0], start);
      return;
    }
    const inline = INLINE_OPTIONS.exec(p.slice(start));
    if (inline) {
      this.inlineOptions(inline, start);
      return;
    }
    throw new RegexSyntaxError("Unrecognized grouping construct.", start + 1);
  }

  private namedGroup(name: string, written: string, start: number): void {
    const token = `(?${written}`;
    if (name.includes("-")) throw new RegexNotSupportedError("balancing group", token, true);
    if (/^\d+$/.test(name)) throw new RegexNotSupportedError("numbered group", token, false);
    if (!NAME.test(name))
      throw new RegexSyntaxError("Invalid group name: Group names must begin with a word character.", start + 3);
    this.i = start + token.length;
    this.capture(name, start);
  }

  /** `(?imnsx-imnsx)` changes the enclosing group's options; `(?imnsx-imnsx:…)` opens a group with them. */
  private inlineOptions(inline: RegExpExecArray, start: number): void {
    const [all, on = "", off = "", end] = inline;
    const options = (letters: string) => letters.replace(/[nx]/g, "");
    const re2 = options(on) + (options(off) ? `-${options(off)}` : "");
    const change = (scope: Scope): Scope => ({
      ...scope,
      explicit: off.includes("n") ? false : on.includes("n") || scope.explicit,
      extended: off.includes("x") ? false : on.includes("x") || scope.extended,
    });
    this.i = start + all.length;
    if (end === ":") {
      this.push(re2 ? `(?${re2}:` : "(?:", change(this.scope));
    } else {
      if (re2) this.out += `(?${re2})`;
      this.scope = change(this.scope);
    }
  }

  private capture(name: string | undefined, start: number): void {
    if (this.scope.lookbehind) {
      const token = this.pattern.slice(start, this.i);
      throw new RegexNotSupportedError("capturing group inside a lookbehind", token, true, "use (?:…) there");
    }
    const group = ++this.re2Groups;
    if (name === undefined) this.unnamed.push(group);
    else this.named.set(name, [...(this.named.get(name) ?? []), group]);
    this.push("(");
  }

  private push(open: string, change: Partial<Scope> = {}): void {
    this.scopes.push(this.scope);
    this.scope = { ...this.scope, ...change };
    this.out += open;
  }

  private closeGroup(): void {
    const scope = this.scopes.pop();
    if (!scope) throw new RegexSyntaxError("Too many )'s.", this.i);
    this.scope = scope;
    this.out += ")";
    this.i++;
  }
}
