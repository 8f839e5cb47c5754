/**
 * Tokens that passed every check, by their exact text, until they expire (plus the clock skew) or `maxAgeMs` passes,
 * whichever is first. A caller sends the same token for up to an hour, so this turns the RSA verification of every
 * request into a map lookup; any change to the token, signature included, is a different key. `maxAgeMs` bounds how
 * long a token stays accepted after its signing key leaves the authority's key set.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();

  constructor(
    private readonly capacity: number,
    private readonly maxAgeMs: number,
  ) {}

  get(token: string, now: number): T | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (now < entry.until) return entry.value;
    this.entries.delete(token);
    return undefined;
  }

  /** `validUntil`: when the token stops being acceptable (ms since the epoch). */
  set(token: string, value: T, validUntil: number, now: number): void {
    if (this.capacity === 0) return;
    // Insertion order is age order: when full, the oldest entry goes.
    if (this.entries.size >= this.capacity && !this.entries.has(token)) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { value, until: Math.min(validUntil, now + this.maxAgeMs) });
  }
}
