/**
 * Files only their owner may read: the data folder (0700) and what it holds that is secret or leads to secrets (the
 * master key, the SQLite database and its -wal/-shm, runtime information: 0600). Modes are set exactly rather than
 * left to the umask, and a folder or file created earlier with wider modes is tightened when it is next opened.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from "node:fs";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the folder (and missing parents) if needed, and takes group and other access away from it. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  restrict(dir, PRIVATE_DIR_MODE);
}

/** Creates the file empty if it does not exist, then restricts it: it never exists with a wider mode. */
export function makePrivateFile(path: string): void {
  closeSync(openSync(path, "a", PRIVATE_FILE_MODE));
  restrict(path, PRIVATE_FILE_MODE);
}

/**
 * Sets `mode` when group or others have any access; a file already private is not touched (so a read-only folder
 * provisioned earlier still opens). A missing file is skipped.
 */
export function restrict(path: string, mode: number = PRIVATE_FILE_MODE): void {
  let current: number;
  try {
    current = statSync(path).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if ((current & 0o077) !== 0) chmodSync(path, mode);
}
