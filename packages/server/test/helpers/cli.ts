import { fileURLToPath } from "node:url";
import { runNodeScript, type NodeResult } from "./spawn-node.js";

const entry = fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url));

/** Runs `gatehouse …` from source in its own process, as a user runs it. */
export const runCli = (args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<NodeResult> =>
  runNodeScript(entry, args, env, timeoutMs);
