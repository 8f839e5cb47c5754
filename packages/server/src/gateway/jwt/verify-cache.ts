import type { ResolvedKeySet, VerificationKey } from "./key-set.js";
import type { DecodedToken } from "./token.js";

/** One verified token: what was decoded, and which key's signature check it passed. */
export class CachedVerification {
  /** Set on every hit; the eviction sweep gives referenced entries a second chance. */
  referenced = false;

  constructor(
    readonly token: DecodedToken,
    private readonly keyFingerprint: string,
    /** The version of the last key set found to hold the key. */
    private version: number,
    /** Seconds; the token's `exp`, or Infinity without one. */
    readonly expiresAt: number,
  ) {}

  /** Whether `set` still holds the key that verified the token: by version first, by key after a refresh. */
  trustedBy(set: ResolvedKeySet): boolean {
    if (set.version === this.version) return true;
    if (!set.has(this.keyFingerprint)) return false;
    this.version = set.version;
    return true;
  }
}

/**
 * The map key of a token: the end of its signature. Hashing a whole token (1-2 kB) costs microseconds per request;
 * 43 base64url characters (256 bits of an unforgeable signature) do not, and the entry still must equal the token
 * exactly. A forged token reusing a cached signature only finds an entry it does not equal: a miss, then verified.
 */
const INDEX_LENGTH = 43;
const indexOf = (raw: string) => (raw.length > INDEX_LENGTH ? raw.slice(-INDEX_LENGTH) : raw);

/**
 * Verified tokens keyed by their exact text, so a repeated token costs a map lookup: no base64, no JSON, no
 * signature check. Bounded (second-chance eviction in insertion order); an entry ends at the token's `exp`, and a
 * caller uses it only while one of its key sets still holds the verifying key, so rotation or removal invalidates.
 * Claim checks are not cached: each policy runs its own on every request.
 */
export class VerifyCache {
  private readonly entries = new Map<string, CachedVerification>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity = 10_000) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached verification of this exact token, unless it has expired (`now` in seconds). */
  get(raw: string, now: number): CachedVerification | undefined {
    const index = indexOf(raw);
    const entry = this.entries.get(index);
    if (entry === undefined || entry.token.raw !== raw || entry.expiresAt <= now) {
      if (entry !== undefined && entry.expiresAt <= now) this.entries.delete(index);
      this.misses++;
      return undefined;
    }
    entry.referenced = true;
    this.hits++;
    return entry;
  }

  store(token: DecodedToken, key: VerificationKey, set: ResolvedKeySet, now: number): void {
    const expiresAt = token.exp ?? Number.POSITIVE_INFINITY;
    if (expiresAt <= now) return;
    const index = indexOf(token.raw);
    if (!this.entries.has(index) && this.entries.size >= this.capacity) this.evictOne(now);
    this.entries.set(index, new CachedVerification(token, key.fingerprint, set.version, expiresAt));
  }

  /** Drops the oldest entry not used since the last sweep passed it (or any expired one on the way). */
  private evictOne(now: number): void {
    for (const [index, entry] of this.entries) {
      this.entries.delete(index);
      if (!entry.referenced || entry.expiresAt <= now) return;
      entry.referenced = false;
      this.entries.set(index, entry);
    }
  }
}
