// Child process entry: starts one Node target (spawn-target.ts says which) and reports its origin over IPC.
import { startBackend, startBareProxy, startFastifyPeer, type ListeningTarget } from "./node-targets.js";
import type { TargetReply, TargetRequest } from "./spawn-target.js";

// When the benchmark ends or dies, the IPC channel closes: stop serving rather than linger as an orphan.
process.once("disconnect", () => process.exit(0));

process.once("message", (message: TargetRequest) => {
  start(message).then(
    (target) => process.send?.({ ok: true, origin: target.origin } satisfies TargetReply),
    (err: unknown) =>
      process.send?.({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies TargetReply, () =>
        process.disconnect(),
      ),
  );
});

function start(req: TargetRequest): Promise<ListeningTarget> {
  switch (req.kind) {
    case "backend":
      return startBackend();
    case "fastify":
      return startFastifyPeer(req);
    case "bare":
      return startBareProxy(req.backendOrigin);
  }
}
