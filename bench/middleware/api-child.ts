// Child process entry: the benchmarked Express API, in one of its variants; reports its origin over IPC.
import type { AddressInfo } from "node:net";
import express, { type RequestHandler } from "express";
import { requireAuth, requireRole } from "../../packages/middleware/src/express.js";
import { RECORDS, type ApiReply, type ApiRequest } from "./spawn-api.js";

// When the benchmark ends or dies, the IPC channel closes: stop serving rather than linger as an orphan.
process.once("disconnect", () => process.exit(0));

process.once("message", (request: ApiRequest) => {
  start(request).then(
    (origin) => process.send?.({ ok: true, origin } satisfies ApiReply),
    (err: unknown) =>
      process.send?.({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies ApiReply, () =>
        process.disconnect(),
      ),
  );
});

async function start(request: ApiRequest): Promise<string> {
  const app = express();
  const records: RequestHandler = (_req, res) => {
    res.json(RECORDS);
  };
  if (request.protection === undefined) {
    app.get("/records", records);
  } else {
    const { authority, audience, role, cacheSize } = request.protection;
    app.get("/records", requireAuth({ authority, audience, cacheSize }), requireRole(role), records);
  }
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
