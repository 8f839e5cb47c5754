import cluster, { type Worker } from "node:cluster";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { AggregatorRegistry } from "prom-client";
import {
  WORKER_CONFIG_ENV,
  isWorkerMessage,
  type PrimaryMessage,
  type WorkerConfig,
  type WorkerMessage,
} from "./messages.js";

export class GatewayWorkerError extends Error {
  override name = "GatewayWorkerError";
}

/**
 * Gateway worker processes sharing one listening port (node's cluster hands each new connection to a worker), so the
 * gateway uses every core. Each worker compiles the configuration itself; none shares memory with the primary.
 */
export class GatewayWorkerPool {
  private closing = false;
  private nextRequest = 0;

  private constructor(
    private readonly config: WorkerConfig,
    private readonly logger: Logger,
    readonly port: number,
    private readonly workers: Set<Worker>,
  ) {}

  static async start(count: number, config: WorkerConfig, logger: Logger): Promise<GatewayWorkerPool> {
    if (!config.redis) {
      logger.warn(`${count} gateway workers without --redis: rate limits, quotas and caches are per worker`);
    }
    const entry = new URL(`./worker-main${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
    // Under tsx (tests, benchmarks) the workers load TypeScript too.
    const execArgv = entry.pathname.endsWith(".ts") ? ["--import", import.meta.resolve("tsx")] : [];
    cluster.setupPrimary({ exec: fileURLToPath(entry), execArgv, args: [] });
    const workers = new Set<Worker>();
    try {
      // The primary holds one listening handle per address and port asked for, port 0 included, and shares it: every
      // worker asks for the same one.
      const first = await fork(config, workers);
      const pool = new GatewayWorkerPool(config, logger, first.port, workers);
      await Promise.all(Array.from({ length: count - 1 }, () => fork(config, workers)));
      for (const worker of workers) pool.watch(worker);
      return pool;
    } catch (error) {
      for (const worker of workers) worker.kill();
      throw error;
    }
  }

  /** A worker that dies is replaced, so the gateway keeps its capacity. */
  private watch(worker: Worker): void {
    worker.once("exit", (code) => {
      this.workers.delete(worker);
      if (this.closing) return;
      this.logger.error({ worker: worker.process.pid, code }, "gateway worker exited; starting another");
      fork(this.config, this.workers).then(
        ({ worker: replacement }) => this.watch(replacement),
        (err: unknown) => this.logger.error({ err }, "cannot replace a gateway worker"),
      );
    });
  }

  /** Every worker reloads now; resolves when all have. */
  async reload(): Promise<void> {
    const id = ++this.nextRequest;
    await Promise.all([...this.workers].map((worker) => ask(worker, { type: "gatehouse:reload", id })));
  }

  /** The workers' metrics, summed across them. */
  async metrics(): Promise<{ contentType: string; text: string }> {
    const id = ++this.nextRequest;
    const answers = await Promise.all(
      [...this.workers].map((worker) => ask(worker, { type: "gatehouse:metrics", id })),
    );
    const registry = AggregatorRegistry.aggregate(
      answers.flatMap((answer) => (answer?.type === "gatehouse:metrics" ? [answer.metrics] : [])),
    );
    return { contentType: registry.contentType, text: await registry.metrics() };
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [...this.workers].map(
        (worker) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => worker.kill("SIGKILL"), 10_000);
            worker.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            worker.send({ type: "gatehouse:shutdown" } satisfies PrimaryMessage);
          }),
      ),
    );
  }
}

function fork(config: WorkerConfig, workers: Set<Worker>): Promise<{ worker: Worker; port: number }> {
  const worker = cluster.fork({ [WORKER_CONFIG_ENV]: JSON.stringify(config) });
  workers.add(worker);
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      if (message.type === "gatehouse:listening") {
        cleanup();
        resolve({ worker, port: message.port });
      } else if (message.type === "gatehouse:failed") {
        cleanup();
        reject(new GatewayWorkerError(`a gateway worker could not start: ${message.message}`));
      }
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new GatewayWorkerError(`a gateway worker exited with code ${code} before it listened`));
    };
    const cleanup = () => {
      worker.off("message", onMessage);
      worker.off("exit", onExit);
    };
    worker.on("message", onMessage);
    worker.once("exit", onExit);
  });
}

/** Sends a request and waits for the worker's answer with the same id; a worker that exits meanwhile answers nothing. */
function ask(worker: Worker, message: PrimaryMessage & { id: number }): Promise<WorkerMessage | undefined> {
  return new Promise((resolve) => {
    const onMessage = (answer: unknown) => {
      if (isWorkerMessage(answer) && "id" in answer && answer.id === message.id) done(answer);
    };
    const done = (answer?: WorkerMessage) => {
      worker.off("message", onMessage);
      worker.off("exit", onExit);
      resolve(answer);
    };
    const onExit = () => done();
    worker.on("message", onMessage);
    worker.once("exit", onExit);
    worker.send(message);
  });
}
