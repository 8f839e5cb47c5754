/**
 * Distinguished names as policies write them (Windows' CertNameToStr: `CN=Name, O="Contoso, Inc.", C=US`) compared
 * with the names node prints for a certificate (one `TYPE=value` per line, RFC 2253 escapes). Attribute order is
 * ignored, since the two conventions list a name in opposite orders, and values compare without regard to case, as
 * X.500's caseIgnoreMatch does.
 */

/** Windows' spellings of attribute types, as node prints them. */
const TYPE_ALIASES: Readonly<Record<string, string>> = { S: "ST", E: "EMAILADDRESS", EMAIL: "EMAILADDRESS" };

export interface NameAttribute {
  type: string;
  value: string;
}

export class DistinguishedNameError extends Error {
  override name = "DistinguishedNameError";
}

/** A policy's name, e.g. `C=US, O="Contoso, Inc.", CN=*.contoso.com`; throws DistinguishedNameError. */
export function parsePolicyName(text: string): NameAttribute[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '"') {
      // `""` inside quotes is one quote character.
      if (quoted && text[i + 1] === '"') {
        current += '"';
        i++;
      } else {
        quoted = !quoted;
      }
    } else if ((char === "," || char === ";") && !quoted) {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  if (quoted) throw new DistinguishedNameError(`'${text}' has an unclosed quote`);
  parts.push(current);
  return parts.map((part) => attribute(part, text));
}

/** A name as node's X509Certificate prints it (`subject`, `issuer`). */
export function parseCertificateName(name: string): NameAttribute[] {
  return name
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const at = indexOfUnescaped(line, "=");
      return { type: normaliseType(line.slice(0, at)), value: line.slice(at + 1).replace(/\\(.)/g, "$1") };
    });
}

/** Both hold the same attributes, in any order. */
export function sameName(expected: readonly NameAttribute[], actual: readonly NameAttribute[]): boolean {
  if (expected.length !== actual.length) return false;
  const remaining = actual.map(key);
  for (const wanted of expected.map(key)) {
    const at = remaining.indexOf(wanted);
    if (at < 0) return false;
    remaining.splice(at, 1);
  }
  return true;
}

/** The first common name (CN) of a certificate name, or undefined. */
export function commonNameOf(name: string): string | undefined {
  return parseCertificateName(name).find((a) => a.type === "CN")?.value;
}

/** Values compare as caseIgnoreMatch does: case and runs of spaces do not matter. */
export const sameValue = (a: string, b: string): boolean => normaliseValue(a) === normaliseValue(b);

function attribute(part: string, whole: string): NameAttribute {
  const at = part.indexOf("=");
  const type = at < 0 ? "" : part.slice(0, at).trim();
  if (type === "") throw new DistinguishedNameError(`'${whole}' is not a distinguished name like 'CN=Name, O=Org'`);
  return { type: normaliseType(type), value: part.slice(at + 1).trim() };
}

function indexOfUnescaped(line: string, char: string): number {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === "\\") i++;
    else if (line[i] === char) return i;
  }
  return line.length;
}

function normaliseType(type: string): string {
  const upper = type.trim().toUpperCase();
  return TYPE_ALIASES[upper] ?? upper;
}

const normaliseValue = (value: string): string => value.trim().replace(/\s+/g, " ").toLowerCase();

const key = (a: NameAttribute): string => `${a.type}=${normaliseValue(a.value)}`;
