import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";
import type { Worker } from "node:worker_threads";
import { startModuleWorker } from "../../packages/server/src/util/module-worker.js";
import type { RawSigningWorkerData, RawSigningWorkerMessage } from "./raw-signing-worker.js";

export interface RawSigningResult {
  threads: number;
  signsPerSec: number;
}

// Generous allowance on top of the measured window for worker start-up (tsx compile, key import).
const STARTUP_ALLOWANCE_MS = 30_000;

/**
 * The machine's RS256 ceiling: `threads` worker threads each call crypto.sign("sha256", ...) with a 2048-bit key
 * on a ~700-byte JWT payload for `durationMs`, all starting at the same instant. Returns the summed signs/s.
 */
export async function measureRawSigning(durationMs: number, threads: number): Promise<RawSigningResult> {
  // 2048 bits matches jose's generateKeyPair("RS256") default and what token servers typically use.
  // Async generation with PEM output: generateKeyPairSync plus a JWK export has been seen to hang Node 20.
  const { privateKey } = await promisify(generateKeyPair)("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const workerData: RawSigningWorkerData = { privateKeyPem: privateKey, durationMs };
  const workers = Array.from({ length: threads }, () =>
    startModuleWorker(import.meta.url, "raw-signing-worker", { workerData }),
  );
  const timer = setTimeout(() => {
    for (const w of workers) void w.terminate();
  }, durationMs + STARTUP_ALLOWANCE_MS);

  try {
    const ready = workers.map((w) => waitFor(w, "ready"));
    const done = workers.map((w) => waitFor(w, "done"));
    await Promise.all(ready);
    for (const w of workers) w.postMessage("go");
    const results = await Promise.all(done);
    let signsPerSec = 0;
    for (const r of results) {
      if (r.type === "done") signsPerSec += r.signs / (r.elapsedMs / 1000);
    }
    return { threads, signsPerSec };
  } finally {
    clearTimeout(timer);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function waitFor(worker: Worker, type: RawSigningWorkerMessage["type"]): Promise<RawSigningWorkerMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: RawSigningWorkerMessage): void => {
      if (message.type !== type) return;
      cleanup();
      resolve(message);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`raw-signing worker exited (code ${code}) before sending "${type}"`));
    };
    const cleanup = (): void => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
  });
}
