/**
 * What counter and cache policies do when the shared store (Redis) does not answer. Counter policies choose with the
 * Gatehouse extension attribute `gatehouse-fail-open` (default true: let the call through; the store logs the outage
 * once); caches always carry on as on a miss.
 */
import { StateUnavailableError, type Answer } from "../../state/gateway-state.js";
import { PolicyFailure, type PolicyElement } from "../definition.js";

export const FAIL_OPEN_ATTRIBUTE = "gatehouse-fail-open";

export function readFailOpen(element: PolicyElement): boolean {
  return element.booleanAttribute(FAIL_OPEN_ATTRIBUTE, true);
}

/**
 * The counter operation's result, or undefined when the store is unavailable and the policy fails open. Failing
 * closed is a 503, not a 429: the caller exceeded nothing, and a 429's Retry-After would send it into a backoff the
 * outage does not call for.
 */
export async function counted<T>(policy: string, failOpen: boolean, operation: Answer<T>): Promise<T | undefined> {
  try {
    return await operation;
  } catch (error) {
    if (!(error instanceof StateUnavailableError)) throw error;
    if (failOpen) return undefined;
    throw new PolicyFailure(
      503,
      "Service unavailable",
      policy,
      "CounterStoreUnavailable",
      `${error.message}; the policy has ${FAIL_OPEN_ATTRIBUTE}="false"`,
      {},
      true,
    );
  }
}

/**
 * Hands the counter's result to `use` at once when the store answered at once (memory), so the policy's step stays
 * synchronous; after the promise otherwise, with `counted`'s fail-open rule.
 */
export function whenCounted<T>(
  policy: string,
  failOpen: boolean,
  operation: Answer<T>,
  use: (result: T | undefined) => void,
): void | Promise<void> {
  if (!(operation instanceof Promise)) return use(operation);
  return counted(policy, failOpen, operation).then(use);
}

/** A cache operation's result, or `fallback` when the store is unavailable. */
export async function cached<T>(operation: Answer<T>, fallback: T): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    if (error instanceof StateUnavailableError) return fallback;
    throw error;
  }
}
