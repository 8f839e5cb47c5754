import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createSelfSignedCertificate } from "../../src/crypto/certificates.js";
import { masterKeyFromBytes } from "../../src/crypto/master-key.js";
import { KeyRing, KeyRingError, signingKeyAad } from "../../src/identity/keys/key-ring.js";
import type { SigningKeyRecord } from "../../src/store/repositories/signing-keys.js";

const masterKey = masterKeyFromBytes(randomBytes(32));

async function record(kid: string, activatedAt: string | null, retiredAt: string | null): Promise<SigningKeyRecord> {
  const created = await createSelfSignedCertificate(kid, 30);
  return {
    kid,
    certificatePem: created.certificatePem,
    sealedPrivateKey: masterKey.seal(created.privateKeyPem, signingKeyAad(kid)),
    createdAt: activatedAt ?? new Date().toISOString(),
    activatedAt,
    retiredAt,
  };
}

describe("key ring", () => {
  const now = Date.parse("2026-06-01T12:00:00Z");
  const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();

  it("signs with the active key and publishes the previous one plus keys retired within the retention window", async () => {
    const records = [
      await record("oldest", ago(300), ago(200)),
      await record("older", ago(200), ago(50)),
      await record("previous", ago(50), ago(10)),
      await record("current", ago(10), null),
      await record("staged", null, null),
    ];
    const ring = KeyRing.from(records, masterKey, 3600, now);
    assert.equal(ring.current(now).kid, "current");
    assert.match(ring.current(now).privateKeyPem, /BEGIN PRIVATE KEY/);
    assert.deepEqual(
      ring.published.map((k) => k.kid),
      ["current", "previous", "older"],
    );
    const jwk = ring.jwks("https://issuer/v2.0").keys[0];
    assert.equal(jwk?.issuer, "https://issuer/v2.0");
    assert.equal(jwk?.kty, "RSA");
    assert.equal(jwk?.x5c.length, 1);
  });

  it("always keeps the last retired key even after the window", async () => {
    const ring = KeyRing.from(
      [await record("a", ago(9000), ago(8000)), await record("b", ago(8000), null)],
      masterKey,
      60,
      now,
    );
    assert.deepEqual(
      ring.published.map((k) => k.kid),
      ["b", "a"],
    );
  });

  it("publishes a key rotated with a lead time before it signs, and switches to it when its time comes", async () => {
    const ahead = (minutes: number) => new Date(now + minutes * 60_000).toISOString();
    const records = [
      await record("previous", ago(300), null),
      await record("current", ago(10), null),
      await record("next", ahead(60), null),
      await record("after-next", ahead(120), null),
    ];
    const ring = KeyRing.from(records, masterKey, 3600, now);
    assert.equal(ring.current(now).kid, "current");
    assert.deepEqual(
      ring.published.map((k) => k.kid),
      ["current", "next", "after-next", "previous"],
      "the next keys, the current one, and the one it superseded ten minutes ago",
    );
    assert.deepEqual(
      ring.loaded.map((k) => k.kid),
      ["current", "next", "after-next"],
    );
    assert.equal(ring.current(now + 59 * 60_000).kid, "current");
    assert.equal(ring.current(now + 60 * 60_000).kid, "next");
    assert.equal(ring.current(now + 500 * 60_000).kid, "after-next");
  });

  it("a key superseded by a later activation is retired then: kept while its tokens may live, the last one always", async () => {
    const records = [
      await record("first", ago(9000), null),
      await record("second", ago(8000), null),
      await record("third", ago(30), null),
    ];
    assert.deepEqual(
      KeyRing.from(records, masterKey, 3600, now).published.map((k) => k.kid),
      ["third", "second"],
    );
  });

  it("refuses a store without an active key, and a private key sealed for another row", async () => {
    const pendingOnly = await record("pending", new Date(now + 60_000).toISOString(), null);
    assert.throws(() => KeyRing.from([pendingOnly], masterKey, 60, now), KeyRingError);
    assert.throws(() => KeyRing.from([], masterKey, 60, now), KeyRingError);
    const swapped = await record("x", ago(1), null);
    swapped.kid = "y";
    assert.throws(() => KeyRing.from([swapped], masterKey, 60, now));
  });
});
