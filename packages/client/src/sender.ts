import { setTimeout as sleep } from "node:timers/promises";

/** How failed token and discovery requests are retried. */
export interface RetryOptions {
  /** Tries in all, the first included (default 3). */
  attempts: number;
  /** The first backoff delay; it doubles on each retry, with jitter (default 500 ms). */
  baseDelayMs: number;
  /** The longest wait between tries. A `Retry-After` longer than this ends the retries (default 10 s). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 3, baseDelayMs: 500, maxDelayMs: 10_000 };

/** What one exchange ended with: a response of any status, or no response at all. */
export type Exchange =
  | { kind: "response"; status: number; headers: Headers; text: string; sentAt: number; retryAfterMs?: number }
  | { kind: "unreachable"; cause: unknown };

/** 429 and 5xx are worth another try; other statuses answer the request for good. */
const isTransient = (status: number) => status === 429 || status >= 500;

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in milliseconds from now. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries spread out. */
function backoffMs(policy: RetryOptions, retry: number): number {
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return delay / 2 + Math.random() * (delay / 2);
}

export interface SenderOptions {
  fetch: typeof globalThis.fetch;
  retry: RetryOptions;
  timeoutMs: number;
}

/** Sends requests to identity endpoints, retrying network failures, 429 and 5xx within a bounded policy. */
export class RetryingSender {
  constructor(private readonly options: SenderOptions) {}

  /** `init` is called for every try, so each carries fresh values (a new client assertion). */
  async send(url: string, init: () => Promise<RequestInit>): Promise<Exchange> {
    const { retry, timeoutMs } = this.options;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= retry.attempts;
      const request = await init();
      const sentAt = Date.now();
      let exchange: Exchange;
      try {
        const response = await this.options.fetch(url, { ...request, signal: AbortSignal.timeout(timeoutMs) });
        // Reading the body is part of the try: a connection dropped or timed out mid-body is a network failure.
        const text = await response.text();
        exchange = { kind: "response", status: response.status, headers: response.headers, text, sentAt };
      } catch (cause) {
        if (last) return { kind: "unreachable", cause };
        await sleep(backoffMs(retry, attempt));
        continue;
      }
      if (!isTransient(exchange.status)) return exchange;
      const asked = retryAfterMs(exchange.headers.get("retry-after"));
      // The server's wait is honoured, not shortened: when it is longer than the policy allows, stop here.
      if (last || (asked !== undefined && asked > retry.maxDelayMs)) {
        return asked === undefined ? exchange : { ...exchange, retryAfterMs: asked };
      }
      await sleep(asked ?? backoffMs(retry, attempt));
    }
  }
}

/** A body as JSON, or undefined when it is not JSON (an HTML error page from a proxy, an empty body). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A network failure in a few words: fetch says "fetch failed" and puts the reason (ECONNREFUSED …) in `cause`. */
export function unreachableReason(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return "timed out";
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string" && cause.message !== "") return cause.message;
  return error instanceof Error ? error.message : String(error);
}
