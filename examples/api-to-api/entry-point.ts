import { pathToFileURL } from "node:url";

/**
 * Runs `main` when the module is the script Node was started with (`node --import tsx examples/api-to-api/api1.ts`)
 * and not when it is imported; a failure is printed as one line and exits with status 1.
 */
export function runIfEntryPoint(moduleUrl: string, main: () => Promise<void>): void {
  const script = process.argv[1];
  if (script === undefined || pathToFileURL(script).href !== moduleUrl) return;
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

/** Stops cleanly on Ctrl+C or SIGTERM. */
export function stopOnSignal(close: () => Promise<void>): void {
  const stop = () => void close().finally(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
