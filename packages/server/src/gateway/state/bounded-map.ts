/**
 * A map that forgets: entries expire, and past a count or byte budget the least recently used go first, so counters
 * and caches keyed by caller input cannot grow without limit.
 */
interface Slot<V> {
  value: V;
  expiresAtMs: number;
  size: number;
}

export class BoundedMap<V> {
  private readonly slots = new Map<string, Slot<V>>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  /** The live value (and marks it recently used), or undefined when absent or expired at `nowMs`. */
  get(key: string, nowMs: number): V | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    this.slots.delete(key);
    if (slot.expiresAtMs <= nowMs) {
      this.bytes -= slot.size;
      return undefined;
    }
    this.slots.set(key, slot);
    return slot.value;
  }

  /** Stores the value until `expiresAtMs`; `size` counts against the byte budget. */
  set(key: string, value: V, expiresAtMs: number, size = 0): void {
    this.delete(key);
    if (size > this.maxBytes) return;
    this.slots.set(key, { value, expiresAtMs, size });
    this.bytes += size;
    // Map iterates in insertion order and get() re-inserts: the first entries are the least recently used.
    for (const [oldest, slot] of this.slots) {
      if (this.slots.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.slots.delete(oldest);
      this.bytes -= slot.size;
    }
  }

  /** Moves an entry's expiry without touching its place in the eviction order (it was just read). */
  renew(key: string, expiresAtMs: number): void {
    const slot = this.slots.get(key);
    if (slot !== undefined) slot.expiresAtMs = expiresAtMs;
  }

  delete(key: string): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.slots.delete(key);
    this.bytes -= slot.size;
  }

  get size(): number {
    return this.slots.size;
  }
}
