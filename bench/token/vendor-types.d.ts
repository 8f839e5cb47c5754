// Minimal typings for the two untyped benchmark dependencies (neither ships its own .d.ts and no @types package is
// installed). Only the surface the benchmark uses is declared.

declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  // The full configuration schema is large; the benchmark builds a plain object and lets the provider validate it.
  export type Configuration = Record<string, unknown>;

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    /** Inherited from Koa: when true, Koa's default error handler does not print to stderr. */
    silent: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: "server_error", listener: (ctx: unknown, err: Error) => void): this;
  }
  export default Provider;
}

declare module "autocannon" {
  import type { ConnectionOptions } from "node:tls";

  namespace autocannon {
    interface Options {
      url: string;
      method?: "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
      headers?: Record<string, string>;
      body?: string;
      connections?: number;
      pipelining?: number;
      /** Seconds. */
      duration?: number;
      /** Per-request timeout in seconds. */
      timeout?: number;
      warmup?: { connections: number; duration: number };
      tlsOptions?: ConnectionOptions;
    }
    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
      total: number;
    }
    interface Result {
      /** Seconds actually run. */
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      "2xx": number;
      statusCodeStats: Record<string, { count: number }>;
      /** Milliseconds. */
      latency: Histogram;
      /** Per-second samples; `sent` is the number of requests sent. */
      requests: Histogram & { sent: number };
    }
  }
  function autocannon(opts: autocannon.Options): PromiseLike<autocannon.Result>;
  export = autocannon;
}
