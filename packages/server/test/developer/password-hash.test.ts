import assert from "node:assert/strict";
import { randomBytes, scrypt } from "node:crypto";
import { describe, it } from "node:test";
import {
  DEFAULT_SCRYPT,
  PasswordHashFormatError,
  PasswordHasher,
  PasswordHasherBusyError,
  parsePasswordHash,
  type ScryptParameters,
} from "../../src/security/password-hash.js";
import { MAX_PASSWORD_LENGTH, PasswordRuleError } from "../../src/security/password-length.js";

/** Cheap parameters for tests that are not about cost. */
const FAST = { ln: 10, r: 8, p: 1 };

const PHC = /^\$scrypt\$ln=15,r=8,p=3\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/;

describe("password hashing", () => {
  it("stores a PHC string with the default parameters that verifies the password and no other", async () => {
    const hasher = new PasswordHasher();
    const stored = await hasher.hash("correct horse battery staple");
    assert.match(stored, PHC);
    assert.deepEqual(parsePasswordHash(stored).parameters, DEFAULT_SCRYPT);
    assert.ok(!stored.includes("correct horse"));
    assert.equal(await hasher.verify(stored, "correct horse battery staple"), true);
    assert.equal(await hasher.verify(stored, "correct horse battery stapl"), false);
    assert.equal(await hasher.verify(stored, "Correct horse battery staple"), false);
    assert.notEqual(await hasher.hash("correct horse battery staple"), stored, "a new salt each time");
  });

  it("is plain scrypt over the NFC password: another implementation's derivation gives the stored hash", async () => {
    const hasher = new PasswordHasher({ parameters: FAST });
    // "é" decomposed (e + combining acute) is hashed as the composed character.
    const stored = await hasher.hash("caf\u0065\u0301-au-lait");
    const { salt, hash } = parsePasswordHash(stored);
    assert.deepEqual(await derive("caf\u00e9-au-lait", salt, FAST), hash);
    assert.equal(await hasher.verify(stored, "caf\u00e9-au-lait"), true);
  });

  it("refuses a password shorter than 8 or longer than 256 characters, counting characters, not UTF-16 units", async () => {
    const hasher = new PasswordHasher({ parameters: FAST });
    for (const password of ["", "seven77", "x".repeat(MAX_PASSWORD_LENGTH + 1), "😀".repeat(MAX_PASSWORD_LENGTH + 1)]) {
      await assert.rejects(hasher.hash(password), (error: unknown) => {
        assert.ok(error instanceof PasswordRuleError);
        assert.equal(error.message, "Password must be between 8 and 256 characters long.");
        assert.equal(error.target, "password");
        return true;
      });
    }
    const emoji = "😀".repeat(MAX_PASSWORD_LENGTH);
    assert.equal(await hasher.verify(await hasher.hash(emoji), emoji), true);
    assert.equal(await hasher.verify(await hasher.hash("eight888"), "eight888"), true);
  });

  it("says false at once for a presented password longer than any can be", async () => {
    const hasher = new PasswordHasher();
    const stored = await hasher.hash("a-good-password");
    const started = performance.now();
    assert.equal(await hasher.verify(stored, "x".repeat(1_000_000)), false);
    assert.equal(await hasher.verifyDummy("x".repeat(1_000_000)), false);
    assert.ok(performance.now() - started < 50, "no KDF for an impossible password");
  });

  it("verifies a hash made with older parameters, asks for a rehash, and rehashes without the new-password rules", async () => {
    const old = new PasswordHasher({ parameters: FAST });
    const current = new PasswordHasher();
    const stored = await old.hash("password-from-2020");
    assert.equal(current.needsRehash(stored), true);
    assert.equal(await current.verify(stored, "password-from-2020"), true);
    const upgraded = await current.rehash("password-from-2020");
    assert.match(upgraded, PHC);
    assert.equal(current.needsRehash(upgraded), false);
    assert.equal(await current.verify(upgraded, "password-from-2020"), true);

    // A password set when the minimum was lower (hashed elsewhere) still signs in and is carried over.
    const legacy = await phc("1234", FAST);
    assert.equal(await current.verify(legacy, "1234"), true);
    assert.equal(await current.verify(await current.rehash("1234"), "1234"), true);
  });

  it("refuses malformed stored hashes and parameters out of bounds with a typed error that does not quote them", () => {
    const hasher = new PasswordHasher({ parameters: FAST });
    const salt = "A".repeat(22);
    const hash = "B".repeat(43);
    for (const stored of [
      "",
      "plaintext-password",
      `$argon2id$v=19$m=65536,t=3,p=4$${salt}$${hash}`,
      `$scrypt$ln=15,r=8$${salt}$${hash}`,
      `$scrypt$ln=0,r=8,p=1$${salt}$${hash}`,
      `$scrypt$ln=21,r=8,p=1$${salt}$${hash}`,
      `$scrypt$ln=20,r=8,p=1$${salt}$${hash}`, // 1 GiB
      `$scrypt$ln=15,r=8,p=17$${salt}$${hash}`,
      `$scrypt$ln=15,r=8,p=1$${"A".repeat(21)}$${hash}`,
      `$scrypt$ln=15,r=8,p=1$${salt}$${"B".repeat(41)}`, // 4k+1 characters
      `$scrypt$ln=15,r=8,p=1$${salt}$${hash}==`,
      `$scrypt$ln=15,r=8,p=1$${salt}$${hash}\n`,
    ]) {
      assert.throws(
        () => hasher.needsRehash(stored),
        (error: unknown) => error instanceof PasswordHashFormatError && !error.message.includes(salt),
        JSON.stringify(stored),
      );
    }
    assert.throws(() => new PasswordHasher({ parameters: { ln: 22, r: 8, p: 1 } }), RangeError);
    assert.throws(() => new PasswordHasher({ parameters: { ln: 15.5, r: 8, p: 1 } }), RangeError);
  });

  it("spends as long on an unknown user (verifyDummy) as on a known one", async () => {
    const hasher = new PasswordHasher();
    const stored = await hasher.hash("the-real-password");
    const time = async (run: () => Promise<boolean>) => {
      const started = performance.now();
      assert.equal(await run(), false);
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await time(() => hasher.verify(stored, "a-wrong-password")));
      unknown.push(await time(() => hasher.verifyDummy("a-wrong-password")));
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[2] ?? 0;
    const ratio = median(unknown) / median(known);
    assert.ok(ratio > 0.6 && ratio < 1.6, `dummy ${median(unknown)} ms, real ${median(known)} ms`);
    assert.ok(median(known) > 20, "the KDF really ran");
  });

  it("computes at most maxConcurrent hashes at once and refuses beyond maxWaiting instead of queueing", async () => {
    const hasher = new PasswordHasher({ parameters: FAST, maxConcurrent: 1, maxWaiting: 2 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => hasher.hash(`password-number-${i}`)));
    assert.deepEqual(
      results.map((r) => r.status),
      ["fulfilled", "fulfilled", "fulfilled", "rejected", "rejected"],
    );
    const refused = results[3];
    assert.ok(refused?.status === "rejected" && refused.reason instanceof PasswordHasherBusyError);
    assert.equal(refused.reason.retryAfterSeconds, 1);
    // The line drained: the next hash gets a turn.
    assert.match(await hasher.hash("password-after"), /^\$scrypt\$ln=10,r=8,p=1\$/);
  });
});

/** A PHC string made without PasswordHasher: node's scrypt, a random salt, unpadded base64. */
async function phc(password: string, parameters: ScryptParameters): Promise<string> {
  const { ln, r, p } = parameters;
  const salt = randomBytes(16);
  const hash = await derive(password, salt, parameters);
  const b64 = (bytes: Buffer) => bytes.toString("base64").replace(/=+$/, "");
  return `$scrypt$ln=${ln},r=${r},p=${p}$${b64(salt)}$${b64(hash)}`;
}

function derive(password: string, salt: Buffer, { ln, r, p }: ScryptParameters): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, 32, { N: 2 ** ln, r, p }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}
