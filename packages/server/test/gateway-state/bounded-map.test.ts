import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BoundedMap } from "../../src/gateway/state/bounded-map.js";

// What KeySources' memory of kids a refetch did not find relies on (and the caches and throttles with it).
describe("BoundedMap", () => {
  test("remembers a key until it expires", () => {
    const missing = new BoundedMap<true>(10);
    missing.set("a", true, 1000);
    assert.equal(missing.get("a", 999), true);
    assert.equal(missing.get("a", 1000), undefined);
    assert.equal(missing.get("b", 0), undefined);
  });

  test("holds at most its capacity, dropping the least recently set", () => {
    const missing = new BoundedMap<true>(1024);
    for (let i = 0; i < 100_000; i++) missing.set(`kid-${i}`, true, 60_000);
    assert.equal(missing.size, 1024);
    assert.equal(missing.get("kid-99999", 1), true);
    assert.equal(missing.get(`kid-${100_000 - 1025}`, 1), undefined);
    missing.set("kid-98976", true, 60_000);
    missing.set("fresh", true, 60_000);
    assert.equal(missing.get("kid-98976", 2), true, "setting again makes a key the newest");
  });

  test("a capacity of 0 remembers nothing", () => {
    const missing = new BoundedMap<true>(0);
    missing.set("a", true, 60_000);
    assert.equal(missing.get("a", 0), undefined);
  });
});
