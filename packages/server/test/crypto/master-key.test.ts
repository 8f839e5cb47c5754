import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { loadMasterKey, MasterKeyError, masterKeyFromBytes } from "../../src/crypto/master-key.js";

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "gatehouse-mk-"));
  tempDirs.push(dir);
  return dir;
}
after(async () => {
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Flips one byte of the ciphertext part of a sealed value. */
function tamper(sealed: string): string {
  const [v, iv, ct, tag] = sealed.split(".");
  const bytes = Buffer.from(ct ?? "", "base64url");
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return [v, iv, bytes.toString("base64url"), tag].join(".");
}

describe("masterKeyFromBytes", () => {
  const key = masterKeyFromBytes(randomBytes(32));

  test("seal/open round trip for strings and buffers", () => {
    const sealed = key.seal("client secret", "app:1");
    assert.match(sealed, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.equal(key.open(sealed, "app:1").toString("utf8"), "client secret");
    const bin = randomBytes(100);
    assert.deepEqual(key.open(key.seal(bin, ""), ""), bin);
    assert.equal(key.open(key.seal("", "x"), "x").length, 0);
  });

  test("each seal uses a fresh iv", () => {
    assert.notEqual(key.seal("same", "a"), key.seal("same", "a"));
  });

  test("tampered ciphertext, wrong aad, other key and malformed input throw MasterKeyError", () => {
    const sealed = key.seal("secret", "row:1");
    assert.throws(() => key.open(tamper(sealed), "row:1"), MasterKeyError);
    assert.throws(() => key.open(sealed, "row:2"), MasterKeyError);
    assert.throws(() => masterKeyFromBytes(randomBytes(32)).open(sealed, "row:1"), MasterKeyError);
    for (const bad of [
      "",
      "v1",
      "v2" + sealed.slice(2),
      sealed + ".x",
      sealed.replace(/\.[^.]+$/, ".AAAA"),
      "v1.!!.!!.!!",
    ]) {
      assert.throws(() => key.open(bad, "row:1"), MasterKeyError, bad);
    }
  });

  test("errors are named and do not carry key material", () => {
    const raw = randomBytes(32);
    const err = (() => {
      try {
        masterKeyFromBytes(raw).open(masterKeyFromBytes(randomBytes(32)).seal("x", "a"), "a");
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof MasterKeyError);
    assert.equal(err.name, "MasterKeyError");
    for (const enc of ["base64", "base64url", "hex"] as const) assert.ok(!err.message.includes(raw.toString(enc)));
  });

  test("rejects keys that are not 32 bytes", () => {
    assert.throws(() => masterKeyFromBytes(randomBytes(16)), MasterKeyError);
  });

  test("copies the input buffer", () => {
    const raw = randomBytes(32);
    const k = masterKeyFromBytes(raw);
    const sealed = k.seal("x", "a");
    raw.fill(0);
    assert.equal(k.open(sealed, "a").toString(), "x");
  });

  test("derive is deterministic, 32 bytes and label-separated", () => {
    const raw = randomBytes(32);
    const a = masterKeyFromBytes(raw);
    const b = masterKeyFromBytes(Buffer.from(raw));
    assert.equal(a.derive("tls-private-key").length, 32);
    assert.deepEqual(a.derive("tls-private-key"), b.derive("tls-private-key"));
    assert.notDeepEqual(a.derive("tls-private-key"), a.derive("cookie"));
    assert.notDeepEqual(a.derive("x"), masterKeyFromBytes(randomBytes(32)).derive("x"));
    assert.ok(!a.derive("x").equals(raw));
  });
});

describe("loadMasterKey", () => {
  test("env key as base64, base64url and hex decode to the same key", async () => {
    const dir = await tempDir();
    const raw = randomBytes(32);
    const sealed = masterKeyFromBytes(raw).seal("hello", "aad");
    for (const value of [
      raw.toString("base64"),
      raw.toString("base64url"),
      raw.toString("hex"),
      ` ${raw.toString("hex").toUpperCase()}\n`,
    ]) {
      const key = await loadMasterKey(dir, { GATEHOUSE_MASTER_KEY: value });
      assert.equal(key.open(sealed, "aad").toString(), "hello", value);
    }
    // An env key must not create a key file.
    await assert.rejects(stat(join(dir, "master.key")), { code: "ENOENT" });
  });

  test("a bad env value is a MasterKeyError that does not echo the value", async () => {
    const dir = await tempDir();
    const values = [
      "not-a-key-but-a-secret-password",
      randomBytes(16).toString("hex"),
      randomBytes(31).toString("base64"),
      randomBytes(33).toString("base64"),
      "zz" + randomBytes(31).toString("hex"),
    ];
    for (const value of values) {
      await assert.rejects(loadMasterKey(dir, { GATEHOUSE_MASTER_KEY: value }), (err: unknown) => {
        assert.ok(err instanceof MasterKeyError);
        assert.ok(!err.message.includes(value), "message must not echo the value");
        assert.ok(!err.message.includes("\n"), "message must be one line");
        assert.match(err.message, /GATEHOUSE_MASTER_KEY/);
        return true;
      });
    }
  });

  test("creates <dataDir>/master.key with mode 0600 (and dataDir itself) and reuses it", async () => {
    const dir = join(await tempDir(), "nested", "data");
    const first = await loadMasterKey(dir, {});
    const path = join(dir, "master.key");
    const info = await stat(path);
    if (process.platform !== "win32") assert.equal(info.mode & 0o777, 0o600);
    assert.equal(Buffer.from((await readFile(path, "utf8")).trim(), "base64").length, 32);
    const second = await loadMasterKey(dir, {});
    assert.equal(second.open(first.seal("persisted", "a"), "a").toString(), "persisted");
    assert.deepEqual(second.derive("l"), first.derive("l"));
  });

  test("an empty GATEHOUSE_MASTER_KEY falls back to the key file", async () => {
    const dir = await tempDir();
    const fromFile = await loadMasterKey(dir, {});
    const withEmpty = await loadMasterKey(dir, { GATEHOUSE_MASTER_KEY: "" });
    assert.deepEqual(withEmpty.derive("l"), fromFile.derive("l"));
  });

  test("concurrent first loads agree on one key", async () => {
    const dir = await tempDir();
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadMasterKey(dir, {})));
    const expected = keys[0]?.derive("l");
    for (const k of keys) assert.deepEqual(k.derive("l"), expected);
  });

  test("a corrupt key file is a MasterKeyError", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "master.key"), "garbage\n", { mode: 0o600 });
    await assert.rejects(loadMasterKey(dir, {}), (err: unknown) => {
      assert.ok(err instanceof MasterKeyError);
      assert.ok(!err.message.includes("garbage"), "message must not echo the file content");
      return true;
    });
  });

  test("an empty key file (creator crashed before writing) is a MasterKeyError after a short wait", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "master.key"), "", { mode: 0o600 });
    await assert.rejects(loadMasterKey(dir, {}), /is empty/);
  });
});
