import { claimStrings } from "./claims.js";

function numericDate(value: unknown): Date | undefined {
  return typeof value === "number" ? new Date(value * 1000) : undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * APIM's `Jwt` object, what output-token-variable-name stores in `context.Variables`: the validated token's header
 * and claims with every claim value as strings (numbers and booleans as their JSON text, arrays element by element).
 */
export class Jwt {
  readonly algorithm: string;
  readonly audiences: readonly string[];
  readonly claims: ReadonlyMap<string, readonly string[]>;
  readonly expirationTime: Date | undefined;
  readonly id: string | undefined;
  readonly issuer: string | undefined;
  readonly issuedAt: Date | undefined;
  readonly notBefore: Date | undefined;
  readonly subject: string | undefined;
  readonly type: string | undefined;

  constructor(header: Readonly<Record<string, unknown>>, payload: Readonly<Record<string, unknown>>) {
    this.algorithm = String(header.alg);
    this.type = optionalString(header.typ);
    this.audiences = claimStrings(payload.aud);
    this.claims = new Map(Object.entries(payload).map(([name, value]) => [name, claimStrings(value)]));
    this.expirationTime = numericDate(payload.exp);
    this.id = optionalString(payload.jti);
    this.issuer = optionalString(payload.iss);
    this.issuedAt = numericDate(payload.iat);
    this.notBefore = numericDate(payload.nbf);
    this.subject = optionalString(payload.sub);
  }
}
