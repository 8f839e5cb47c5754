import type { DecodedToken } from "./token.js";
import { JwtValidationError, quote } from "./validation-error.js";

/**
 * A claim's values as strings, as APIM's `Jwt.Claims` holds them: arrays element by element (so `roles` matches per
 * role), numbers and booleans as their JSON text, objects as JSON; null is no value.
 */
export function claimStrings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) {
    return (value as unknown[]).flatMap((v) => (v === null ? [] : [typeof v === "string" ? v : JSON.stringify(v)]));
  }
  return [typeof value === "object" ? JSON.stringify(value) : String(value)];
}

export interface LifetimeRules {
  requireExpirationTime: boolean;
  clockSkewSeconds: number;
}

const utc = (seconds: number) => new Date(seconds * 1000).toISOString();

/**
 * exp and nbf in Microsoft.IdentityModel's order and wording. Only an expired token is `TokenExpired`; a missing
 * `exp` or a token not yet valid are other lifetime failures, which APIM reports as `JwtInvalid` [inf].
 */
export function checkLifetime(token: DecodedToken, rules: LifetimeRules, now: number): void {
  const { exp, nbf } = token;
  if (exp === undefined && rules.requireExpirationTime) {
    throw new JwtValidationError(
      "JwtInvalid",
      "IDX10225: Lifetime validation failed. The token is missing an Expiration Time.",
    );
  }
  if (nbf !== undefined && nbf > now + rules.clockSkewSeconds) {
    throw new JwtValidationError(
      "JwtInvalid",
      `IDX10222: Lifetime validation failed. The token is not yet valid. ValidFrom (UTC): '${utc(nbf)}', Current time (UTC): '${utc(now)}'.`,
    );
  }
  if (exp !== undefined && exp < now - rules.clockSkewSeconds) {
    throw new JwtValidationError(
      "TokenExpired",
      `IDX10223: Lifetime validation failed. The token is expired. ValidTo (UTC): '${utc(exp)}', Current time (UTC): '${utc(now)}'.`,
    );
  }
}

/** Compared ordinally, ignoring one trailing slash on either side, as Microsoft.IdentityModel does by default. */
const withoutSlash = (audience: string) => (audience.endsWith("/") ? audience.slice(0, -1) : audience);

/** `aud` (a string or an array) must hold one of the configured audiences. */
export class AudienceRule {
  private readonly allowed: ReadonlySet<string>;

  constructor(private readonly audiences: readonly string[]) {
    this.allowed = new Set(audiences.map(withoutSlash));
  }

  check(token: DecodedToken): void {
    const aud = token.payload.aud;
    if (typeof aud === "string") {
      if (this.allowed.has(withoutSlash(aud))) return;
    } else if (Array.isArray(aud)) {
      for (const one of aud as unknown[]) if (typeof one === "string" && this.allowed.has(withoutSlash(one))) return;
    }
    const present = claimStrings(aud);
    if (present.length === 0) {
      throw new JwtValidationError(
        "TokenAudienceNotAllowed",
        "IDX10206: Unable to validate audience. The 'audiences' parameter is empty.",
      );
    }
    throw new JwtValidationError(
      "TokenAudienceNotAllowed",
      `IDX10214: Audience validation failed. Audiences: '${quote(present.join(", "))}'. Did not match: validationParameters.ValidAudiences: '${this.audiences.join(", ")}'.`,
    );
  }
}

/** A configured issuer; Entra's tenant-independent documents say `{tenantid}`, which stands for the token's `tid`. */
export function issuerMatches(configured: string, token: DecodedToken, iss: string): boolean {
  if (configured === iss) return true;
  if (!configured.includes("{tenantid}")) return false;
  const tid = token.payload.tid;
  return typeof tid === "string" && configured.replace("{tenantid}", tid) === iss;
}

export function issuerNotAllowed(iss: unknown, allowed: readonly string[]): JwtValidationError {
  if (typeof iss !== "string" || iss.trim() === "") {
    return new JwtValidationError(
      "TokenIssuerNotAllowed",
      "IDX10211: Unable to validate issuer. The 'issuer' parameter is null or whitespace.",
    );
  }
  return new JwtValidationError(
    "TokenIssuerNotAllowed",
    `IDX10205: Issuer validation failed. Issuer: '${quote(iss)}'. Did not match: validationParameters.ValidIssuers: '${allowed.join(", ")}'.`,
  );
}

/** One `<required-claims>/<claim>`. */
export interface RequiredClaim {
  name: string;
  /** all: every listed value must be present; any: at least one. */
  match: "all" | "any";
  /** Splits string values (`scp` "a b" with separator " "). */
  separator: string | undefined;
  /** No values: the claim only has to be present. */
  values: readonly string[];
}

export function checkRequiredClaims(token: DecodedToken, rules: readonly RequiredClaim[]): void {
  const claims = token.jwt.claims;
  // Every missing claim is named at once, before any value is looked at.
  if (!rules.every((rule) => claims.has(rule.name))) {
    const missing = rules.filter((r) => !claims.has(r.name)).map((r) => r.name);
    throw new JwtValidationError(
      "TokenClaimNotFound",
      `JWT token is missing the following claims: ${missing.join(", ")}. Access denied.`,
    );
  }
  for (const rule of rules) {
    if (rule.values.length === 0) continue;
    const present = claims.get(rule.name) ?? [];
    const separator = rule.separator;
    const values = separator === undefined ? present : present.flatMap((v) => v.split(separator));
    const allowed =
      rule.match === "all" ? rule.values.every((v) => values.includes(v)) : rule.values.some((v) => values.includes(v));
    if (!allowed) {
      throw new JwtValidationError(
        "TokenClaimValueNotAllowed",
        `Claim ${rule.name} value of ${quote(present.join(","))} is not allowed. Access denied.`,
      );
    }
  }
}
