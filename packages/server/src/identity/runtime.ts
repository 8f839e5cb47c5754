import type { MasterKey } from "../crypto/master-key.js";
import type { Store } from "../store/store.js";
import { Directory } from "./directory.js";
import { KeyRing } from "./keys/key-ring.js";
import type { IdentitySnapshot } from "./token/token-service.js";
import { TokenSigner } from "./token/signer.js";

export interface RuntimeOptions {
  /** How often to look for changes made by other processes (CLI, other nodes). */
  pollIntervalMs: number;
  /** How long a retired signing key stays published. */
  keyRetentionSeconds: number;
  signerThreads?: number;
  onReloadError?: (error: Error) => void;
}

/**
 * Holds the current identity snapshot (directory + key ring) and swaps it atomically when the store's revision
 * changes, so a request sees one consistent version and the token path never queries the database.
 */
export class IdentityRuntime {
  private current: IdentitySnapshot;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  private constructor(
    private readonly store: Store,
    private readonly masterKey: MasterKey,
    readonly signer: TokenSigner,
    private readonly options: RuntimeOptions,
    initial: IdentitySnapshot,
  ) {
    this.current = initial;
  }

  static async start(store: Store, masterKey: MasterKey, options: RuntimeOptions): Promise<IdentityRuntime> {
    const signer = new TokenSigner(options.signerThreads);
    const snapshot = await IdentityRuntime.loadSnapshot(store, masterKey, options.keyRetentionSeconds);
    signer.setKeys(snapshot.keyRing.loaded);
    const runtime = new IdentityRuntime(store, masterKey, signer, options, snapshot);
    runtime.timer = setInterval(() => void runtime.poll(), options.pollIntervalMs);
    runtime.timer.unref();
    return runtime;
  }

  private static loadSnapshot(store: Store, masterKey: MasterKey, retention: number): Promise<IdentitySnapshot> {
    return store.readConsistent(async (repos, revision) => {
      const [directory, keys] = await Promise.all([Directory.load(repos, revision), repos.signingKeys.list()]);
      return { directory, keyRing: KeyRing.from(keys, masterKey, retention, Date.now()) };
    });
  }

  snapshot = (): IdentitySnapshot => this.current;

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
      const next = await IdentityRuntime.loadSnapshot(this.store, this.masterKey, this.options.keyRetentionSeconds);
      this.signer.setKeys(next.keyRing.loaded);
      this.current = next;
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async poll(): Promise<void> {
    try {
      if ((await this.store.revision()) !== this.current.directory.revision) await this.reload();
    } catch (error) {
      // The last good snapshot keeps serving while the database is unreachable.
      this.options.onReloadError?.(error as Error);
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.reloading?.catch(() => undefined);
    await this.signer.close();
  }
}
