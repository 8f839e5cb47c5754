// Child process for load.ts when wrk is unavailable: GETs the URL with autocannon and reports over IPC.
import autocannon from "autocannon";
import type { AutocannonReply, AutocannonRequest } from "./load.js";

process.once("disconnect", () => process.exit(0));

process.once("message", (spec: AutocannonRequest) => {
  void run(spec).then(
    (reply) => process.send?.(reply, () => process.disconnect()),
    (err: unknown) =>
      process.send?.(
        { ok: false, error: err instanceof Error ? err.message : String(err) } satisfies AutocannonReply,
        () => process.disconnect(),
      ),
  );
});

async function run(spec: AutocannonRequest): Promise<AutocannonReply> {
  const result = await autocannon({
    url: spec.url,
    method: "GET",
    headers: { ...spec.headers, ...(spec.authorization ? { authorization: spec.authorization } : {}) },
    connections: spec.connections,
    pipelining: 1,
    duration: spec.durationSec,
    timeout: 10,
    ...(spec.warmupSec > 0 ? { warmup: { connections: spec.connections, duration: spec.warmupSec } } : {}),
  });
  return {
    ok: true,
    result: {
      requestsPerSec: result["2xx"] / result.duration,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
    },
  };
}
