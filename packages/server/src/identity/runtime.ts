import type { MasterKey } from "../crypto/master-key.js";
import type { Store } from "../store/store.js";
import { LiveSnapshot } from "../util/live-snapshot.js";
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

/** The current identity snapshot (directory + key ring), kept live, and the signer that holds its keys. */
export class IdentityRuntime {
  private constructor(
    private readonly live: LiveSnapshot<IdentitySnapshot>,
    readonly signer: TokenSigner,
  ) {}

  static async start(store: Store, masterKey: MasterKey, options: RuntimeOptions): Promise<IdentityRuntime> {
    const signer = new TokenSigner(options.signerThreads);
    const live = await LiveSnapshot.start<IdentitySnapshot>({
      load: () =>
        store.readConsistent(async (repos, revision) => {
          const [directory, keys] = await Promise.all([Directory.load(repos, revision), repos.signingKeys.list()]);
          return { directory, keyRing: KeyRing.from(keys, masterKey, options.keyRetentionSeconds, Date.now()) };
        }),
      revisionOf: (snapshot) => snapshot.directory.revision,
      currentRevision: () => store.revision(),
      pollIntervalMs: options.pollIntervalMs,
      onSwap: (next) => signer.setKeys(next.keyRing.loaded),
      ...(options.onReloadError ? { onReloadError: options.onReloadError } : {}),
    }).catch(async (error: unknown) => {
      await signer.close();
      throw error;
    });
    return new IdentityRuntime(live, signer);
  }

  snapshot = (): IdentitySnapshot => this.live.current();

  /** Reloads now, after a write in this process. */
  reload(): Promise<void> {
    return this.live.reload();
  }

  /** Reloads at once if another process (the CLI, another node) changed the store; true when it did. */
  catchUp(): Promise<boolean> {
    return this.live.catchUp();
  }

  async close(): Promise<void> {
    await this.live.close();
    await this.signer.close();
  }
}
