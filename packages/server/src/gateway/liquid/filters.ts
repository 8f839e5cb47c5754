/**
 * The Liquid filters set-body supports, with APIM's PascalCase names (DotLiquid in C# mode; reference apim.md §2.20).
 * Filters that grow text check the result against the renderer's limit before building it.
 */
import { formatDate, parseDate } from "./date-format.js";
import { LiquidRenderError } from "./errors.js";
import { isRecord, lookup, toList, toNumber, toText, type LiquidValue } from "./values.js";

export interface FilterLimits {
  /** The longest text a filter may produce. */
  readonly maxLength: number;
}

export interface Filter {
  readonly minArgs: number;
  readonly maxArgs: number;
  apply(input: LiquidValue, args: readonly LiquidValue[], limits: FilterLimits): LiquidValue;
}

const filter = (
  minArgs: number,
  maxArgs: number,
  apply: (input: LiquidValue, args: readonly LiquidValue[], limits: FilterLimits) => LiquidValue,
): Filter => ({ minArgs, maxArgs, apply });

/** Text of a given length, refused when it would exceed the limit. */
function checked(length: number, limits: FilterLimits, build: () => string): string {
  if (length > limits.maxLength) {
    throw new LiquidRenderError(`The template's text would exceed ${limits.maxLength} characters`);
  }
  return build();
}

const text = (value: LiquidValue) => toText(value);

/** What `Default` replaces: nil, false and empty text or lists. */
const isMissing = (value: LiquidValue) =>
  value === null ||
  value === undefined ||
  value === false ||
  value === "" ||
  (Array.isArray(value) && value.length === 0);

/** Arithmetic as DotLiquid does it: integer operands stay integers; text that is a number counts as one. */
function arithmetic(operation: (a: number, b: number, integers: boolean) => number): Filter {
  return filter(1, 1, (input, [operand]) => {
    const a = toNumber(input) ?? 0;
    const b = toNumber(operand ?? null) ?? 0;
    return operation(a, b, Number.isInteger(a) && Number.isInteger(b));
  });
}

const HTML: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => HTML[c] as string);

/** System.Net.WebUtility.UrlEncode: unreserved characters kept, space as `+`, the rest as upper-case %XX of UTF-8. */
function urlEncode(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.!*()]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function urlDecode(value: string): string {
  const bytes: number[] = [];
  const plain = Buffer.from(value.replace(/\+/g, " "), "utf8");
  for (let i = 0; i < plain.length; i++) {
    const byte = plain[i] as number;
    const hex = byte === 0x25 ? plain.subarray(i + 1, i + 3).toString("latin1") : "";
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(byte);
  }
  return Buffer.from(bytes).toString("utf8");
}

function replaceAll(first: boolean): Filter {
  return filter(1, 2, (input, [from, to], limits) => {
    const source = text(input);
    const search = text(from ?? null);
    const replacement = text(to ?? null);
    if (search === "") return source;
    if (first) {
      const at = source.indexOf(search);
      return at < 0 ? source : source.slice(0, at) + replacement + source.slice(at + search.length);
    }
    const count = source.split(search).length - 1;
    return checked(source.length + count * (replacement.length - search.length), limits, () =>
      source.split(search).join(replacement),
    );
  });
}

function dateOf(input: LiquidValue): Date | undefined {
  if (typeof input === "number") return new Date(input * 1000);
  const value = text(input);
  const lower = value.trim().toLowerCase();
  if (lower === "now" || lower === "today") return new Date();
  return parseDate(value);
}

const truncateWords = filter(0, 2, (input, [count, ellipsis]) => {
  const words = text(input)
    .split(/\s+/)
    .filter((w) => w !== "");
  const max = Math.max(1, toNumber(count ?? null) ?? 15);
  return words.length <= max
    ? text(input)
    : `${words.slice(0, max).join(" ")}${ellipsis === undefined ? "..." : text(ellipsis)}`;
});

const append = (before: boolean) =>
  filter(1, 1, (input, [other], limits) => {
    const a = text(input);
    const b = text(other ?? null);
    return checked(a.length + b.length, limits, () => (before ? b + a : a + b));
  });

/** Filters by name. */
export const FILTERS: ReadonlyMap<string, Filter> = new Map<string, Filter>([
  ["Abs", filter(0, 0, (input) => Math.abs(toNumber(input) ?? 0))],
  ["Append", append(false)],
  ["Prepend", append(true)],
  ["AtLeast", filter(1, 1, (input, [min]) => Math.max(toNumber(input) ?? 0, toNumber(min ?? null) ?? 0))],
  ["AtMost", filter(1, 1, (input, [max]) => Math.min(toNumber(input) ?? 0, toNumber(max ?? null) ?? 0))],
  ["Capitalize", filter(0, 0, (input) => text(input).replace(/^\s*\S/, (c) => c.toUpperCase()))],
  ["Compact", filter(0, 0, (input) => toList(input).filter((item) => item !== null && item !== undefined))],
  [
    "Currency",
    filter(0, 1, (input) => {
      const amount = toNumber(input);
      if (amount === undefined) return input;
      const formatted = Math.abs(amount).toLocaleString("en-US", {
        minimumFractionDigits: 2,
        maximumFractionDigits: 2,
      });
      return `${amount < 0 ? "-" : ""}¤${formatted}`;
    }),
  ],
  [
    "Date",
    filter(0, 1, (input, [format]) => {
      const date = dateOf(input);
      return date === undefined ? input : formatDate(date, text(format ?? null));
    }),
  ],
  ["Default", filter(1, 1, (input, [fallback]) => (isMissing(input) ? (fallback ?? null) : input))],
  [
    "DividedBy",
    arithmetic((a, b, integers) => {
      if (b === 0) throw new LiquidRenderError("Liquid error: divided by 0");
      return integers ? Math.trunc(a / b) : a / b;
    }),
  ],
  ["Downcase", filter(0, 0, (input) => text(input).toLowerCase())],
  ["Upcase", filter(0, 0, (input) => text(input).toUpperCase())],
  ["Escape", filter(0, 0, (input) => escapeHtml(text(input)))],
  ["H", filter(0, 0, (input) => escapeHtml(text(input)))],
  ["First", filter(0, 0, (input) => lookup(typeof input === "string" ? [...input] : toList(input), 0))],
  [
    "Last",
    filter(0, 0, (input) => {
      const list = typeof input === "string" ? [...input] : toList(input);
      return list[list.length - 1];
    }),
  ],
  [
    "Join",
    filter(0, 1, (input, [separator], limits) => {
      const glue = separator === undefined ? " " : text(separator);
      const parts = toList(input).map(text);
      const length = parts.reduce((sum, part) => sum + part.length + glue.length, 0);
      return checked(length, limits, () => parts.join(glue));
    }),
  ],
  ["Lstrip", filter(0, 0, (input) => text(input).trimStart())],
  ["Rstrip", filter(0, 0, (input) => text(input).trimEnd())],
  ["Strip", filter(0, 0, (input) => text(input).trim())],
  ["Map", filter(1, 1, (input, [key]) => toList(input).map((item) => lookup(item, key ?? null)))],
  ["Minus", arithmetic((a, b) => a - b)],
  ["Plus", arithmetic((a, b) => a + b)],
  ["Times", arithmetic((a, b) => a * b)],
  [
    "Modulo",
    arithmetic((a, b) => {
      if (b === 0) throw new LiquidRenderError("Liquid error: divided by 0");
      return a % b;
    }),
  ],
  [
    "NewlineToBr",
    filter(0, 0, (input, _args, limits) => {
      const source = text(input);
      const count = source.split("\n").length - 1;
      return checked(source.length + count * 6, limits, () => source.replace(/\r?\n/g, "<br />\n"));
    }),
  ],
  [
    "Remove",
    filter(1, 1, (input, [what]) => {
      const search = text(what ?? null);
      return search === "" ? text(input) : text(input).split(search).join("");
    }),
  ],
  [
    "RemoveFirst",
    filter(1, 1, (input, [what]) => {
      const source = text(input);
      const search = text(what ?? null);
      const at = search === "" ? -1 : source.indexOf(search);
      return at < 0 ? source : source.slice(0, at) + source.slice(at + search.length);
    }),
  ],
  ["Replace", replaceAll(false)],
  ["ReplaceFirst", replaceAll(true)],
  [
    "Round",
    filter(0, 1, (input, [digits]) => {
      const value = toNumber(input) ?? 0;
      const places = Math.max(0, Math.min(15, toNumber(digits ?? null) ?? 0));
      const factor = 10 ** places;
      return Math.round(value * factor) / factor;
    }),
  ],
  [
    "Size",
    filter(0, 0, (input) =>
      typeof input === "string"
        ? input.length
        : isRecord(input) || Array.isArray(input)
          ? toList(input).length
          : (lookup(input, "size") ?? 0),
    ),
  ],
  [
    "Slice",
    filter(1, 2, (input, [start, length]) => {
      const list = typeof input === "string" ? [...input] : [...toList(input)];
      let from = toNumber(start ?? null) ?? 0;
      if (from < 0) from += list.length;
      const picked = list.slice(from, from + (toNumber(length ?? null) ?? 1));
      return typeof input === "string" ? picked.join("") : picked;
    }),
  ],
  [
    "Sort",
    filter(0, 1, (input, [key]) => {
      const list = [...toList(input)];
      const of = (item: LiquidValue) => (key === undefined ? item : lookup(item, key));
      return list.sort((a, b) => {
        const x = of(a);
        const y = of(b);
        if (typeof x === "number" && typeof y === "number") return x - y;
        return text(x) < text(y) ? -1 : text(x) > text(y) ? 1 : 0;
      });
    }),
  ],
  [
    "Split",
    filter(1, 1, (input, [separator]) => {
      const source = text(input);
      const glue = text(separator ?? null);
      return glue === "" ? [...source] : source.split(glue);
    }),
  ],
  [
    "StripHtml",
    filter(0, 0, (input) => text(input).replace(/<script.*?<\/script>|<!--.*?-->|<style.*?<\/style>|<.*?>/gs, "")),
  ],
  ["StripNewlines", filter(0, 0, (input) => text(input).replace(/\r?\n/g, ""))],
  [
    "Truncate",
    filter(0, 2, (input, [length, ellipsis]) => {
      const source = text(input);
      const max = toNumber(length ?? null) ?? 50;
      const tail = ellipsis === undefined ? "..." : text(ellipsis);
      if (source.length <= max) return source;
      return source.slice(0, Math.max(0, max - tail.length)) + tail;
    }),
  ],
  ["TruncateWords", truncateWords],
  [
    "Uniq",
    filter(0, 0, (input) => {
      const unique: LiquidValue[] = [];
      const seen = new Set<string>();
      const identities = new Map<object, number>();
      for (const item of toList(input)) {
        const key = equalityKey(item, identities);
        if (seen.has(key)) continue;
        seen.add(key);
        unique.push(item);
      }
      return unique;
    }),
  ],
  ["UrlDecode", filter(0, 0, (input) => urlDecode(text(input)))],
  ["UrlEncode", filter(0, 0, (input) => urlEncode(text(input)))],
]);

/**
 * A text equal for two values exactly when `equals` (values.ts) says they are (scalars by value, lists item by item, anything else
 * only to itself), so that Uniq keeps a set of keys instead of comparing each item with every one kept before it.
 */
function equalityKey(value: LiquidValue, identities: Map<object, number>): string {
  if (value === undefined || value === null) return "null";
  if (Array.isArray(value)) {
    return `[${(value as readonly LiquidValue[]).map((item) => equalityKey(item, identities)).join(",")}]`;
  }
  if (typeof value === "object") {
    let id = identities.get(value);
    if (id === undefined) identities.set(value, (id = identities.size));
    return `#${id}`;
  }
  return typeof value === "string" ? JSON.stringify(value) : `${typeof value}:${String(value)}`;
}
