import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { readAdminClient } from "../../src/admin/management.js";
import { loadMasterKey } from "../../src/crypto/master-key.js";
import { readRuntimeInfo, type RuntimeInfo } from "../../src/util/runtime-file.js";

const cli = fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url));

export interface CliServer {
  info: RuntimeInfo;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** `gatehouse start` on plain HTTP and OS-chosen identity and admin ports; the gateway's is up to the caller. */
export const startArgs = (dataDir: string): string[] => [
  "start",
  "--data",
  dataDir,
  "--insecure-http",
  "--identity-port",
  "0",
  "--admin-port",
  "0",
];

/**
 * `gatehouse start` in its own process on plain HTTP and OS-chosen ports, as an operator runs it; resolves once
 * the server has written where it listens.
 */
export async function startCliServer(
  dataDir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliServer> {
  const child = spawn(process.execPath, ["--import", "tsx", cli, ...startArgs(dataDir), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  for (let i = 0; i < 300; i++) {
    const info = await readRuntimeInfo(dataDir);
    if (info) return { info, output: () => output, kill };
    await new Promise((r) => setTimeout(r, 100));
  }
  await kill("SIGKILL");
  throw new Error(`gatehouse start did not come up: ${output}`);
}

/** An admin API token for the bootstrap admin client of a data folder, from the running server's token endpoint. */
export async function fetchAdminToken(
  dataDir: string,
  identityUrl: string,
): Promise<{ token: string; secret: string }> {
  const admin = await readAdminClient(dataDir, await loadMasterKey(dataDir));
  const response = await fetch(`${identityUrl}/${admin.tenantId}/oauth2/v2.0/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: admin.clientId,
      client_secret: admin.clientSecret,
      scope: admin.scope,
    }),
  });
  const { access_token: token } = (await response.json()) as { access_token: string };
  return { token, secret: admin.clientSecret };
}
