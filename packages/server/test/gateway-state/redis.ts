/** The Redis the state tests use: the machine's shared one on 6379, or a private redis-server they start and stop. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import pino, { type Logger } from "pino";

export const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS ?? "redis://127.0.0.1:6379";

/**
 * Why the Redis tests are skipped, or false when they run. Under CI=true Redis must answer: an unreachable server
 * fails the suite instead of skipping it.
 */
export async function redisSkip(): Promise<string | false> {
  const unreachable = await unanswered(REDIS_URL);
  if (unreachable && process.env.CI === "true") throw new Error(`CI=true requires Redis: ${unreachable}`);
  if (unreachable) console.log(`# skipping Redis state tests: ${unreachable}`);
  return unreachable;
}

/** Why the tests that start their own redis-server are skipped, or false; under CI=true it must be installed. */
export async function privateRedisSkip(): Promise<string | false> {
  const found = spawnSync("redis-server", ["--version"], { stdio: "ignore" });
  const missing = found.error || found.status !== 0 ? "redis-server is not installed" : false;
  if (missing && process.env.CI === "true") throw new Error("CI=true requires redis-server");
  if (missing) console.log(`# skipping Redis outage tests: ${missing}`);
  return missing;
}

async function unanswered(url: string): Promise<string | false> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.ping();
    return false;
  } catch (error) {
    return `Redis at ${url} does not answer (${(error as Error).message})`;
  } finally {
    client.disconnect();
  }
}

/** A logger whose lines the test reads back. */
export function capturingLogger(): { logger: Logger; lines: () => { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: "info" },
    {
      write(line: string) {
        lines.push(JSON.parse(line) as { level: number; msg: string });
      },
    },
  );
  return { logger, lines: () => lines };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of the test's own (never the shared one), without persistence, stopped and started at will. */
export class PrivateRedis {
  private process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    this.process = child;
    for (let attempt = 0; attempt < 100; attempt++) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
      if ((await unanswered(this.url)) === false) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server on port ${this.port} did not answer`);
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }
}
