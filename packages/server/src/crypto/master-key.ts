import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { makePrivateDir, restrict } from "../util/private-files.js";

export class MasterKeyError extends Error {
  override name = "MasterKeyError";
}

export interface MasterKey {
  /** AES-256-GCM; returns "v1.<iv>.<ciphertext>.<tag>" (base64url parts). aad binds the ciphertext to its purpose/row. */
  seal(plaintext: Buffer | string, aad: string): string;
  /** Throws MasterKeyError on tamper, wrong key or wrong aad; the message never includes key material. */
  open(sealed: string, aad: string): Buffer;
  /** HKDF-SHA-256 sub-key for a purpose label, 32 bytes, deterministic. */
  derive(label: string): Buffer;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = "v1";
const ENV_VAR = "GATEHOUSE_MASTER_KEY";
const KEY_FILE = "master.key";
const B64URL = /^[A-Za-z0-9_-]*$/;
// How long a loser of the create race waits for the winner's write to become visible.
const READ_RETRY_MS = 2000;

/** HKDF info strings are namespaced so a caller's derive() label can never reproduce the internal sealing key. */
function hkdf(ikm: Buffer, info: string): Buffer {
  const infoBytes = Buffer.from(info, "utf8");
  if (infoBytes.length > 1024) throw new MasterKeyError("derive label is too long");
  return Buffer.from(hkdfSync("sha256", ikm, Buffer.alloc(0), infoBytes, KEY_BYTES));
}

export function masterKeyFromBytes(buf: Buffer): MasterKey {
  if (buf.length !== KEY_BYTES) throw new MasterKeyError(`master key must be exactly ${KEY_BYTES} bytes`);
  // Copy so later mutation of the caller's buffer cannot change (or reveal) our key.
  const root = Buffer.from(buf);
  // A dedicated AES key keeps the raw master key used only as HKDF input.
  const sealKey = hkdf(root, "gatehouse/seal/v1");

  return {
    seal(plaintext, aad) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", sealKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(aad, "utf8"));
      const data = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;
      const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString("base64url"), ciphertext.toString("base64url"), tag.toString("base64url")].join(".");
    },

    open(sealed, aad) {
      const parts = sealed.split(".");
      if (parts.length !== 4 || parts[0] !== VERSION || !parts.slice(1).every((p) => B64URL.test(p))) {
        throw new MasterKeyError("sealed value is malformed");
      }
      const iv = Buffer.from(parts[1] ?? "", "base64url");
      const ciphertext = Buffer.from(parts[2] ?? "", "base64url");
      const tag = Buffer.from(parts[3] ?? "", "base64url");
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new MasterKeyError("sealed value is malformed");
      try {
        const decipher = createDecipheriv("aes-256-gcm", sealKey, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(aad, "utf8"));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      } catch {
        // Deliberately generic: which check failed is of no use to a caller and may help an attacker.
        throw new MasterKeyError("sealed value could not be opened (tampered, wrong key or wrong aad)");
      }
    },

    derive(label) {
      if (label.length === 0) throw new MasterKeyError("derive label must not be empty");
      return hkdf(root, `gatehouse/derive/${label}`);
    },
  };
}

/** Decodes 32 bytes from base64, base64url or 64 hex chars; undefined for anything else. */
function decodeKey(text: string): Buffer | undefined {
  const s = text.trim();
  // Hex first: 64 hex chars are also valid base64, but would decode to 48 bytes.
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, "hex");
  // Node's lenient base64 decoder skips junk characters, so validate the alphabet up front.
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) return undefined;
  const buf = Buffer.from(s, "base64");
  return buf.length === KEY_BYTES ? buf : undefined;
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

async function readKeyFile(path: string): Promise<Buffer> {
  // A process that lost the exclusive-create race may see the file before the winner has written it.
  const deadline = Date.now() + READ_RETRY_MS;
  for (;;) {
    const content = await readFile(path, "utf8");
    if (content.trim() !== "") {
      const key = decodeKey(content);
      if (key) return key;
      throw new MasterKeyError(`master key file ${path} does not contain a valid key (expected 32 bytes as base64)`);
    }
    // Empty: the creator has not written yet (the key is a single small write), or it crashed before writing.
    if (Date.now() >= deadline)
      throw new MasterKeyError(`master key file ${path} is empty; delete it to create a new key`);
    await sleep(25);
  }
}

async function loadOrCreateKeyFile(dataDir: string): Promise<Buffer> {
  makePrivateDir(dataDir);
  const path = join(dataDir, KEY_FILE);
  const fresh = randomBytes(KEY_BYTES);
  let handle;
  try {
    // "wx" = O_CREAT|O_EXCL: exactly one racing process creates the file, the others read it.
    handle = await open(path, "wx", 0o600);
  } catch (err) {
    if (isErrno(err, "EEXIST")) {
      restrict(path);
      return readKeyFile(path);
    }
    throw err;
  }
  try {
    await handle.writeFile(`${fresh.toString("base64")}\n`, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  return fresh;
}

/**
 * Loads the master key from GATEHOUSE_MASTER_KEY, else from <dataDir>/master.key (created on first use).
 * An empty GATEHOUSE_MASTER_KEY counts as unset.
 */
export async function loadMasterKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<MasterKey> {
  const fromEnv = env[ENV_VAR];
  if (fromEnv !== undefined && fromEnv.trim() !== "") {
    const key = decodeKey(fromEnv);
    // Never echo the value: it is, or is close to, a secret.
    if (!key) throw new MasterKeyError(`${ENV_VAR} must be 32 bytes given as base64, base64url or 64 hex characters`);
    return masterKeyFromBytes(key);
  }
  return masterKeyFromBytes(await loadOrCreateKeyFile(dataDir));
}
