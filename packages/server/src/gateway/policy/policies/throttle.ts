/**
 * What rate-limit and rate-limit-by-key share (reference apim.md §2.4–2.5, §4.4): the header and variable attributes
 * and the 429 with Retry-After.
 */
import type { PipelineContext } from "../../pipeline/context.js";
import type { RateDecision } from "../../state/gateway-state.js";
import { PolicyFailure, type PolicyElement } from "../definition.js";

export interface ThrottleOutput {
  readonly retryAfterHeader: string;
  readonly retryAfterVariable: string | undefined;
  readonly remainingHeader: string | undefined;
  readonly remainingVariable: string | undefined;
  readonly totalHeader: string | undefined;
}

export function readThrottleOutput(element: PolicyElement): ThrottleOutput {
  return {
    retryAfterHeader: element.attribute("retry-after-header-name") || "Retry-After",
    retryAfterVariable: element.attribute("retry-after-variable-name") || undefined,
    remainingHeader: element.attribute("remaining-calls-header-name") || undefined,
    remainingVariable: element.attribute("remaining-calls-variable-name") || undefined,
    totalHeader: element.attribute("total-calls-header-name") || undefined,
  };
}

/**
 * Sets the variables now and the headers on the response once it is known, or refuses with APIM's 429 (its
 * LastError.Message is the reference's "Rate limit is exceeded"; the client's message says when to retry).
 */
export function applyRateDecision(
  context: PipelineContext,
  policy: string,
  output: ThrottleOutput,
  decision: RateDecision,
  calls: number,
): void {
  if (output.remainingVariable) context.variables.set(output.remainingVariable, decision.remaining);
  const headers: Record<string, string> = {};
  if (output.remainingHeader) headers[output.remainingHeader] = String(decision.remaining);
  if (output.totalHeader) headers[output.totalHeader] = String(calls);
  if (decision.allowed) {
    if (output.remainingHeader || output.totalHeader) {
      context.completions.push(() => {
        const response = context.response;
        if (response) for (const [name, value] of Object.entries(headers)) response.headers.set(name, [value]);
      });
    }
    return;
  }
  const seconds = decision.retryAfterSeconds;
  if (output.retryAfterVariable) context.variables.set(output.retryAfterVariable, seconds);
  headers[output.retryAfterHeader] = String(seconds);
  throw new PolicyFailure(
    429,
    `Rate limit is exceeded. Try again in ${seconds} seconds.`,
    policy,
    "RateLimitExceeded",
    "Rate limit is exceeded",
    headers,
  );
}
