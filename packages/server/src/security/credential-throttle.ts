/**
 * Throttling of failed credential attempts (client secrets at the token endpoint, subscription keys at the gateway,
 * passwords at the developer sign-in).
 * Only failures count, in the sliding-window counters rate-limit uses (GatewayState: this process's memory, or Redis
 * with --redis, so every process counts together). A source over its limit is refused before its credential is
 * checked, so a guess made while throttled teaches nothing.
 *
 * Counters are keyed by source address (an IPv6 address by its /64, which one host usually holds whole), alone and with
 * the client id: never by client id alone, which anyone can read from a token, so a flood of wrong secrets from one
 * place cannot lock the real client out anywhere else.
 *
 * Each process remembers the sources it has seen go over a limit until their window has room again, so a request from
 * a source in good standing costs no trip to Redis; a source spreading guesses over N processes gets at most N - 1
 * attempts more than the limit, one per process that has not yet learned it is throttled.
 */
import { parseIpAddress } from "../gateway/ip-address.js";
import { BoundedMap } from "../gateway/state/bounded-map.js";
import { StateUnavailableError, type GatewayState, type RateWindow } from "../gateway/state/gateway-state.js";

export interface CredentialThrottleOptions {
  /** Failed attempts one source address may make for one client id in the window; 0: no such limit. */
  perClientAndAddress: number;
  /** Failed attempts one source address may make in the window, whatever it tries; 0: no such limit. */
  perAddress: number;
  /** The sliding window, in seconds (at most MAX_RATE_WINDOW_SECONDS). */
  windowSeconds: number;
}

/**
 * Room for a misconfigured client's retries and for many clients behind one NAT address, while a guesser from one
 * address gets 20 tries a minute at one client id, 100 over all, instead of thousands a second.
 */
export const DEFAULT_CREDENTIAL_THROTTLE: CredentialThrottleOptions = {
  perClientAndAddress: 20,
  perAddress: 100,
  windowSeconds: 60,
};

/** Who is making an attempt: the source address, and the client id (token endpoint) or email (sign-in) it names. */
export interface CredentialSource {
  address: string;
  clientId?: string;
}

/** Sources remembered as throttled in one process; more are forgotten least recently used first. */
const MAX_REMEMBERED = 100_000;

export class CredentialThrottle {
  /** Throttled counter keys, each with the epoch milliseconds its window has room again. */
  private readonly throttled = new BoundedMap<number>(MAX_REMEMBERED);

  constructor(
    private readonly state: GatewayState,
    /** Keeps the counters of the token endpoint, the gateway and the developer sign-in apart. */
    private readonly surface: "token" | "subscription-key" | "developer-sign-in",
    private readonly options: CredentialThrottleOptions,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Seconds until the source may try again, or undefined when it may try now. */
  retryAfter(source: CredentialSource): number | undefined {
    // The common case, on every keyed gateway request: nobody is throttled.
    if (this.throttled.size === 0) return undefined;
    const now = this.clock();
    let waitMs = 0;
    for (const window of this.windows(source)) {
      const until = this.throttled.get(window.key, now);
      if (until !== undefined) waitMs = Math.max(waitMs, until - now);
    }
    return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : undefined;
  }

  /** Counts a failed attempt; a source that has now used up a limit is throttled until the window has room. */
  async failed(source: CredentialSource): Promise<void> {
    try {
      await Promise.all(this.windows(source).map((window) => this.count(window)));
    } catch (error) {
      // Throttling is a brake, not a gate: with the shared counters out of reach (RedisState logs the outage once),
      // credentials are still checked.
      if (!(error instanceof StateUnavailableError)) throw error;
    }
  }

  private async count(window: RateWindow): Promise<void> {
    const counted = await this.state.rateHit([window], 1);
    // Room left after this failure: no throttle yet. Otherwise ask when the window frees a slot.
    if (counted.allowed && counted.remaining > 0) return;
    const next = counted.allowed ? await this.state.ratePeek([window], 1) : counted;
    if (next.allowed) return;
    const until = this.clock() + next.retryAfterSeconds * 1000;
    this.throttled.set(window.key, until, until);
  }

  private windows(source: CredentialSource): RateWindow[] {
    const { perClientAndAddress, perAddress, windowSeconds } = this.options;
    const address = addressKey(source.address);
    const windows: RateWindow[] = [];
    if (perAddress > 0) {
      windows.push({
        key: JSON.stringify(["failed-credentials", this.surface, address]),
        limit: perAddress,
        windowSeconds,
      });
    }
    if (perClientAndAddress > 0 && source.clientId !== undefined) {
      windows.push({
        key: JSON.stringify(["failed-credentials", this.surface, address, source.clientId.toLowerCase()]),
        limit: perClientAndAddress,
        windowSeconds,
      });
    }
    return windows;
  }
}

/** IPv4 (also IPv4-mapped) as it is; IPv6 by its /64 prefix; anything else as given. */
function addressKey(address: string): string {
  const parsed = parseIpAddress(address);
  if (!parsed) return address;
  if (parsed.family === 4) {
    const v = parsed.value;
    return [24n, 16n, 8n, 0n].map((shift) => String((v >> shift) & 0xffn)).join(".");
  }
  return `${(parsed.value >> 64n).toString(16).padStart(16, "0")}::/64`;
}
