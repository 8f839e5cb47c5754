import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import type { LocalTls } from "../../src/tls/local-ca.js";
import { documentServer, issuer, keySources, localTls, signingKey, sleep, until, type TestKey } from "./helpers.js";

let tls: LocalTls;
let otherTls: LocalTls;
let rsa: TestKey;
let ec: TestKey;

before(async () => {
  [tls, otherTls, rsa, ec] = await Promise.all([
    localTls(),
    localTls(),
    signingKey("RS256", "rsa-1"),
    signingKey("ES256", "ec-1"),
  ]);
});

describe("KeySources", () => {
  test("fetches openid-config and JWKS over HTTPS trusting the extra CA; indexes by kid and x5t", async () => {
    const server = await issuer([], { tls });
    server.set("/jwks", {
      keys: [
        { ...rsa.jwk, x5t: "thumb-1" },
        ec.jwk,
        { ...rsa.jwk, kid: "enc-1", use: "enc" },
        { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", kid: "okp-1" },
        { kty: "oct", k: "c2VjcmV0", kid: "oct-1" },
      ],
    });
    const warnings: string[] = [];
    const sources = keySources({ extraCa: [tls.ca], logger: { warn: (_obj, msg) => warnings.push(msg) } });
    try {
      const { issuer: name, keys } = await sources.openIdConfig(server.configUrl).current();
      assert.equal(name, server.issuer);
      assert.deepEqual(
        keys.keys.map((k) => k.kid),
        ["rsa-1", "ec-1"],
      );
      assert.equal(keys.named("rsa-1", undefined)[0]?.kid, "rsa-1");
      assert.equal(keys.named(undefined, "thumb-1")[0]?.kid, "rsa-1");
      assert.deepEqual([...(keys.named("ec-1", undefined)[0]?.algorithms ?? [])], ["ES256"]);
      assert.deepEqual(keys.named("enc-1", undefined), []);
      assert.deepEqual(warnings, ["JWKS keys skipped"]);
    } finally {
      await sources.close();
      await server.close();
    }
  });

  test("refuses an HTTPS issuer whose CA is not trusted, without leaking the body", async () => {
    const server = await issuer([rsa], { tls });
    const sources = keySources({ extraCa: [otherTls.ca] });
    try {
      await assert.rejects(sources.openIdConfig(server.configUrl).current(), (error: Error) => {
        assert.match(error.message, /cannot fetch https:\/\/127\.0\.0\.1:\d+\/openid/);
        return true;
      });
      assert.equal(server.hits("/openid"), 0);
    } finally {
      await sources.close();
      await server.close();
    }
  });

  test("a custom CA list still trusts NODE_EXTRA_CA_CERTS", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gatehouse-extra-ca-"));
    const caPath = join(dir, "ca.pem");
    await writeFile(caPath, tls.ca);
    const server = await issuer([rsa], { tls });
    const saved = process.env.NODE_EXTRA_CA_CERTS;
    process.env.NODE_EXTRA_CA_CERTS = caPath;
    const sources = keySources({ extraCa: [otherTls.ca] });
    if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
    else process.env.NODE_EXTRA_CA_CERTS = saved;
    try {
      const { keys } = await sources.openIdConfig(server.configUrl).current();
      assert.equal(keys.keys.length, 1);
    } finally {
      await sources.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("concurrent first calls share one fetch; handles for one URL share one entry", async () => {
    const server = await issuer([rsa]);
    const sources = keySources();
    try {
      const a = sources.openIdConfig(server.configUrl);
      const b = sources.openIdConfig(server.configUrl);
      assert.equal(a, b);
      const results = await Promise.all([
        a.current(),
        b.current(),
        a.current(),
        a.refreshForUnknownKid("unknown-kid", undefined),
      ]);
      assert.equal(server.hits("/openid"), 1);
      assert.equal(server.hits("/jwks"), 1);
      assert.ok(results.every((r) => r.keys === results[0]?.keys));
    } finally {
      await sources.close();
      await server.close();
    }
  });

  test("serves the cached keys while fresh; refreshes in the background when stale; keeps the version when unchanged", async () => {
    const server = await issuer([rsa]);
    const refreshes: string[] = [];
    const sources = keySources({ refreshIntervalMs: 300, onRefresh: (_url, outcome) => refreshes.push(outcome) });
    try {
      const source = sources.openIdConfig(server.configUrl);
      const first = await source.current();
      await source.current();
      assert.equal(server.hits("/jwks"), 1);
      await sleep(320);
      // Stale: the caller gets the cached keys at once, the refresh runs behind it.
      assert.equal(source.peek(), first);
      await until(() => refreshes.length === 2);
      assert.equal(server.hits("/jwks"), 2);
      assert.equal(source.peek()?.keys.version, first.keys.version, "an unchanged JWKS keeps its version");

      server.publish([rsa, ec]);
      await sleep(320);
      source.peek();
      await until(() => refreshes.length === 3);
      const rotated = source.peek();
      assert.ok(rotated && rotated.keys.version > first.keys.version);
      assert.equal(rotated.keys.keys.length, 2);
      assert.deepEqual(refreshes, ["ok", "ok", "ok"]);
    } finally {
      await sources.close();
      await server.close();
    }
  });

  for (const [name, prepare] of [
    [
      "a configuration that is not JSON",
      (s: Awaited<ReturnType<typeof issuer>>) => s.set("/openid", "secret-body <html>"),
    ],
    ["a configuration without jwks_uri", (s: Awaited<ReturnType<typeof issuer>>) => s.set("/openid", { issuer: "x" })],
    ["a JWKS without keys", (s: Awaited<ReturnType<typeof issuer>>) => s.set("/jwks", { keys: [] })],
    [
      "a JWKS with only encryption keys",
      (s: Awaited<ReturnType<typeof issuer>>) => s.set("/jwks", { keys: [{ ...rsa.jwk, use: "enc" }] }),
    ],
    ["an error status", (s: Awaited<ReturnType<typeof issuer>>) => s.set("/jwks", "secret-body", 500)],
  ] as const) {
    test(`${name} is a failure: first use rejects, later the last good keys stay`, async () => {
      const server = await issuer([rsa]);
      const refreshes: string[] = [];
      const sources = keySources({ unknownKidRefreshMs: 0, onRefresh: (_url, outcome) => refreshes.push(outcome) });
      try {
        const source = sources.openIdConfig(server.configUrl);
        const good = await source.current();
        prepare(server);
        assert.equal(await source.refreshForUnknownKid("unknown-kid", undefined), good);
        assert.equal(source.peek(), good);
        assert.deepEqual(refreshes, ["ok", "failed"]);

        const fresh = keySources();
        await assert.rejects(fresh.openIdConfig(server.configUrl).current(), (error: Error) => {
          assert.doesNotMatch(error.message, /secret-body/);
          return true;
        });
        await fresh.close();
      } finally {
        await sources.close();
        await server.close();
      }
    });
  }

  test("an unreachable issuer keeps the last good keys", async () => {
    const server = await issuer([rsa]);
    const refreshes: string[] = [];
    const sources = keySources({
      refreshIntervalMs: 50,
      unknownKidRefreshMs: 0,
      onRefresh: (_url, outcome) => refreshes.push(outcome),
    });
    try {
      const source = sources.openIdConfig(server.configUrl);
      const good = await source.current();
      await server.close();
      await sleep(80);
      assert.equal(await source.current(), good, "stale: the last good keys at once, a refresh behind");
      await until(() => refreshes.length === 2);
      assert.equal(await source.refreshForUnknownKid("unknown-kid", undefined), good);
      assert.deepEqual(refreshes, ["ok", "failed", "failed"]);
      assert.equal(source.peek(), good);
    } finally {
      await sources.close();
    }
  });

  test("unknown-kid refreshes are rate limited per source", async () => {
    const server = await issuer([rsa]);
    const sources = keySources({ unknownKidRefreshMs: 600 });
    try {
      const source = sources.openIdConfig(server.configUrl);
      await source.current();
      await source.refreshForUnknownKid("unknown-kid", undefined);
      assert.equal(server.hits("/jwks"), 2, "the first unknown kid refreshes at once");
      await source.refreshForUnknownKid("unknown-kid", undefined);
      await source.refreshForUnknownKid("unknown-kid", undefined);
      assert.equal(server.hits("/jwks"), 2, "within the interval nothing is fetched");
      await sleep(620);
      await source.refreshForUnknownKid("unknown-kid", undefined);
      assert.equal(server.hits("/jwks"), 3);
    } finally {
      await sources.close();
      await server.close();
    }
  });

  test("a flood of distinct unknown kids shares one fetch per cooldown; a kid it did not find is remembered", async () => {
    const server = await issuer([rsa]);
    const sources = keySources({ unknownKidRefreshMs: 60_000 });
    try {
      const source = sources.openIdConfig(server.configUrl);
      await source.current();
      await Promise.all(Array.from({ length: 200 }, (_, i) => source.refreshForUnknownKid(`random-${i}`, undefined)));
      for (let i = 0; i < 200; i++) await source.refreshForUnknownKid(`random-b-${i}`, undefined);
      assert.equal(server.hits("/jwks"), 2, "one fetch for the whole flood");
    } finally {
      await sources.close();
      await server.close();
    }
  });

  test("the default cooldown is seconds, not minutes: a key published after a refetch is found by the next", async () => {
    const server = await issuer([rsa]);
    const sources = keySources({ unknownKidRefreshMs: 300 });
    try {
      const source = sources.openIdConfig(server.configUrl);
      await source.current();
      assert.deepEqual((await source.refreshForUnknownKid("ec-1", undefined)).keys.named("ec-1", undefined), []);
      server.publish([rsa, ec]);
      assert.deepEqual(
        (await source.refreshForUnknownKid("ec-1", undefined)).keys.named("ec-1", undefined),
        [],
        "remembered as missing within the cooldown",
      );
      await sleep(320);
      const found = await source.refreshForUnknownKid("ec-1", undefined);
      assert.equal(found.keys.named("ec-1", undefined)[0]?.kid, "ec-1");
      assert.equal(server.hits("/jwks"), 3);
    } finally {
      await sources.close();
      await server.close();
    }
  });

  test("without any good keys, a failure is answered from memory until the interval passes", async () => {
    const server = await documentServer();
    const sources = keySources({ unknownKidRefreshMs: 600 });
    try {
      const source = sources.openIdConfig(server.url("/openid"));
      await assert.rejects(source.current(), /answered 404/);
      await assert.rejects(source.current(), /answered 404/);
      await assert.rejects(source.refreshForUnknownKid("unknown-kid", undefined), /answered 404/);
      assert.equal(server.hits("/openid"), 1);
      await sleep(620);
      await assert.rejects(source.current(), /answered 404/);
      assert.equal(server.hits("/openid"), 2);
    } finally {
      await sources.close();
      await server.close();
    }
  });
});
