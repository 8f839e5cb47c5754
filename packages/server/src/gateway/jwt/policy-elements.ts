/** Reading the attributes and child elements validate-jwt and validate-azure-ad-token share (apim.md §2.1, §2.2). */
import type { PolicyElement } from "../policy/definition.js";
import { AudienceRule, type RequiredClaim } from "./claims.js";
import { hmacKey, KeyImportError, ResolvedKeySet, rsaKey, type VerificationKey } from "./key-set.js";
import type { TokenLocation } from "./token-locator.js";

const TOKEN_ATTRIBUTES = ["header-name", "query-parameter-name", "token-value"] as const;

/**
 * Exactly one of header-name, query-parameter-name and token-value; `defaultHeader` stands in when none is given
 * (validate-azure-ad-token reads Authorization by default, validate-jwt requires one).
 */
export function readTokenLocation(
  element: PolicyElement,
  options: { defaultHeader?: string; scheme: boolean },
): TokenLocation {
  const given = TOKEN_ATTRIBUTES.filter((name) => element.attribute(name) !== undefined);
  const requireScheme = options.scheme ? nonEmpty(element, "require-scheme") : undefined;
  if (given.length > 1) {
    throw element.error(`Only one of ${TOKEN_ATTRIBUTES.join(", ")} may be specified`, given[1]);
  }
  const [which] = given;
  if (which === undefined) {
    if (options.defaultHeader === undefined) {
      throw element.error(`One of ${TOKEN_ATTRIBUTES.join(", ")} must be specified`);
    }
    return { kind: "header", name: options.defaultHeader, requireScheme };
  }
  const value = nonEmpty(element, which) as string;
  if (which === "header-name") return { kind: "header", name: value, requireScheme };
  if (which === "query-parameter-name") return { kind: "query", name: value };
  return { kind: "value", value };
}

/** An optional attribute that, when present, must not be empty. */
function nonEmpty(element: PolicyElement, name: string): string | undefined {
  const value = element.attribute(name);
  if (value !== undefined && value.trim() === "") throw element.error(`Attribute '${name}' must not be empty`, name);
  return value?.trim();
}

export function readFailure(element: PolicyElement): { status: number; message: string | undefined } {
  return {
    status: element.integerAttribute("failed-validation-httpcode", 401, { min: 100, max: 599 }),
    message: element.attribute("failed-validation-error-message"),
  };
}

export function readOutputVariable(element: PolicyElement): string | undefined {
  return nonEmpty(element, "output-token-variable-name");
}

const TIME_SPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?$/;

/** clock-skew: whole seconds, or a TimeSpan such as `00:05:00` or `1.00:00:00`. */
export function readClockSkew(element: PolicyElement): number {
  const value = element.attribute("clock-skew")?.trim();
  if (value === undefined) return 0;
  if (/^\d+$/.test(value)) return Number(value);
  const span = TIME_SPAN.exec(value);
  if (span) {
    const [, days = "0", hours = "0", minutes = "0", secs = "0"] = span;
    if (Number(hours) < 24 && Number(minutes) < 60 && Number(secs) < 60) {
      return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(secs);
    }
  }
  throw element.error(
    `Attribute 'clock-skew' must be a number of seconds or a time span (hh:mm:ss), not '${value}'`,
    "clock-skew",
  );
}

/** The texts of `<container><item>…</item></container>`; a present container needs at least one item. */
function readList(element: PolicyElement, container: string, item: string): string[] | undefined {
  const containers = element.children(container);
  if (containers.length === 0) return undefined;
  const values: string[] = [];
  for (const list of containers) {
    const items = list.children(item);
    if (items.length === 0) throw list.error(`'${container}' must contain at least one '${item}'`);
    for (const entry of items) {
      const text = entry.text();
      if (text === "") throw entry.error(`'${item}' must not be empty`);
      values.push(text);
    }
  }
  return values;
}

export function readAudiences(element: PolicyElement): string[] | undefined {
  return readList(element, "audiences", "audience");
}

export function readIssuers(element: PolicyElement): string[] | undefined {
  return readList(element, "issuers", "issuer");
}

/** validate-azure-ad-token's `<client-application-ids>` / `<backend-application-ids>`. */
export function readApplicationIds(element: PolicyElement, container: string): string[] | undefined {
  return readList(element, container, "application-id");
}

export function audienceRule(audiences: readonly string[]): AudienceRule | undefined {
  return audiences.length > 0 ? new AudienceRule(audiences) : undefined;
}

export function readRequiredClaims(element: PolicyElement): RequiredClaim[] {
  return element.children("required-claims").flatMap((list) =>
    list.children("claim").map((claim) => {
      const name = claim.requiredAttribute("name").trim();
      if (name === "") throw claim.error("Attribute 'name' must not be empty", "name");
      const separator = claim.attribute("separator");
      return {
        name,
        match: claim.enumAttribute("match", ["all", "any"] as const, "all"),
        separator: separator === undefined || separator === "" ? undefined : separator,
        values: claim.children("value").map((value) => value.text()),
      };
    }),
  );
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function readKey(key: PolicyElement): VerificationKey {
  const kid = key.id;
  if (key.attribute("certificate-id") !== undefined) {
    throw key.error("certificates are not supported by this version", "certificate-id");
  }
  const n = key.attribute("n");
  const e = key.attribute("e");
  const text = key.text();
  if (n !== undefined || e !== undefined) {
    if (n === undefined || e === undefined) throw key.error("An RSA key needs both 'n' and 'e'");
    if (text !== "") throw key.error("A key is either a Base64 symmetric key or 'n' and 'e', not both");
    try {
      return rsaKey(n.trim(), e.trim(), kid);
    } catch (error) {
      if (error instanceof KeyImportError) throw key.error(error.message);
      throw error;
    }
  }
  const secret = text.replace(/\s+/g, "");
  if (secret === "" || !BASE64.test(secret)) throw key.error("A symmetric key must be Base64 encoded");
  return hmacKey(Buffer.from(secret, "base64"), kid);
}

/** `<issuer-signing-keys>`, tried in document order; undefined when none are configured. */
export function readSigningKeys(element: PolicyElement): ResolvedKeySet | undefined {
  const keys = element.children("issuer-signing-keys").flatMap((list) => {
    const entries = list.children("key");
    if (entries.length === 0) throw list.error("'issuer-signing-keys' must contain at least one 'key'");
    return entries.map(readKey);
  });
  return keys.length > 0 ? new ResolvedKeySet(keys) : undefined;
}
