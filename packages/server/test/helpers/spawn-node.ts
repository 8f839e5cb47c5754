import { spawn } from "node:child_process";

export interface NodeResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point in its own Node process (through tsx) and collects its output; bounded in time. */
export function runNodeScript(
  script: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
  /** Variables of this process the child must not inherit. */
  unset: readonly string[] = [],
): Promise<NodeResult> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !unset.includes(name)));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      env: { ...inherited, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
