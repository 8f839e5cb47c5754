import { randomBytes } from "node:crypto";
import type { MasterKey } from "../crypto/master-key.js";
import type { Store } from "../store/store.js";
import { LiveSnapshot } from "../util/live-snapshot.js";
import { loadGatewayConfiguration } from "./configuration.js";
import type { PolicyServices } from "./policy/definition.js";
import { compileSnapshot, type GatewaySnapshot } from "./snapshot.js";

export interface GatewayRuntimeOptions {
  pollIntervalMs: number;
  onReloadError?: (error: Error) => void;
  /** Stored documents that no longer load (their operations answer 500 until fixed). */
  onProblems?: (problems: string[]) => void;
}

/** The compiled gateway configuration, kept live: each store revision compiles into a new immutable snapshot. */
export class GatewayRuntime {
  private constructor(private readonly live: LiveSnapshot<GatewaySnapshot>) {}

  static async start(
    store: Store,
    masterKey: MasterKey,
    services: PolicyServices,
    options: GatewayRuntimeOptions,
  ): Promise<GatewayRuntime> {
    // Keys are indexed by an HMAC under a per-process key: the index lives in memory only.
    const pepper = randomBytes(32);
    const live = await LiveSnapshot.start<GatewaySnapshot>({
      load: async () => {
        const config = await store.readConsistent((repos, revision) =>
          loadGatewayConfiguration(repos, revision, masterKey),
        );
        return compileSnapshot(config, services, pepper);
      },
      revisionOf: (snapshot) => snapshot.revision,
      currentRevision: () => store.revision(),
      pollIntervalMs: options.pollIntervalMs,
      onSwap: (next) => {
        if (next.problems.length > 0) options.onProblems?.(next.problems);
      },
      ...(options.onReloadError ? { onReloadError: options.onReloadError } : {}),
    });
    return new GatewayRuntime(live);
  }

  snapshot = (): GatewaySnapshot => this.live.current();

  reload(): Promise<void> {
    return this.live.reload();
  }

  close(): Promise<void> {
    return this.live.close();
  }
}
