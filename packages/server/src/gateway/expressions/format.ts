/**
 * .NET formatting with the invariant culture: standard and custom numeric format strings (`D4`, `F2`, `N0`, `X`,
 * `0.00`, `#,##0`), composite formats (`string.Format("{0,-5:F1}", x)`) and interpolation holes. DateTime, TimeSpan
 * and Guid format themselves through CsValue.csFormat.
 */
import { checkedString, formatError } from "./runtime.js";
import { CsValue, csString, formatDouble, formatInteger } from "./values.js";

/** A value with a format string, as IFormattable.ToString(format, InvariantCulture) gives it. */
export function formatValue(value: unknown, format: string, integral: boolean): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return formatNumber(value, format, integral || Number.isInteger(value));
  if (value instanceof CsValue) return value.csFormat(format);
  return csString(value);
}

const group = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** Digits of |value| with exactly `decimals` fraction digits, rounded half away from zero on the decimal text. */
function fixed(value: number, decimals: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e21) return BigInt(Math.round(abs)).toString() + (decimals > 0 ? `.${"0".repeat(decimals)}` : "");
  return abs.toFixed(Math.min(decimals, 100));
}

function withSign(value: number, text: string): string {
  return value < 0 && /[1-9]/.test(text) ? `-${text}` : text;
}

/** A number with a standard (`F2`) or custom (`0.00`) format string. */
export function formatNumber(value: number, format: string, integral: boolean): string {
  if (format === "") return integral ? formatInteger(value) : formatDouble(value);
  const standard = /^([A-Za-z])(\d{0,9})$/.exec(format);
  if (!standard) return customNumber(value, format);
  const letter = (standard[1] as string).toUpperCase();
  const lower = standard[1] === (standard[1] as string).toLowerCase();
  const precisionText = standard[2] as string;
  const precision = precisionText === "" ? undefined : Number(precisionText);
  if (!Number.isFinite(value)) return formatDouble(value);
  switch (letter) {
    case "D": {
      if (!integral) throw formatError("Format specifier was invalid.");
      const digits = formatInteger(Math.abs(value)).padStart(precision ?? 0, "0");
      return value < 0 ? `-${digits}` : digits;
    }
    case "F":
      return withSign(value, fixed(value, precision ?? 2));
    case "N": {
      const [whole, fraction] = fixed(value, precision ?? 2).split(".") as [string, string | undefined];
      return withSign(value, group(whole) + (fraction ? `.${fraction}` : ""));
    }
    case "P": {
      const [whole, fraction] = fixed(value * 100, precision ?? 2).split(".") as [string, string | undefined];
      return `${withSign(value, group(whole) + (fraction ? `.${fraction}` : ""))} %`;
    }
    case "C": {
      const [whole, fraction] = fixed(value, precision ?? 2).split(".") as [string, string | undefined];
      const text = `¤${group(whole)}${fraction ? `.${fraction}` : ""}`;
      return value < 0 && /[1-9]/.test(text) ? `-${text}` : text;
    }
    case "E": {
      const [mantissa, exponent] = Math.abs(value)
        .toExponential(precision ?? 6)
        .split("e") as [string, string];
      const e = Number(exponent);
      const text = `${mantissa}${lower ? "e" : "E"}${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(3, "0")}`;
      return value < 0 ? `-${text}` : text;
    }
    case "G": {
      if (precision === undefined || precision === 0) return integral ? formatInteger(value) : formatDouble(value);
      const text = formatDouble(Number(value.toPrecision(precision)));
      return lower ? text.toLowerCase() : text;
    }
    case "R":
      return formatDouble(value);
    case "X": {
      if (!integral) throw formatError("Format specifier was invalid.");
      const unsigned =
        value < 0 ? (value >= -2147483648 ? value >>> 0 : Number(BigInt.asUintN(64, BigInt(value)))) : value;
      const hex = unsigned.toString(16).padStart(precision ?? 0, "0");
      return lower ? hex : hex.toUpperCase();
    }
  }
  return customNumber(value, format);
}

/** Custom numeric formats: `0`/`#` placeholders, `.`, `,` grouping, `%`, quoted literals and `;` sections. */
function customNumber(value: number, format: string): string {
  const sections = splitSections(format);
  let section = sections[0] as string;
  let number = value;
  if (value < 0 && sections.length > 1) {
    section = sections[1] as string;
    number = -value;
  } else if (value === 0 && sections.length > 2) {
    section = sections[2] as string;
  }
  const tokens = tokenizeCustom(section);
  const placeholders = tokens.filter((t) => t.kind === "digit" || t.kind === "point");
  if (placeholders.length === 0) return tokens.map((t) => t.text).join("");
  let percent = false;
  let integerZeros = 0;
  let fractionZeros = 0;
  let fractionMax = 0;
  let seenPoint = false;
  let grouping = false;
  for (const token of tokens) {
    if (token.kind === "percent") percent = true;
    if (token.kind === "point") seenPoint = true;
    if (token.kind === "group" && !seenPoint) grouping = true;
    if (token.kind === "digit") {
      if (seenPoint) {
        fractionMax++;
        if (token.text === "0") fractionZeros = fractionMax;
      } else if (token.text === "0" || integerZeros > 0) {
        integerZeros++;
      }
    }
  }
  if (percent) number *= 100;
  const [wholeRaw, fractionRaw = ""] = fixed(number, fractionMax).split(".") as [string, string | undefined];
  let fraction = fractionRaw;
  while (fraction.length > fractionZeros && fraction.endsWith("0")) fraction = fraction.slice(0, -1);
  let whole = wholeRaw.replace(/^0+/, "");
  whole = whole.padStart(integerZeros, "0");
  if (grouping) whole = group(whole);
  const digits = whole + (fraction ? `.${fraction}` : "");
  // Literals before the first placeholder, the number, then the literals after the last.
  const firstIndex = tokens.findIndex((t) => t.kind === "digit" || t.kind === "point");
  let lastIndex = tokens.length - 1;
  while (
    lastIndex >= 0 &&
    (tokens[lastIndex] as CustomToken).kind !== "digit" &&
    (tokens[lastIndex] as CustomToken).kind !== "point"
  )
    lastIndex--;
  const literal = (t: CustomToken) => (t.kind === "literal" || t.kind === "percent" ? t.text : "");
  const prefix = tokens.slice(0, firstIndex).map(literal).join("");
  const suffix = tokens
    .slice(lastIndex + 1)
    .map(literal)
    .join("");
  const negative = number < 0 && sections.length === 1 && /[1-9]/.test(digits);
  return `${negative ? "-" : ""}${prefix}${digits.replace(/^-/, "")}${suffix}`;
}

interface CustomToken {
  kind: "digit" | "point" | "group" | "percent" | "literal";
  text: string;
}

function splitSections(format: string): string[] {
  const sections: string[] = [];
  let current = "";
  let quote = "";
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    if (quote) {
      if (c === quote) quote = "";
      current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      current += c;
    } else if (c === "\\") {
      current += c + (format[++i] ?? "");
    } else if (c === ";") {
      sections.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  sections.push(current);
  return sections;
}

function tokenizeCustom(section: string): CustomToken[] {
  const tokens: CustomToken[] = [];
  for (let i = 0; i < section.length; i++) {
    const c = section[i] as string;
    if (c === "0" || c === "#") tokens.push({ kind: "digit", text: c });
    else if (c === ".") tokens.push({ kind: "point", text: c });
    else if (c === ",") tokens.push({ kind: "group", text: c });
    else if (c === "%") tokens.push({ kind: "percent", text: c });
    else if (c === "\\") tokens.push({ kind: "literal", text: section[++i] ?? "" });
    else if (c === "'" || c === '"') {
      const end = section.indexOf(c, i + 1);
      const stop = end < 0 ? section.length : end;
      tokens.push({ kind: "literal", text: section.slice(i + 1, stop) });
      i = stop;
    } else tokens.push({ kind: "literal", text: c });
  }
  return tokens;
}

/** `string.Format`: `{index[,alignment][:format]}`, `{{` and `}}` for braces. */
export function compositeFormat(format: string, args: readonly unknown[]): string {
  let out = "";
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    if (c === "}") {
      if (format[i + 1] !== "}") throw formatError("Input string was not in a correct format.");
      out += "}";
      i++;
      continue;
    }
    if (c !== "{") {
      out += c;
      continue;
    }
    if (format[i + 1] === "{") {
      out += "{";
      i++;
      continue;
    }
    const close = format.indexOf("}", i);
    if (close < 0) throw formatError("Input string was not in a correct format.");
    const item = /^(\d+)\s*(?:,\s*(-?\d+)\s*)?(?::(.*))?$/s.exec(format.slice(i + 1, close));
    if (!item) throw formatError("Input string was not in a correct format.");
    const index = Number(item[1]);
    if (index >= args.length) {
      throw formatError(
        "Index (zero based) must be greater than or equal to zero and less than the size of the argument list.",
      );
    }
    const value = args[index];
    let text = item[3] === undefined ? csString(value) : formatValue(value, item[3], false);
    const alignment = item[2] === undefined ? 0 : Number(item[2]);
    if (alignment > 0) text = text.padStart(alignment);
    else if (alignment < 0) text = text.padEnd(-alignment);
    out = checkedString(out + text);
    i = close;
  }
  return out;
}
