/**
 * The gateway's side of the failed-credential throttle: a source address that sent too many invalid subscription keys
 * is refused with rate-limit's 429 and Retry-After (apim.md §4.4) before its key is looked up. As for any refused
 * key, the on-error section runs, LastError's source being `authorization`.
 */
import { PolicyFailure } from "./policy/definition.js";

export const KEY_THROTTLE_REASON = "SubscriptionKeyThrottled";

/** The access decision while the source is throttled: refused without looking at the key. */
export interface KeyThrottled {
  allowed: false;
  reason: typeof KEY_THROTTLE_REASON;
  retryAfterSeconds: number;
}

export const keyThrottled = (retryAfterSeconds: number): KeyThrottled => ({
  allowed: false,
  reason: KEY_THROTTLE_REASON,
  retryAfterSeconds,
});

export function keyThrottleFailure(retryAfterSeconds: number): PolicyFailure {
  return new PolicyFailure(
    429,
    `Rate limit is exceeded. Try again in ${retryAfterSeconds} seconds.`,
    "authorization",
    KEY_THROTTLE_REASON,
    "Too many invalid subscription keys from the caller's address",
    { "Retry-After": String(retryAfterSeconds) },
  );
}
