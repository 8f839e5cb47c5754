import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { keySetFromJwks, type ResolvedKeySet } from "../../src/gateway/jwt/key-set.js";
import { decodeToken } from "../../src/gateway/jwt/token.js";
import { VerifyCache } from "../../src/gateway/jwt/verify-cache.js";
import { nowSeconds, sign, signingKey, type TestKey } from "./helpers.js";

let one: TestKey;
let two: TestKey;
let set: ResolvedKeySet;

before(async () => {
  [one, two] = await Promise.all([signingKey("ES256", "one"), signingKey("ES256", "two")]);
  set = keySetFromJwks({ keys: [one.jwk, two.jwk] });
});

const keyOf = (s: ResolvedKeySet, kid: string) => {
  const key = s.named(kid, undefined)[0];
  assert.ok(key);
  return key;
};

describe("VerifyCache", () => {
  test("holds a token until its exp, keyed by the exact text", async () => {
    const cache = new VerifyCache();
    const now = nowSeconds();
    const token = decodeToken(await sign(one, { exp: now + 10 }));
    cache.store(token, keyOf(set, "one"), set, now);
    assert.equal(cache.get(token.raw, now)?.token, token);
    assert.equal(cache.get(`${token.raw} `, now), undefined);
    const [header, , signature] = token.raw.split(".");
    const forged = `${header}.${Buffer.from('{"sub":"admin"}').toString("base64url")}.${signature}`;
    assert.equal(cache.get(forged, now), undefined, "the same signature on another payload is a miss");
    assert.equal(cache.get(token.raw, now)?.token, token, "and does not disturb the entry");
    assert.equal(cache.get(token.raw, now + 10), undefined);
    assert.equal(cache.size, 0, "an expired entry is dropped when met");
    cache.store(decodeToken(await sign(one, { exp: now - 1 })), keyOf(set, "one"), set, now);
    assert.equal(cache.size, 0, "an expired token is not stored");
  });

  test("is bounded, giving recently used entries a second chance", async () => {
    const cache = new VerifyCache(2);
    const now = nowSeconds();
    const tokens = await Promise.all([1, 2, 3].map((sub) => sign(one, { sub: String(sub) })));
    const [a, b, c] = tokens.map(decodeToken);
    assert.ok(a && b && c);
    cache.store(a, keyOf(set, "one"), set, now);
    cache.store(b, keyOf(set, "one"), set, now);
    cache.get(a.raw, now);
    cache.store(c, keyOf(set, "one"), set, now);
    assert.equal(cache.size, 2);
    assert.ok(cache.get(a.raw, now), "the entry used since it was stored stays");
    assert.equal(cache.get(b.raw, now), undefined, "the unused one goes");
    assert.ok(cache.get(c.raw, now));
  });

  test("an entry is trusted by a key set only while the set holds its key", async () => {
    const cache = new VerifyCache();
    const now = nowSeconds();
    const token = decodeToken(await sign(one, {}));
    cache.store(token, keyOf(set, "one"), set, now);
    const entry = cache.get(token.raw, now);
    assert.ok(entry);
    assert.equal(entry.trustedBy(set), true);
    const rotated = keySetFromJwks({ keys: [two.jwk, one.jwk] });
    assert.notEqual(rotated.version, set.version);
    assert.equal(entry.trustedBy(rotated), true, "rotation that keeps the key keeps the entry");
    const removed = keySetFromJwks({ keys: [two.jwk] });
    assert.equal(entry.trustedBy(removed), false);
    const reused = keySetFromJwks({ keys: [{ ...two.jwk, kid: "one" }] });
    assert.equal(entry.trustedBy(reused), false, "a different key under the same kid is not the same key");
  });
});
