export interface LiveSnapshotOptions<T> {
  load(): Promise<T>;
  revisionOf(snapshot: T): number;
  /** The store's revision now: one cheap query, polled. */
  currentRevision(): Promise<number>;
  /** How often to look for changes made by other processes (CLI, other nodes). */
  pollIntervalMs: number;
  /** Called with each new snapshot before it becomes current. */
  onSwap?(next: T): void;
  onReloadError?(error: Error): void;
}

/**
 * An immutable snapshot of the configuration, swapped atomically when the store's revision changes, so a request sees
 * one consistent version and the request path never queries the database.
 */
export class LiveSnapshot<T> {
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  private constructor(
    private readonly options: LiveSnapshotOptions<T>,
    private snapshot: T,
  ) {}

  static async start<T>(options: LiveSnapshotOptions<T>): Promise<LiveSnapshot<T>> {
    const initial = await options.load();
    options.onSwap?.(initial);
    const live = new LiveSnapshot(options, initial);
    live.timer = setInterval(() => void live.poll(), options.pollIntervalMs);
    live.timer.unref();
    return live;
  }

  current = (): T => this.snapshot;

  /**
   * Reloads now (after a write in this process). A call made while a reload runs gets a fresh one after it, since
   * the running one may have read before the caller's write committed; calls made meanwhile share that one.
   */
  reload(): Promise<void> {
    if (this.reloading) {
      this.queued ??= this.reloading
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.reload();
        });
      return this.queued;
    }
    this.reloading = (async () => {
      const next = await this.options.load();
      this.options.onSwap?.(next);
      this.snapshot = next;
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  /** Reloads if another process changed the store since this snapshot; true when it did. */
  async catchUp(): Promise<boolean> {
    if ((await this.options.currentRevision()) === this.options.revisionOf(this.snapshot)) return false;
    await this.reload();
    return true;
  }

  private async poll(): Promise<void> {
    try {
      await this.catchUp();
    } catch (error) {
      // The last good snapshot keeps serving while the database is unreachable.
      this.options.onReloadError?.(error as Error);
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.reloading?.catch(() => undefined);
  }
}
