import { randomBytes } from "node:crypto";
import type { Store } from "../store/store.js";
import { LiveSnapshot } from "../util/live-snapshot.js";
import type { PolicyServices } from "./policy/definition.js";
import type { GatewayRegistry } from "./model/registry.js";
import { compileSnapshot, type GatewaySnapshot } from "./snapshot.js";

export interface GatewayRuntimeOptions {
  pollIntervalMs: number;
  /** The identity service product applications live in, read at each compile. */
  applicationAuthority: () => string;
  onReloadError?: (error: Error) => void;
  /** Stored documents that no longer load (their operations answer 500 until fixed). */
  onProblems?: (problems: string[]) => void;
}

/** The compiled gateway configuration, kept live: each store revision compiles into a new immutable snapshot. */
export class GatewayRuntime {
  private constructor(private readonly live: LiveSnapshot<GatewaySnapshot>) {}

  static async start(
    store: Store,
    registry: GatewayRegistry,
    services: PolicyServices,
    options: GatewayRuntimeOptions,
  ): Promise<GatewayRuntime> {
    // Keys are indexed by an HMAC under a per-process key: the index lives in memory only.
    const pepper = randomBytes(32);
    const live = await LiveSnapshot.start<GatewaySnapshot>({
      load: async () =>
        compileSnapshot(await registry.configuration(), services, pepper, options.applicationAuthority()),
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
