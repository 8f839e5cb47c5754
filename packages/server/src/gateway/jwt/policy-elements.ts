/** Reading the attributes and child elements validate-jwt and validate-azure-ad-token share (apim.md §2.1, §2.2). */
import { X509Certificate } from "node:crypto";
import { ExpressionEvaluationError } from "../expressions/index.js";
import { CertificateReferenceError, type CertificateIndex } from "../model/certificates/lookup.js";
import type { PolicyElement } from "../policy/definition.js";
import {
  booleanSetting,
  computed,
  fixed,
  integerSetting,
  listSetting,
  mapSetting,
  optionalText,
  textSetting,
  valueOf,
  type Setting,
} from "../policy/setting.js";
import { AudienceRule, type LifetimeRules, type RequiredClaim } from "./claims.js";
import { hmacKey, keyFromJwk, KeyImportError, ResolvedKeySet, rsaKey, type VerificationKey } from "./key-set.js";
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
  const given = TOKEN_ATTRIBUTES.filter((name) => element.valueAttribute(name) !== undefined);
  const requireScheme = options.scheme ? nonEmpty(element, "require-scheme") : undefined;
  if (given.length > 1) {
    throw element.error(`Only one of ${TOKEN_ATTRIBUTES.join(", ")} may be specified`, given[1]);
  }
  const [which] = given;
  if (which === undefined) {
    if (options.defaultHeader === undefined) {
      throw element.error(`One of ${TOKEN_ATTRIBUTES.join(", ")} must be specified`);
    }
    return { kind: "header", name: fixed(options.defaultHeader), requireScheme };
  }
  const value = nonEmpty(element, which) as Setting<string>;
  if (which === "header-name") return { kind: "header", name: value, requireScheme };
  if (which === "query-parameter-name") return { kind: "query", name: value };
  return { kind: "value", value };
}

/** An optional attribute, trimmed, that when present must not be empty (checked at load when literal). */
function nonEmpty(element: PolicyElement, name: string): Setting<string> | undefined {
  const value = optionalText(element, name);
  if (value === undefined) return undefined;
  if (value.fixed && value.value.trim() === "") throw element.error(`Attribute '${name}' must not be empty`, name);
  return mapSetting(value, (text) => text.trim());
}

export interface FailureSettings {
  status: Setting<number>;
  message: Setting<string> | undefined;
}

export function readFailure(element: PolicyElement): FailureSettings {
  return {
    status: integerSetting(element, "failed-validation-httpcode", 401, { min: 100, max: 599 }),
    message: optionalText(element, "failed-validation-error-message"),
  };
}

export function readOutputVariable(element: PolicyElement): string | undefined {
  const value = element.attribute("output-token-variable-name");
  if (value !== undefined && value.trim() === "") {
    throw element.error("Attribute 'output-token-variable-name' must not be empty", "output-token-variable-name");
  }
  return value?.trim();
}

const TIME_SPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?$/;

/** Whole seconds, or a TimeSpan such as `00:05:00` or `1.00:00:00`; undefined for anything else. */
function clockSkewSeconds(text: string): number | undefined {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const span = TIME_SPAN.exec(value);
  if (!span) return undefined;
  const [, days = "0", hours = "0", minutes = "0", secs = "0"] = span;
  if (Number(hours) >= 24 || Number(minutes) >= 60 || Number(secs) >= 60) return undefined;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(secs);
}

/** require-expiration-time and clock-skew. */
export function readLifetime(element: PolicyElement): Setting<LifetimeRules> {
  const requireExpirationTime = booleanSetting(element, "require-expiration-time", true);
  const skew = optionalText(element, "clock-skew") ?? fixed("0");
  const clockSkew = mapSetting(skew, (text) => {
    const seconds = clockSkewSeconds(text);
    if (seconds !== undefined) return seconds;
    const message = `Attribute 'clock-skew' must be a number of seconds or a time span (hh:mm:ss), not '${text.trim()}'`;
    throw skew.fixed ? element.error(message, "clock-skew") : new ExpressionEvaluationError(message);
  });
  if (requireExpirationTime.fixed && clockSkew.fixed) {
    return fixed({ requireExpirationTime: requireExpirationTime.value, clockSkewSeconds: clockSkew.value });
  }
  return computed((context) => ({
    requireExpirationTime: valueOf(requireExpirationTime, context),
    clockSkewSeconds: valueOf(clockSkew, context),
  }));
}

/** The values of `<container><item>…</item></container>`; a present container needs at least one item. */
function readList(element: PolicyElement, container: string, item: string): Setting<string[]> | undefined {
  const containers = element.children(container);
  if (containers.length === 0) return undefined;
  const values: Setting<string>[] = [];
  for (const list of containers) {
    const items = list.children(item);
    if (items.length === 0) throw list.error(`'${container}' must contain at least one '${item}'`);
    for (const entry of items) {
      const value = textSetting(entry.valueText());
      if (value.fixed && value.value === "") throw entry.error(`'${item}' must not be empty`);
      values.push(value);
    }
  }
  return listSetting(values);
}

export function readAudiences(element: PolicyElement): Setting<string[]> | undefined {
  return readList(element, "audiences", "audience");
}

export function readIssuers(element: PolicyElement): Setting<string[]> | undefined {
  return readList(element, "issuers", "issuer");
}

/** validate-azure-ad-token's `<client-application-ids>` / `<backend-application-ids>`: literal ids. */
export function readApplicationIds(element: PolicyElement, container: string): string[] | undefined {
  const containers = element.children(container);
  if (containers.length === 0) return undefined;
  return containers.flatMap((list) => {
    const items = list.children("application-id");
    if (items.length === 0) throw list.error(`'${container}' must contain at least one 'application-id'`);
    return items.map((entry) => {
      const text = entry.text();
      if (text === "") throw entry.error("'application-id' must not be empty");
      return text;
    });
  });
}

/** The audience rule for these audiences (none: any audience passes), prepared once when they are literal. */
export function audienceRule(audiences: Setting<string[]>): Setting<AudienceRule | undefined> {
  return mapSetting(audiences, (list) => (list.length > 0 ? new AudienceRule(list) : undefined));
}

export function readRequiredClaims(element: PolicyElement): Setting<RequiredClaim[]> {
  const claims = element.children("required-claims").flatMap((list) =>
    list.children("claim").map((claim) => {
      const name = claim.requiredAttribute("name").trim();
      if (name === "") throw claim.error("Attribute 'name' must not be empty", "name");
      const separator = claim.attribute("separator");
      const match = claim.enumAttribute("match", ["all", "any"] as const, "all");
      const values = listSetting(claim.children("value").map((value) => textSetting(value.valueText())));
      return mapSetting(values, (list): RequiredClaim => ({
        name,
        match,
        separator: separator === undefined || separator === "" ? undefined : separator,
        values: list,
      }));
    }),
  );
  return listSetting(claims);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function readKey(key: PolicyElement, certificates: CertificateIndex): VerificationKey {
  const kid = key.id;
  const certificateId = key.attribute("certificate-id");
  if (certificateId !== undefined) return certificateKey(key, certificates, certificateId);
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

/** `<key certificate-id>`: the public key of a certificate entity, with its thumbprint as x5t. */
function certificateKey(key: PolicyElement, certificates: CertificateIndex, id: string): VerificationKey {
  if (key.attribute("n") !== undefined || key.attribute("e") !== undefined || key.text() !== "") {
    throw key.error("A key is either a certificate-id, 'n' and 'e', or a Base64 symmetric key", "certificate-id");
  }
  try {
    const certificate = certificates.named(id);
    const x5t = Buffer.from(certificate.thumbprint, "hex").toString("base64url");
    const publicKey = new X509Certificate(certificate.material.certificatePem).publicKey;
    return keyFromJwk(publicKey.export({ format: "jwk" }), key.id, x5t);
  } catch (error) {
    if (error instanceof CertificateReferenceError || error instanceof KeyImportError) {
      throw key.error(error.message, "certificate-id");
    }
    throw error;
  }
}

/** `<issuer-signing-keys>`, tried in document order; undefined when none are configured. */
export function readSigningKeys(element: PolicyElement, certificates: CertificateIndex): ResolvedKeySet | undefined {
  const keys = element.children("issuer-signing-keys").flatMap((list) => {
    const entries = list.children("key");
    if (entries.length === 0) throw list.error("'issuer-signing-keys' must contain at least one 'key'");
    return entries.map((entry) => readKey(entry, certificates));
  });
  return keys.length > 0 ? new ResolvedKeySet(keys) : undefined;
}
