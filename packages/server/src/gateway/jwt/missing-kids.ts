/**
 * Key names (kid or x5t) a fresh fetch of a JWKS did not hold, each remembered for a while so a token repeating one
 * does not spend the next unknown-kid refresh. Bounded: beyond `capacity` names the least recently seen goes first,
 * so a flood of random kids costs memory proportional to the bound, never to the flood.
 */
export class MissingKids {
  /** Name → when it stops counting as missing (ms). A Map iterates in insertion order: the first is the oldest. */
  private readonly until = new Map<string, number>();

  constructor(
    private readonly capacity: number,
    private readonly ttlMs: number,
  ) {}

  /** Whether `name` was missing from a fetch less than the TTL ago. */
  has(name: string, now = Date.now()): boolean {
    const until = this.until.get(name);
    if (until === undefined) return false;
    if (until > now) return true;
    this.until.delete(name);
    return false;
  }

  add(name: string, now = Date.now()): void {
    if (this.capacity <= 0) return;
    this.until.delete(name);
    this.until.set(name, now + this.ttlMs);
    if (this.until.size > this.capacity) this.until.delete(this.until.keys().next().value as string);
  }

  get size(): number {
    return this.until.size;
  }
}
