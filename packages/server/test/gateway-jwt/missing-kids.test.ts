import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MissingKids } from "../../src/gateway/jwt/missing-kids.js";

describe("MissingKids", () => {
  test("remembers a name for its TTL", () => {
    const missing = new MissingKids(10, 1000);
    missing.add("a", 0);
    assert.equal(missing.has("a", 999), true);
    assert.equal(missing.has("a", 1000), false);
    assert.equal(missing.has("b", 0), false);
  });

  test("holds at most its capacity, dropping the least recently added", () => {
    const missing = new MissingKids(1024, 60_000);
    for (let i = 0; i < 100_000; i++) missing.add(`kid-${i}`, 0);
    assert.equal(missing.size, 1024);
    assert.equal(missing.has("kid-99999", 1), true);
    assert.equal(missing.has(`kid-${100_000 - 1025}`, 1), false);
    missing.add("kid-98976", 1);
    missing.add("fresh", 1);
    assert.equal(missing.has("kid-98976", 2), true, "adding again makes a name the newest");
  });

  test("a capacity of 0 remembers nothing", () => {
    const missing = new MissingKids(0, 60_000);
    missing.add("a", 0);
    assert.equal(missing.has("a", 0), false);
  });
});
