import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Runs a client script (test/clients/NAME.ts) in its own Node process with NODE_EXTRA_CA_CERTS set before start,
 * exactly as a user trusts the local CA, and returns the JSON it prints.
 */
export function runClient<T>(name: string, input: object, caPath: string | undefined, timeoutMs = 30_000): Promise<T> {
  const script = fileURLToPath(new URL(`../clients/${name}.ts`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, JSON.stringify(input)], {
      env: { ...process.env, ...(caPath ? { NODE_EXTRA_CA_CERTS: caPath } : {}) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        reject(new Error(`client ${name} exited ${code}: ${err || out}`));
      }
    });
  });
}
