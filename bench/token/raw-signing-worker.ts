// Worker body for raw-signing.ts: signs one realistic JWT signing input with RS256 in a tight loop.
import { createPrivateKey, sign } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { sampleSigningInput } from "./jwt-payload.js";

export interface RawSigningWorkerData {
  privateKeyPem: string;
  durationMs: number;
}

export type RawSigningWorkerMessage = { type: "ready" } | { type: "done"; signs: number; elapsedMs: number };

const port = parentPort;
if (!port) throw new Error("raw-signing-worker must run as a worker thread");

const { privateKeyPem, durationMs } = workerData as RawSigningWorkerData;
const key = createPrivateKey(privateKeyPem);
const input = sampleSigningInput();

// A few signs before the clock starts so key setup and JIT warm-up are not measured.
for (let i = 0; i < 20; i++) sign("sha256", input, key);

const post = (message: RawSigningWorkerMessage): void => port.postMessage(message);

// Wait for "go" so every worker starts together and the all-cores figure measures truly concurrent signing.
port.once("message", () => {
  const start = performance.now();
  const deadline = start + durationMs;
  let signs = 0;
  let now = start;
  while (now < deadline) {
    sign("sha256", input, key);
    signs++;
    now = performance.now();
  }
  post({ type: "done", signs, elapsedMs: now - start });
});
post({ type: "ready" });
