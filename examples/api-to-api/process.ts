import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { basename } from "node:path";
import type { RunningService } from "./listen.js";

/**
 * Runs a TypeScript service in its own Node process with exactly `env` as its environment, and resolves once it
 * prints a line starting with `ready` and holding its URL; a process that exits first rejects with its output.
 */
export function startProcess(script: string, env: Record<string, string>, ready: string): Promise<RunningService> {
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), script], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const collectErrors = (chunk: Buffer) => (stderr += chunk.toString());
    const exited = (code: number | null) =>
      reject(new Error(`${basename(script)} exited (${code}): ${(stderr || stdout).trim()}`));
    const readOutput = (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = stdout
        .split("\n")
        .find((line) => line.startsWith(ready))
        ?.match(/https?:\/\/[^/\s]+/)?.[0];
      if (url === undefined) return;
      // Started: later output is the service's own business, its errors go to this terminal.
      child.off("exit", exited).stdout?.off("data", readOutput).resume();
      child.stderr?.off("data", collectErrors).pipe(process.stderr);
      resolve({ url, close: () => stop(child) });
    };
    child.stdout?.on("data", readOutput);
    child.stderr?.on("data", collectErrors);
    child.once("exit", exited).once("error", reject);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exit = once(child, "exit");
  child.kill("SIGTERM");
  await exit;
}
