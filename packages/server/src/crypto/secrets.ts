import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** 256 random bits, base64url: long enough that a fast keyed hash is the right storage (no password KDF). */
export function generateSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** Graph's `hint`: the first three characters. */
export const secretHint = (secret: string): string => secret.slice(0, 3);

export function hashSecret(pepper: Buffer, secret: string): Buffer {
  return createHmac("sha256", pepper).update(secret, "utf8").digest();
}

/** Constant-time equality of two digests of the same length. */
export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
