import { fork } from "node:child_process";
import type { FastifyPeerOptions } from "./node-targets.js";

export type TargetRequest =
  { kind: "backend" } | ({ kind: "fastify" } & FastifyPeerOptions) | { kind: "bare"; backendOrigin: string };
export type TargetReply = { ok: true; origin: string } | { ok: false; error: string };

export interface SpawnedTarget {
  origin: string;
  pid: number;
  close(): Promise<void>;
}

const childExt = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const childUrl = new URL(`./target-child${childExt}`, import.meta.url);
// tsx compile plus fastify's start-up on a busy 2-core machine.
const STARTUP_LIMIT_MS = 30_000;

/**
 * Starts a Node target in its own process, so it never shares an event loop (or a core's worth of GC) with the
 * benchmark, Gatehouse or another target. Resolves once it listens.
 */
export function spawnTarget(request: TargetRequest): Promise<SpawnedTarget> {
  // fork() inherits process.execArgv, so `--import tsx` applies to the .ts child.
  const child = fork(childUrl, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await exited;
  };
  return new Promise<SpawnedTarget>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      void close();
      reject(new Error(`${request.kind} target: ${why}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${STARTUP_LIMIT_MS} ms`), STARTUP_LIMIT_MS);
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(`exited during start-up (code ${code}, signal ${signal})`);
    child.once("message", (reply: TargetReply) => {
      if (!reply.ok) return fail(reply.error);
      clearTimeout(timer);
      child.off("exit", onEarlyExit);
      resolve({ origin: reply.origin, pid: child.pid ?? 0, close });
    });
    child.once("error", (err) => fail(err.message));
    child.once("exit", onEarlyExit);
    child.send(request);
  });
}
