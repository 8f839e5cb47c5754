import { fork, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ensureCommand, firstLine } from "./system-tools.js";

export interface LoadSpec {
  url: string;
  /** Sent as the Authorization header of every request; absent for the targets that check no token. */
  authorization?: string;
  /** Further request headers (bench/policies sends the one its check-header policy wants). */
  headers?: Readonly<Record<string, string>>;
  connections: number;
  durationSec: number;
  /** An unmeasured run at the same concurrency right before the measured one. */
  warmupSec: number;
}

export interface LoadResult {
  /** Responses with a status below 400, per second of the measured window. */
  requestsPerSec: number;
  /** Latency percentiles over every response of the measured window, milliseconds. */
  p50Ms: number;
  p99Ms: number;
  /** Responses with a status of 400 or more (wrk) or outside 2xx (autocannon). */
  non2xx: number;
  /** Connection errors, read/write errors and timeouts. */
  errors: number;
}

export interface LoadGenerator {
  /** e.g. "wrk 4.1.0, 1 thread" */
  name: string;
  run(spec: LoadSpec): Promise<LoadResult>;
}

// Process start-up and connection set-up, on top of the load's own duration.
const STARTUP_ALLOWANCE_MS = 20_000;

/**
 * wrk when it is installed (or can be: root installs Debian's package), since it costs the shared cores far less per
 * request than a Node load generator; otherwise autocannon in a child process.
 */
export function loadGenerator(): LoadGenerator {
  if (ensureCommand("wrk", "wrk")) {
    const version = /wrk (?:debian\/)?(\S+)/.exec(firstLine("wrk", ["-v"]))?.[1] ?? "?";
    return { name: `wrk ${version}, 1 thread`, run: runWrk };
  }
  return { name: "autocannon (child process)", run: runAutocannon };
}

const luaScript = fileURLToPath(new URL("./wrk-report.lua", import.meta.url));

interface WrkReport {
  requests: number;
  durationUs: number;
  status: number;
  connect: number;
  read: number;
  write: number;
  timeout: number;
  p50Us: number;
  p99Us: number;
}

async function runWrk(spec: LoadSpec): Promise<LoadResult> {
  if (spec.warmupSec > 0) await wrk(spec, spec.warmupSec);
  const r = await wrk(spec, spec.durationSec);
  return {
    requestsPerSec: (r.requests - r.status) / (r.durationUs / 1e6),
    p50Ms: r.p50Us / 1000,
    p99Ms: r.p99Us / 1000,
    non2xx: r.status,
    errors: r.connect + r.read + r.write + r.timeout,
  };
}

function wrk(spec: LoadSpec, durationSec: number): Promise<WrkReport> {
  // One thread: the machine's cores are better left to the target; one wrk thread outruns every target here.
  const args = ["-t1", `-c${spec.connections}`, `-d${durationSec}s`, "--timeout", "10s", "-s", luaScript, spec.url];
  // The token goes through the environment, not the command line, so it does not show in the process list.
  const headerLines = Object.entries(spec.headers ?? {}).map(([name, value]) => `${name}: ${value}\n`);
  const env = { ...process.env, BENCH_AUTHORIZATION: spec.authorization ?? "", BENCH_HEADERS: headerLines.join("") };
  return new Promise((resolve, reject) => {
    const child = spawn("wrk", args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
    const limitMs = durationSec * 1000 + STARTUP_ALLOWANCE_MS;
    const timer = setTimeout(() => child.kill(), limitMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith('{"requests"'));
      if (code !== 0 || !line) {
        reject(new Error(`wrk against ${spec.url} failed (code ${code}, signal ${signal}): ${out.trim().slice(-500)}`));
      } else resolve(JSON.parse(line) as WrkReport);
    });
  });
}

export type AutocannonRequest = LoadSpec;
export type AutocannonReply = { ok: true; result: LoadResult } | { ok: false; error: string };

const childExt = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const autocannonChild = new URL(`./autocannon-child${childExt}`, import.meta.url);

/** autocannon in a forked process, so the load generator never shares an event loop with an in-process target. */
function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  const child = fork(autocannonChild, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise<LoadResult>((resolve, reject) => {
    const limitMs = (spec.durationSec + spec.warmupSec) * 1000 + STARTUP_ALLOWANCE_MS;
    const finish = (err: Error | undefined, result?: LoadResult): void => {
      clearTimeout(timer);
      child.removeAllListeners();
      if (err) {
        child.kill();
        reject(err);
      } else if (result) resolve(result);
    };
    const timer = setTimeout(() => finish(new Error(`autocannon did not finish within ${limitMs} ms`)), limitMs);
    child.once("message", (reply: AutocannonReply) =>
      reply.ok ? finish(undefined, reply.result) : finish(new Error(`autocannon: ${reply.error}`)),
    );
    child.once("error", (err) => finish(err));
    child.once("exit", (code, signal) => finish(new Error(`autocannon exited early (code ${code}, signal ${signal})`)));
    child.send(spec satisfies AutocannonRequest);
  });
}
