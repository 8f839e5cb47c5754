import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createServer, connect, type AddressInfo } from "node:net";
import { join } from "node:path";
import { API_PREFIX } from "./node-targets.js";

export interface HaproxyTarget {
  origin: string;
  pid: number;
  close(): Promise<void>;
}

export interface HaproxyOptions {
  backendOrigin: string;
  publicKeyPem: string;
  audience: string;
  /** Where the generated configuration and the public key are written. */
  workDir: string;
}

/**
 * HAProxy's configuration: the bearer token's `alg` must be RS256, `jwt_verify` with the public key must return 1,
 * `exp` must be present and later than `date()`, `aud` must be the audience; then the API prefix is stripped and
 * the request proxied to the backend over kept-alive connections. Every refusal is a 401.
 */
export function haproxyConfig(port: number, backend: URL, publicKeyPath: string, audience: string): string {
  return `global
  maxconn 4096

defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 60s

frontend bench
  bind 127.0.0.1:${port}
  http-request set-var(txn.bearer) http_auth_bearer
  http-request set-var(txn.alg) var(txn.bearer),jwt_header_query('$.alg')
  http-request deny deny_status 401 unless { var(txn.alg) -m str RS256 }
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_verify(txn.alg,"${publicKeyPath}") -m int 1 }
  http-request set-var(txn.now) date()
  http-request set-var(txn.exp) var(txn.bearer),jwt_payload_query('$.exp','int')
  http-request deny deny_status 401 unless { var(txn.exp),sub(txn.now) -m int gt 0 }
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_payload_query('$.aud') -m str ${audience} }
  http-request replace-path ${API_PREFIX}(/.*) \\1
  default_backend backend

backend backend
  http-reuse safe
  server backend ${backend.hostname}:${backend.port}
`;
}

/** Starts `haproxy -db` (foreground) with the generated configuration; resolves once it accepts connections. */
export async function startHaproxy(o: HaproxyOptions): Promise<HaproxyTarget> {
  const keyPath = join(o.workDir, "jwt-public-key.pem");
  const configPath = join(o.workDir, "haproxy.cfg");
  const port = await freePort();
  await writeFile(keyPath, o.publicKeyPem);
  await writeFile(configPath, haproxyConfig(port, new URL(o.backendOrigin), keyPath, o.audience));

  const child = spawn("haproxy", ["-db", "-f", configPath], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Unlike the forked Node targets, HAProxy has no IPC channel to notice that the benchmark died: stop it on exit.
  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  };
  process.once("exit", stop);
  const close = async (): Promise<void> => {
    process.off("exit", stop);
    stop();
    await exited;
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (code ${child.exitCode}): ${stderr.trim()}`);
    if (await accepts(port)) return { origin: `http://127.0.0.1:${port}`, pid: child.pid ?? 0, close };
    await new Promise((r) => setTimeout(r, 100));
  }
  await close();
  throw new Error(`haproxy did not listen on 127.0.0.1:${port} within 10 s: ${stderr.trim()}`);
}

/** A port the system considers free right now (HAProxy needs it in its configuration before it starts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
