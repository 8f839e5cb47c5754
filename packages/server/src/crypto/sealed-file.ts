import { chmod, readFile, rename, writeFile } from "node:fs/promises";
import type { MasterKey } from "./master-key.js";
import { PRIVATE_FILE_MODE, restrict } from "../util/private-files.js";

export class SealedFileError extends Error {
  override name = "SealedFileError";
}

/**
 * A small JSON file (mode 0600) whose one secret is sealed with the master key, so a credential the CLI needs
 * later is never stored in plaintext. Written atomically.
 */
export async function writeSealedFile<T extends object>(
  path: string,
  masterKey: MasterKey,
  aad: string,
  fields: T,
  secret: string,
): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify({ ...fields, sealedSecret: masterKey.seal(secret, aad) }, null, 2)}\n`, {
    mode: PRIVATE_FILE_MODE,
  });
  await chmod(temp, PRIVATE_FILE_MODE);
  await rename(temp, path);
}

export async function readSealedFile<T extends object>(
  path: string,
  masterKey: MasterKey,
  aad: string,
): Promise<T & { secret: string }> {
  let parsed: T & { sealedSecret?: string };
  try {
    restrict(path);
    parsed = JSON.parse(await readFile(path, "utf8")) as T & { sealedSecret?: string };
  } catch {
    throw new SealedFileError(`cannot read ${path}`);
  }
  if (typeof parsed.sealedSecret !== "string") throw new SealedFileError(`${path} holds no sealed secret`);
  const { sealedSecret, ...fields } = parsed;
  return { ...(fields as T), secret: masterKey.open(sealedSecret, aad).toString("utf8") };
}
