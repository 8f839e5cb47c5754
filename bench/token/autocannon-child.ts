// Child process for load.ts: runs autocannon away from the server's event loop and reports the result over IPC.
import autocannon from "autocannon";
import type { ChildReply, ChildRequest } from "./load.js";

// If the parent dies or gives up (timeout), stop generating load instead of running on as an orphan.
process.once("disconnect", () => process.exit(0));

process.once("message", (message: ChildRequest) => {
  void run(message).then(
    (reply) => process.send?.(reply, () => process.disconnect()),
    (err: unknown) =>
      process.send?.({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies ChildReply, () =>
        process.disconnect(),
      ),
  );
});

async function run(req: ChildRequest): Promise<ChildReply> {
  const result = await autocannon({
    url: req.url,
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(req.form).toString(),
    connections: req.connections,
    pipelining: 1,
    duration: req.durationSec,
    timeout: 10,
    ...(req.warmupSec > 0 ? { warmup: { connections: req.connections, duration: req.warmupSec } } : {}),
    // autocannon always connects with rejectUnauthorized:false, so the CA is passed for completeness only.
    ...(req.ca ? { tlsOptions: { ca: req.ca } } : {}),
  });
  return {
    ok: true,
    result: {
      // Only 2xx count as issued tokens; error responses are usually much cheaper and would inflate the rate.
      requestsPerSec: result["2xx"] / result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
    },
  };
}
