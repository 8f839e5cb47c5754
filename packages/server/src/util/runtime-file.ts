import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PRIVATE_FILE_MODE, restrict } from "./private-files.js";

/** Where a running server says it listens, so CLI commands given only `--data` can reach it. */
export interface RuntimeInfo {
  pid: number;
  identityUrl: string;
  adminUrl: string;
  gatewayUrl: string;
  caPath?: string;
}

const FILE = "runtime.json";

export async function writeRuntimeInfo(dataDir: string, info: RuntimeInfo): Promise<void> {
  const path = join(dataDir, FILE);
  await writeFile(path, `${JSON.stringify(info, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
  // A file left by a crashed server keeps its mode through writeFile.
  restrict(path);
}

export const removeRuntimeInfo = (dataDir: string) => rm(join(dataDir, FILE), { force: true });

export async function readRuntimeInfo(dataDir: string): Promise<RuntimeInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(join(dataDir, FILE), "utf8")) as RuntimeInfo;
    // A file left by a crashed server names a dead process.
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}
