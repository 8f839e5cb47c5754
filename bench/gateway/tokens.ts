import { randomBytes } from "node:crypto";
import { SignJWT, UnsecuredJWT, exportJWK, exportSPKI, generateKeyPair, type JWK } from "jose";
import { sampleClaims } from "../token/jwt-payload.js";

/** The audience every token-checking target requires. */
export const AUDIENCE = "api://bench";

export interface BenchIssuer {
  /** SPKI PEM of the RS256 signing key (HAProxy and the fastify peer are configured with it). */
  publicKeyPem: string;
  /** The same key as served by the issuer's JWKS (Gatehouse finds it through the openid-config). */
  jwk: JWK;
  /** A valid Entra-shaped access token, RS256, `aud` = AUDIENCE, expiring in an hour. */
  valid: string;
  /** Tokens every token-checking target must refuse, by what is wrong with them. */
  invalid: { label: string; token: string }[];
}

/**
 * An RS256 key pair and the tokens of the run, issued by `issuer` (the URL of the bench's openid-config server).
 * The bench finishes well within the valid token's hour.
 */
export async function benchIssuer(issuer: string): Promise<BenchIssuer> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = randomBytes(16).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT", kid }).sign(privateKey);
  const claims = (overrides: Record<string, unknown> = {}) => ({
    ...sampleClaims(),
    iss: issuer,
    aud: AUDIENCE,
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3600,
    ...overrides,
  });
  const valid = await sign(claims());
  const { exp: _omitted, ...withoutExp } = claims();
  return {
    publicKeyPem: await exportSPKI(publicKey),
    jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" },
    valid,
    invalid: [
      { label: "tampered signature", token: tamperSignature(valid) },
      { label: "expired", token: await sign(claims({ iat: now - 7200, nbf: now - 7200, exp: now - 3600 })) },
      { label: "wrong audience", token: await sign(claims({ aud: "api://someone-else" })) },
      { label: "no exp", token: await sign(withoutExp) },
      { label: "alg none", token: new UnsecuredJWT(claims()).encode() },
    ],
  };
}

/** The same token with one byte of its signature changed (a bit flipped in the middle, not in base64 padding). */
export function tamperSignature(token: string): string {
  const [header, payload, signature = ""] = token.split(".");
  const bytes = Buffer.from(signature, "base64url");
  const middle = bytes.length >> 1;
  bytes[middle] = (bytes[middle] ?? 0) ^ 0x01;
  return `${header}.${payload}.${bytes.toString("base64url")}`;
}
