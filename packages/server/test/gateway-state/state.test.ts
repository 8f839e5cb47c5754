/**
 * One suite for both GatewayState implementations: the sliding and fixed windows and the cache must decide alike in
 * process memory and in Redis. A hand-moved clock makes every case exact.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { GatewayState, QuotaWindow, RateWindow } from "../../src/gateway/state/gateway-state.js";
import { StateUnavailableError } from "../../src/gateway/state/gateway-state.js";
import { MemoryState } from "../../src/gateway/state/memory-state.js";
import { redisKey, RedisState } from "../../src/gateway/state/redis-state.js";
import { Redis } from "ioredis";
import { capturingLogger, freePort, REDIS_URL, redisSkip } from "./redis.js";

const START = Date.UTC(2030, 0, 1, 12, 0, 0);

interface Subject {
  state: GatewayState;
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void;
  now(): number;
}

type Factory = () => Promise<Subject>;

interface Target {
  name: string;
  skip: () => Promise<string | false>;
  create: Factory;
  /** Removes what the suite left behind (lifetime quotas never expire). */
  forget: (keys: string[]) => Promise<void>;
}

const targets: Target[] = [
  {
    name: "MemoryState",
    skip: async () => false,
    forget: async () => undefined,
    create: async () => {
      let now = START;
      return { state: new MemoryState({ clock: () => now }), advance: (ms) => void (now += ms), now: () => now };
    },
  },
  {
    name: "RedisState",
    skip: redisSkip,
    async forget(keys) {
      const client = new Redis(REDIS_URL);
      const kinds = ["rate", "quota", "cache"] as const;
      await client.del(...keys.flatMap((key) => kinds.map((kind) => redisKey(kind, key))));
      client.disconnect();
    },
    create: async () => {
      let now = START;
      const state = await RedisState.connect({
        url: REDIS_URL,
        commandTimeoutMs: 2000,
        logger: capturingLogger().logger,
        clock: () => now,
      });
      return { state, advance: (ms) => void (now += ms), now: () => now };
    },
  },
];

for (const target of targets) {
  describe(`${target.name}`, async () => {
    const skip = await target.skip();
    let subject: Subject;
    // Keys unique to this run: the shared Redis outlives it.
    const run = randomUUID();
    const keys: string[] = [];
    const key = () => {
      keys.push(`${run}:${keys.length}`);
      return keys.at(-1) as string;
    };
    const rate = (limit: number, windowSeconds: number, k = key()): RateWindow => ({ key: k, limit, windowSeconds });

    before(async () => {
      if (!skip) subject = await target.create();
    });
    after(async () => {
      if (skip) return;
      await subject.state.close();
      await target.forget(keys);
    });

    describe("sliding window", { skip }, () => {
      it("allows the limit, then refuses until the oldest calls leave the window", async () => {
        const { state, advance } = subject;
        const window = rate(3, 10);
        for (const remaining of [2, 1, 0]) {
          assert.deepEqual(await state.rateHit([window], 1), { allowed: true, remaining, retryAfterSeconds: 0 });
        }
        assert.deepEqual(await state.rateHit([window], 1), { allowed: false, remaining: 0, retryAfterSeconds: 10 });
        advance(4500);
        assert.deepEqual(await state.rateHit([window], 1), { allowed: false, remaining: 0, retryAfterSeconds: 6 });
        advance(5500);
        assert.deepEqual(await state.rateHit([window], 1), { allowed: true, remaining: 2, retryAfterSeconds: 0 });
      });

      it("slides: a call counts for the window's length from its own second, not to a fixed boundary", async () => {
        const { state, advance } = subject;
        const window = rate(2, 10);
        assert.equal((await state.rateHit([window], 1)).allowed, true); // t = 0
        advance(6000);
        assert.equal((await state.rateHit([window], 1)).allowed, true); // t = 6
        advance(3000);
        assert.deepEqual(await state.rateHit([window], 1), { allowed: false, remaining: 0, retryAfterSeconds: 1 });
        advance(1000); // t = 10: the first call has left, the second still counts
        assert.deepEqual(await state.rateHit([window], 1), { allowed: true, remaining: 0, retryAfterSeconds: 0 });
        advance(2000); // t = 12: a fixed window starting at 10 would allow this one
        assert.deepEqual(await state.rateHit([window], 1), { allowed: false, remaining: 0, retryAfterSeconds: 4 });
      });

      it("counts increments larger than one, and refuses one larger than the limit for the whole window", async () => {
        const { state } = subject;
        const window = rate(5, 30);
        assert.equal((await state.rateHit([window], 2)).remaining, 3);
        assert.equal((await state.rateHit([window], 2)).remaining, 1);
        assert.deepEqual(await state.rateHit([window], 2), { allowed: false, remaining: 1, retryAfterSeconds: 30 });
        assert.deepEqual(await state.rateHit([window], 1), { allowed: true, remaining: 0, retryAfterSeconds: 0 });
        assert.deepEqual(await state.rateHit([rate(5, 30)], 6), {
          allowed: false,
          remaining: 5,
          retryAfterSeconds: 30,
        });
      });

      it("peeks without counting, and adds without checking", async () => {
        const { state } = subject;
        const window = rate(2, 60);
        assert.deepEqual(await state.ratePeek([window], 1), { allowed: true, remaining: 1, retryAfterSeconds: 0 });
        assert.deepEqual(await state.ratePeek([window], 1), { allowed: true, remaining: 1, retryAfterSeconds: 0 });
        await state.rateAdd([window], 1);
        await state.rateAdd([window], 1);
        await state.rateAdd([window], 1);
        assert.deepEqual(await state.ratePeek([window], 1), { allowed: false, remaining: 0, retryAfterSeconds: 60 });
      });

      it("counts in every window or in none, and reports the tightest", async () => {
        const { state } = subject;
        const narrow = rate(1, 60);
        const wide = rate(5, 60);
        assert.deepEqual(await state.rateHit([wide, narrow], 1), { allowed: true, remaining: 0, retryAfterSeconds: 0 });
        assert.equal((await state.rateHit([wide, narrow], 1)).allowed, false);
        // The refused call was not counted in the wide window either.
        assert.equal((await state.ratePeek([wide], 1)).remaining, 3);
      });

      it("keeps keys apart, and shares a key whatever the limit asked with it", async () => {
        const { state } = subject;
        const shared = key();
        assert.equal((await state.rateHit([rate(1, 60, shared)], 1)).allowed, true);
        assert.equal((await state.rateHit([rate(1, 60)], 1)).allowed, true);
        assert.deepEqual(await state.rateHit([rate(3, 60, shared)], 1), {
          allowed: true,
          remaining: 1,
          retryAfterSeconds: 0,
        });
      });
    });

    describe("fixed window", { skip }, () => {
      const quota = (fields: Partial<QuotaWindow>): QuotaWindow => ({
        key: key(),
        calls: undefined,
        bytes: undefined,
        periodSeconds: 60,
        periodStartMs: subject.now() - 10_000,
        ...fields,
      });

      it("allows the calls of a period, then refuses until the period renews", async () => {
        const { state, advance } = subject;
        const window = quota({ calls: 2 });
        assert.deepEqual(await state.quotaHit([window]), {
          allowed: true,
          exceeded: undefined,
          remainingCalls: 1,
          retryAfterSeconds: undefined,
        });
        assert.equal((await state.quotaHit([window])).remainingCalls, 0);
        assert.deepEqual(await state.quotaHit([window]), {
          allowed: false,
          exceeded: "calls",
          remainingCalls: 0,
          retryAfterSeconds: 50,
        });
        advance(49_500);
        assert.equal((await state.quotaHit([window])).retryAfterSeconds, 1);
        advance(500); // the next period starts 60 s after the first
        assert.equal((await state.quotaHit([window])).remainingCalls, 1);
      });

      it("refuses once the bandwidth is used up, whatever the size of the next call", async () => {
        const { state } = subject;
        const window = quota({ bytes: 1024 });
        await state.quotaAdd([window], 1, 1000);
        assert.deepEqual(await state.quotaPeek([window], 1), {
          allowed: true,
          exceeded: undefined,
          remainingCalls: undefined,
          retryAfterSeconds: undefined,
        });
        await state.quotaAdd([window], 0, 100);
        assert.deepEqual(await state.quotaPeek([window], 1), {
          allowed: false,
          exceeded: "bandwidth",
          remainingCalls: undefined,
          retryAfterSeconds: 50,
        });
      });

      it("names the call volume first when both are used up", async () => {
        const { state } = subject;
        const window = quota({ calls: 1, bytes: 10 });
        await state.quotaAdd([window], 1, 10);
        assert.equal((await state.quotaHit([window])).exceeded, "calls");
      });

      it("peeks at whether calls fit, or with none whether the quota is already over", async () => {
        const { state } = subject;
        const window = quota({ calls: 1 });
        await state.quotaAdd([window], 1, 0);
        assert.equal((await state.quotaPeek([window], 0)).allowed, true);
        assert.equal((await state.quotaPeek([window], 1)).allowed, false);
        await state.quotaAdd([window], 1, 0);
        assert.equal((await state.quotaPeek([window], 0)).allowed, false);
      });

      it("never renews a lifetime quota (renewal period 0)", async () => {
        const { state, advance } = subject;
        const window = quota({ calls: 1, periodSeconds: 0 });
        assert.equal((await state.quotaHit([window])).allowed, true);
        advance(400 * 86_400_000);
        assert.deepEqual(await state.quotaHit([window]), {
          allowed: false,
          exceeded: "calls",
          remainingCalls: 0,
          retryAfterSeconds: undefined,
        });
      });

      it("counts periods from their start, and counts in every quota or in none", async () => {
        const { state } = subject;
        const hourly = quota({ calls: 1, periodSeconds: 3600, periodStartMs: subject.now() - 3_599_000 });
        const daily = quota({ calls: 10, periodSeconds: 86_400 });
        assert.equal((await state.quotaHit([daily, hourly])).allowed, true);
        assert.deepEqual(await state.quotaHit([daily, hourly]), {
          allowed: false,
          exceeded: "calls",
          remainingCalls: 0,
          retryAfterSeconds: 1,
        });
        assert.equal((await state.quotaPeek([daily], 1)).remainingCalls, 8);
      });
    });

    describe("cache", { skip }, () => {
      it("keeps bytes until they expire, and forgets them on delete", async () => {
        const { state, advance } = subject;
        const [a, b] = [key(), key()];
        const bytes = Buffer.from([0, 255, 1, 254]);
        await state.cacheSet(a, bytes, 10);
        await state.cacheSet(b, Buffer.from("b"), 60);
        assert.deepEqual(await state.cacheGet(a), bytes);
        advance(9_999);
        assert.deepEqual(await state.cacheGet(a), bytes);
        advance(1);
        assert.equal(await state.cacheGet(a), undefined);
        assert.deepEqual(await state.cacheGet(b), Buffer.from("b"));
        await state.cacheDelete(b);
        assert.equal(await state.cacheGet(b), undefined);
      });
    });
  });
}

describe("MemoryState bounds", () => {
  it("forgets the least recently used counters beyond its budget", async () => {
    const state = new MemoryState({ maxCounters: 2 });
    const window = (key: string): RateWindow => ({ key, limit: 1, windowSeconds: 60 });
    await state.rateHit([window("a")], 1);
    await state.rateHit([window("b")], 1);
    await state.ratePeek([window("a")], 1); // a is now the most recently used
    await state.rateHit([window("c")], 1);
    assert.equal((await state.ratePeek([window("a")], 1)).allowed, false);
    assert.equal((await state.ratePeek([window("b")], 1)).allowed, true);
  });

  it("keeps cached bytes within its budget", async () => {
    const state = new MemoryState({ maxCacheBytes: 100 });
    await state.cacheSet("x", Buffer.alloc(60), 60);
    await state.cacheSet("y", Buffer.alloc(30), 60);
    await state.cacheSet("z", Buffer.alloc(30), 60);
    assert.equal(await state.cacheGet("x"), undefined);
    assert.equal((await state.cacheGet("z"))?.length, 30);
    await state.cacheSet("huge", Buffer.alloc(200), 60);
    assert.equal(await state.cacheGet("huge"), undefined);
  });
});

describe("RedisState without a server", () => {
  it("answers StateUnavailableError at once, and logs the outage once", async () => {
    const { logger, lines } = capturingLogger();
    const port = await freePort();
    const state = await RedisState.connect({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 250, logger });
    try {
      for (let i = 0; i < 3; i++) {
        await assert.rejects(state.rateHit([{ key: "k", limit: 1, windowSeconds: 1 }], 1), StateUnavailableError);
      }
      await assert.rejects(state.cacheGet("k"), StateUnavailableError);
      const outages = lines().filter((line) => line.msg.startsWith("Redis unavailable"));
      assert.equal(outages.length, 1);
    } finally {
      await state.close();
    }
  });
});
