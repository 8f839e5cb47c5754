import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Starts a worker thread from a sibling module of `from` (an `import.meta.url`), by base name.
 * Built code loads the `.js` file directly. Under tsx the module is `.ts`, and on Node 20 a worker does not inherit
 * tsx's loader (nodejs/node#47747), so a one-line bootstrap registers tsx in the worker first.
 */
export function startModuleWorker(from: string, baseName: string, options: WorkerOptions = {}): Worker {
  const ext = extname(fileURLToPath(from));
  const url = new URL(`./${baseName}${ext}`, from);
  if (ext !== ".ts") return new Worker(url, options);
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
