import type { Kysely } from "kysely";
import type { DeveloperTables } from "./tables.js";

/** Expired rows are deleted at most this often per process: one indexed delete, off the request's path. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * A table of expiring rows (sessions or tickets) that deletes the expired ones now and then as rows are written, so
 * it stays the size of what is live without a timer of its own. A failed sweep is reported and retried at the next
 * interval.
 */
export abstract class ExpiringRowsTable {
  /** The table swept; read only when a sweep starts, after the subclass is built. */
  protected abstract readonly table: keyof DeveloperTables;
  private nextSweep = 0;

  constructor(
    protected readonly db: Kysely<DeveloperTables>,
    private readonly onSweepError: (error: Error) => void,
    /** The clock the service uses, so what it deems expired is what is swept. */
    private readonly clock: () => number = Date.now,
  ) {}

  /** Starts a sweep in the background when the last one is an interval old. */
  protected maybeSweep(): void {
    const now = this.clock();
    if (now < this.nextSweep) return;
    this.nextSweep = now + SWEEP_INTERVAL_MS;
    this.db
      .deleteFrom(this.table)
      .where("expires_at", "<=", new Date(now).toISOString())
      .execute()
      .catch((error: unknown) => this.onSweepError(error instanceof Error ? error : new Error(String(error))));
  }
}
