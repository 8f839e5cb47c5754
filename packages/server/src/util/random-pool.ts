import { randomFillSync } from "node:crypto";

const POOL_SIZE = 64 * 1024;
let pool = Buffer.allocUnsafe(0);
let offset = 0;

/**
 * Cryptographically random bytes served from a pooled CSPRNG buffer: one `randomFillSync` per 64 KiB instead of
 * one per call, which matters on the token path where every token needs three opaque random claims.
 * The returned view is consumed and never handed out twice.
 */
export function pooledRandomBytes(size: number): Buffer {
  if (size > POOL_SIZE) return randomFillSync(Buffer.allocUnsafe(size));
  if (offset + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + size);
  offset += size;
  return bytes;
}
