/**
 * Developer passwords, stored with scrypt: unlike the 256-bit generated secrets (a fast keyed hash suffices), people
 * choose guessable passwords, so each guess against a stolen hash must cost time and memory.
 *
 * A hash is a self-describing PHC string, `$scrypt$ln=15,r=8,p=3$<salt>$<hash>` (unpadded standard base64), so the
 * parameters can be raised later: old hashes still verify, and `needsRehash` tells sign-in to store a new one.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { newPassword, presentedPassword } from "./password-length.js";

export interface ScryptParameters {
  /** log2 of the cost N. */
  readonly ln: number;
  /** Block size. */
  readonly r: number;
  /** Parallelisation (computed sequentially by Node, so it multiplies time, not memory). */
  readonly p: number;
}

/**
 * OWASP's Password Storage Cheat Sheet row N=2^15, r=8, p=3: the work of its first choice (N=2^17, p=1) with a quarter
 * of the memory, 32 MiB per hash (64 MiB with the two a PasswordHasher computes at once by default). About 200 ms on
 * one core of the project's test machines.
 */
export const DEFAULT_SCRYPT: ScryptParameters = { ln: 15, r: 8, p: 3 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;

/**
 * Bounds on parameters read back from storage or configuration, so a tampered or mistyped hash cannot ask for more
 * than 256 MiB or unbounded time.
 */
const MAX_LN = 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEMORY_BYTES = 256 * 1024 * 1024;

const BOUNDS = `scrypt parameters must be integers within ln 1..${MAX_LN}, r 1..${MAX_R}, p 1..${MAX_P} and use at most ${MAX_MEMORY_BYTES / 1024 / 1024} MiB.`;

function outOfBounds(parameters: ScryptParameters): boolean {
  const { ln, r, p } = parameters;
  const within = (value: number, max: number) => Number.isInteger(value) && value >= 1 && value <= max;
  return !within(ln, MAX_LN) || !within(r, MAX_R) || !within(p, MAX_P) || memoryOf(parameters) > MAX_MEMORY_BYTES;
}

/** scrypt's memory: 128 · N · r bytes. */
const memoryOf = ({ ln, r }: ScryptParameters): number => 128 * 2 ** ln * r;

/** ln, r, p as one or two digits; salt and hash 16 to 64 bytes. Anchored and without nested repetition: linear. */
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{22,86})\$([A-Za-z0-9+/]{22,86})$/;

/** A stored password hash that is not a PHC scrypt string Gatehouse accepts; the message never quotes the hash. */
export class PasswordHashFormatError extends Error {
  override name = "PasswordHashFormatError";
}

/** Too many passwords are being hashed at once; the caller may retry in a moment. */
export class PasswordHasherBusyError extends Error {
  override name = "PasswordHasherBusyError";
  readonly retryAfterSeconds = 1;
}

export interface ParsedPasswordHash {
  readonly parameters: ScryptParameters;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** Reads a PHC scrypt string; throws PasswordHashFormatError when it is malformed or its parameters out of bounds. */
export function parsePasswordHash(stored: string): ParsedPasswordHash {
  const match = PHC.exec(stored);
  if (!match) {
    throw new PasswordHashFormatError("The password hash is not a PHC scrypt string ($scrypt$ln=…,r=…,p=…$…$…).");
  }
  const [, ln = "", r = "", p = "", salt = "", hash = ""] = match;
  const parameters: ScryptParameters = { ln: Number(ln), r: Number(r), p: Number(p) };
  if (outOfBounds(parameters)) throw new PasswordHashFormatError(`The password hash's ${BOUNDS}`);
  // A base64 text of 4k+1 characters encodes no whole byte: a truncated value.
  if (salt.length % 4 === 1 || hash.length % 4 === 1) {
    throw new PasswordHashFormatError("The password hash's salt or hash is truncated.");
  }
  return { parameters, salt: Buffer.from(salt, "base64"), hash: Buffer.from(hash, "base64") };
}

export interface PasswordHasherOptions {
  /** Parameters of new hashes; older hashes verify with their own. */
  parameters?: ScryptParameters;
  /** Hashes computed at once: each holds one of libuv's threads (4 by default), which file and DNS work share. */
  maxConcurrent?: number;
  /** Hashes waiting for a turn; more fail with PasswordHasherBusyError instead of queueing without bound. */
  maxWaiting?: number;
}

export class PasswordHasher {
  private readonly parameters: ScryptParameters;
  private readonly gate: Gate;
  /** For verifyDummy: a salt and an expected hash no password produces, fixed per process. */
  private readonly dummySalt = randomBytes(SALT_BYTES);
  private readonly dummyHash = randomBytes(HASH_BYTES);

  constructor(options: PasswordHasherOptions = {}) {
    this.parameters = options.parameters ?? DEFAULT_SCRYPT;
    if (outOfBounds(this.parameters)) throw new RangeError(`The password hasher's ${BOUNDS}`);
    this.gate = new Gate(options.maxConcurrent ?? 2, options.maxWaiting ?? 32);
  }

  /** A new PHC string for a password being set; throws PasswordRuleError when the password breaks the rules. */
  async hash(password: string): Promise<string> {
    return this.hashText(newPassword(password));
  }

  /**
   * A hash with the current parameters of a password that has just verified (see needsRehash). The rules for new
   * passwords are not applied again, so a password set under older rules stays usable.
   */
  async rehash(password: string): Promise<string> {
    // A password that verified is within the maximum; newPassword only reports one that is not.
    return this.hashText(presentedPassword(password) ?? newPassword(password));
  }

  /**
   * Whether the password matches the stored hash, compared in constant time. A password longer than any can be is
   * false at once: the bound is public, so that says nothing about the account.
   */
  async verify(stored: string, password: string): Promise<boolean> {
    const { parameters, salt, hash } = parsePasswordHash(stored);
    const text = presentedPassword(password);
    if (text === undefined) return false;
    const derived = await this.derive(text, salt, hash.length, parameters);
    return timingSafeEqual(derived, hash);
  }

  /**
   * The work of verifying a password against a hash with the current parameters, always false: for an unknown email,
   * so that how long sign-in takes does not tell which emails have accounts.
   */
  async verifyDummy(password: string): Promise<false> {
    const text = presentedPassword(password);
    if (text === undefined) return false;
    const derived = await this.derive(text, this.dummySalt, HASH_BYTES, this.parameters);
    timingSafeEqual(derived, this.dummyHash);
    return false;
  }

  /** Whether a stored hash was made with other parameters than new hashes get (or a shorter salt or hash). */
  needsRehash(stored: string): boolean {
    const { parameters, salt, hash } = parsePasswordHash(stored);
    const current = this.parameters;
    return (
      parameters.ln !== current.ln ||
      parameters.r !== current.r ||
      parameters.p !== current.p ||
      salt.length < SALT_BYTES ||
      hash.length < HASH_BYTES
    );
  }

  private async hashText(text: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const hash = await this.derive(text, salt, HASH_BYTES, this.parameters);
    const { ln, r, p } = this.parameters;
    return `$scrypt$ln=${ln},r=${r},p=${p}$${unpadded(salt)}$${unpadded(hash)}`;
  }

  private derive(text: string, salt: Buffer, length: number, parameters: ScryptParameters): Promise<Buffer> {
    const { ln, r, p } = parameters;
    // What OpenSSL checks maxmem against: the N + 2 blocks of its table and p more (128·r bytes each).
    const options = { N: 2 ** ln, r, p, maxmem: 128 * r * (2 ** ln + 2 + p) };
    return this.gate.run(
      () =>
        new Promise<Buffer>((resolve, reject) =>
          scrypt(text, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
        ),
    );
  }
}

const unpadded = (bytes: Buffer): string => bytes.toString("base64").replace(/=+$/, "");

/** At most `max` tasks at once, at most `maxWaiting` in line; a task finishing hands its turn to the next in line. */
class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly max: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.max) {
      this.running++;
    } else {
      if (this.waiting.length >= this.maxWaiting) {
        throw new PasswordHasherBusyError("Too many sign-ins are being processed; retry in a moment.");
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
