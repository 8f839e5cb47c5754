import { fileURLToPath } from "node:url";
import { runNodeScript } from "./spawn-node.js";

/**
 * Runs a client script (test/clients/NAME.ts) in its own Node process with NODE_EXTRA_CA_CERTS set before start,
 * exactly as a user trusts the local CA, and returns the JSON it prints.
 */
export async function runClient<T>(
  name: string,
  input: object,
  caPath: string | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const script = fileURLToPath(new URL(`../clients/${name}.ts`, import.meta.url));
  const result = await runNodeScript(
    script,
    [JSON.stringify(input)],
    caPath ? { NODE_EXTRA_CA_CERTS: caPath } : {},
    timeoutMs,
  );
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`client ${name} exited ${result.code}: ${result.stderr || result.stdout}`);
  }
}
