import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runNodeScript, type NodeResult } from "./spawn-node.js";

const entry = fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url));

/** Runs `gatehouse …` from source in its own process, as a user runs it. */
export const runCli = (args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<NodeResult> =>
  runNodeScript(entry, args, env, timeoutMs);

/** `gatehouse identity …` on a data folder, asserted to succeed; its stdout. */
export const identityCli =
  (dataDir: () => string) =>
  async (...args: string[]): Promise<string> => {
    const result = await runCli(["identity", ...args, "--data", dataDir()]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  };
