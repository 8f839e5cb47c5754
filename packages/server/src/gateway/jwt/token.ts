import { Jwt } from "./jwt.js";
import { JwtValidationError } from "./validation-error.js";

export type JwtHeader = Readonly<Record<string, unknown>> & { readonly alg: string };
export type JwtPayload = Readonly<Record<string, unknown>>;

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** A compact JWS split and decoded once; cached verifications keep it, so a repeat request decodes nothing. */
export class DecodedToken {
  private jwtObject: Jwt | undefined;
  readonly exp: number | undefined;
  readonly nbf: number | undefined;

  constructor(
    readonly raw: string,
    readonly header: JwtHeader,
    readonly payload: JwtPayload,
  ) {
    this.exp = numericClaim(payload, "exp");
    this.nbf = numericClaim(payload, "nbf");
  }

  /** `alg: none` with an empty signature. */
  get unsigned(): boolean {
    return this.header.alg === "none";
  }

  get kid(): string | undefined {
    return typeof this.header.kid === "string" ? this.header.kid : undefined;
  }

  get x5t(): string | undefined {
    return typeof this.header.x5t === "string" ? this.header.x5t : undefined;
  }

  /** The APIM `Jwt` object, built on first use and shared by every request presenting this token. */
  get jwt(): Jwt {
    this.jwtObject ??= new Jwt(this.header, this.payload);
    return this.jwtObject;
  }
}

function numericClaim(payload: JwtPayload, name: string): number | undefined {
  const value = payload[name];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new JwtValidationError("JwtInvalid", `IDX14300: Could not parse '${name}' as a NumericDate.`);
  }
  return value;
}

function decodeSegment(segment: string, code: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    if (!BASE64URL.test(segment)) throw new SyntaxError("not base64url");
    value = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  } catch {
    throw new JwtValidationError("JwtInvalid", `${code}: Unable to decode the ${what} as Base64Url encoded JSON.`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new JwtValidationError("JwtInvalid", `${code}: The ${what} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

/** Splits and decodes a compact JWS without verifying it; throws JwtValidationError (JwtInvalid). */
export function decodeToken(raw: string): DecodedToken {
  const segments = raw.split(".");
  if (segments.length === 5) {
    throw new JwtValidationError("JwtInvalid", "Encrypted tokens (JWE) are not supported by this Gatehouse version.");
  }
  if (segments.length !== 3) {
    throw new JwtValidationError("JwtInvalid", "IDX12741: JWT must have three segments (JWS) or five segments (JWE).");
  }
  const [headerSegment, payloadSegment, signature] = segments as [string, string, string];
  const header = decodeSegment(headerSegment, "IDX14102", "header");
  if (typeof header.alg !== "string" || header.alg === "") {
    throw new JwtValidationError("JwtInvalid", "IDX14102: The header has no 'alg'.");
  }
  // RFC 7797 unencoded payloads are not for JWTs; the payload decoded here must be the one that was signed.
  if (header.b64 !== undefined) {
    throw new JwtValidationError("JwtInvalid", "IDX14102: The header parameter 'b64' is not supported in a JWT.");
  }
  if (header.alg === "none" && signature !== "") {
    throw new JwtValidationError("JwtInvalid", "IDX14102: A token with 'alg' 'none' must have an empty signature.");
  }
  return new DecodedToken(raw, header as JwtHeader, decodeSegment(payloadSegment, "IDX14101", "payload"));
}
