import { open, rm, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

export class FileLockError extends Error {
  override name = "FileLockError";
}

export interface FileLockOptions {
  /** How long to wait for another process to finish. */
  waitMs: number;
  /** A lock file older than this was left by a crashed process and is taken over. */
  staleMs: number;
}

/** Cross-process mutex: an exclusive-create lock file, removed when `fn` settles. */
export async function withFileLock<T>(lockPath: string, options: FileLockOptions, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    try {
      await (await open(lockPath, "wx", 0o600)).close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const info = await stat(lockPath).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > options.staleMs) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new FileLockError(
          `timed out waiting for ${lockPath}; delete it if no other Gatehouse process is running`,
        );
      }
      await sleep(50);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}
