import { fork } from "node:child_process";

/** What GET /records answers in every variant: ten small records (about 250 bytes of JSON). */
export const RECORDS = Array.from({ length: 10 }, (_, i) => ({ id: i + 1, name: `record ${i + 1}` }));

/** Which variant of the API a child serves: unprotected, or behind requireAuth + requireRole. */
export interface ApiRequest {
  protection?: { authority: string; audience: string; role: string; cacheSize: number };
}
export type ApiReply = { ok: true; origin: string } | { ok: false; error: string };

export interface SpawnedApi {
  origin: string;
  close(): Promise<void>;
}

const childExt = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const childUrl = new URL(`./api-child${childExt}`, import.meta.url);
// tsx compile and Express start-up on a busy 2-core machine.
const STARTUP_LIMIT_MS = 30_000;

/** Starts the API in its own process (fork inherits `--import tsx`), so it shares no event loop with Gatehouse. */
export function spawnApi(request: ApiRequest): Promise<SpawnedApi> {
  const child = fork(childUrl, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await exited;
  };
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      void close();
      reject(new Error(`API child: ${why}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${STARTUP_LIMIT_MS} ms`), STARTUP_LIMIT_MS);
    const onExit = (code: number | null) => fail(`exited during start-up (code ${code})`);
    child.once("exit", onExit);
    child.once("error", (err) => fail(err.message));
    child.once("message", (reply: ApiReply) => {
      if (!reply.ok) return fail(reply.error);
      clearTimeout(timer);
      child.off("exit", onExit);
      resolve({ origin: reply.origin, close });
    });
    child.send(request);
  });
}
