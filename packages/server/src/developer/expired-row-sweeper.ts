/** Expired rows are deleted at most this often per process: one indexed delete, off the request's path. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Deletes expired sessions or tickets now and then as they are written, so the tables stay the size of what is live
 * without a timer of their own. A failed sweep is reported and retried at the next interval.
 */
export class ExpiredRowSweeper {
  private next = 0;

  constructor(
    private readonly sweep: (now: Date) => Promise<void>,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Starts a sweep in the background when the last one is an interval old. */
  maybeSweep(now: number): void {
    if (now < this.next) return;
    this.next = now + SWEEP_INTERVAL_MS;
    this.sweep(new Date(now)).catch((error: unknown) =>
      this.onError(error instanceof Error ? error : new Error(String(error))),
    );
  }
}
