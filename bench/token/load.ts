import { fork } from "node:child_process";

export interface LoadOptions {
  url: string;
  form: Record<string, string>;
  connections: number;
  /** Measured window, seconds. */
  durationSec: number;
  /** PEM CA bundle for an HTTPS target. */
  ca?: string;
  /** Unmeasured warm-up run at the same concurrency immediately before the measured one, seconds (default 0). */
  warmupSec?: number;
}

export interface LoadResult {
  /** Successful (2xx) responses per second over the measured window, i.e. tokens/s. */
  requestsPerSec: number;
  /** Latency percentiles in milliseconds, over all responses in the measured window. */
  p50: number;
  p99: number;
  non2xx: number;
  /** Connection errors and timeouts reported by autocannon. */
  errors: number;
}

export type ChildRequest = Required<Omit<LoadOptions, "ca">> & { ca?: string };
export type ChildReply = { ok: true; result: LoadResult } | { ok: false; error: string };

const childExt = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const childUrl = new URL(`./autocannon-child${childExt}`, import.meta.url);

// Child start-up (tsx compile, autocannon import, connection setup) on a busy 2-core box.
const STARTUP_ALLOWANCE_MS = 20_000;

/**
 * POSTs the form (application/x-www-form-urlencoded) to `url` with autocannon, `connections` keep-alive connections,
 * pipelining 1, for `durationSec`. autocannon runs in a forked child process so the load generator never shares an
 * event loop with a server that lives in this process.
 */
export function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const request: ChildRequest = {
    url: opts.url,
    form: opts.form,
    connections: opts.connections,
    durationSec: opts.durationSec,
    warmupSec: opts.warmupSec ?? 0,
    ...(opts.ca ? { ca: opts.ca } : {}),
  };
  // fork() inherits process.execArgv, so `--import tsx` applies to the .ts child (unlike worker threads on Node 20).
  const child = fork(childUrl, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise<LoadResult>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, result?: LoadResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        child.kill();
        reject(err);
      } else if (result) resolve(result);
    };
    const limitMs = (request.durationSec + request.warmupSec) * 1000 + STARTUP_ALLOWANCE_MS;
    const timer = setTimeout(
      () => finish(new Error(`load against ${opts.url} did not finish within ${limitMs} ms`)),
      limitMs,
    );
    child.once("message", (reply: ChildReply) =>
      reply.ok ? finish(undefined, reply.result) : finish(new Error(`autocannon: ${reply.error}`)),
    );
    child.once("error", (err) => finish(err));
    child.once("exit", (code, signal) =>
      finish(new Error(`autocannon child exited early (code ${code}, signal ${signal})`)),
    );
    child.send(request);
  });
}
