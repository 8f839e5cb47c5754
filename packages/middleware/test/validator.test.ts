import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { AuthError, TokenValidator } from "../src/index.js";
import { VerifiedTokenCache } from "../src/verified-cache.js";
import { APPS, startMiddlewareGatehouse, type MiddlewareGatehouse } from "./helpers/gatehouse.js";
import { startTestAuthority, TEST_AUDIENCE, type TestAuthority } from "./helpers/test-authority.js";

/** The token with another `kid` in its header (the signature no longer matters: no key will be found). */
function withKid(token: string, kid: string): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const decoded = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Record<string, unknown>;
  return [Buffer.from(JSON.stringify({ ...decoded, kid })).toString("base64url"), payload, signature].join(".");
}

/** Runs `fn` and returns the AuthError it throws. */
async function authError(fn: () => Promise<unknown>): Promise<AuthError> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected an AuthError");
}

describe("TokenValidator against Gatehouse: authorities, issuers and audiences", () => {
  let gate: MiddlewareGatehouse;
  let v2Token: string;
  let v1Token: string;
  const validator = (authority: string, audience: string | string[], tenantId?: string) =>
    new TokenValidator({ authority, audience, fetch: gate.fetch, ...(tenantId ? { tenantId } : {}) });

  before(async () => {
    gate = await startMiddlewareGatehouse();
    v2Token = await gate.formToken(APPS.api2, `api://${APPS.api1}/.default`);
    v1Token = await gate.formToken(APPS.api2, `api://${APPS.legacyApi}/.default`);
  });
  after(() => gate?.stop());

  it("a multi-tenant authority (common) checks iss against the document's {tenantid} template, v2 and v1", async () => {
    const common = `${gate.gh.identityUrl}/common`;
    const v2 = await validator(common, APPS.api1).validate(`Bearer ${v2Token}`);
    assert.equal(v2.tenantId, APPS.tenantId);
    assert.equal(v2.version, 2);
    const v1 = await validator(common, APPS.legacyApi).validate(`Bearer ${v1Token}`);
    assert.equal(v1.version, 1);
    assert.equal(v1.appId, APPS.api2);
  });

  it("organizations reads the v1 document from common, as Microsoft.Identity.Web does", async () => {
    const v1 = await validator(`${gate.gh.identityUrl}/organizations`, APPS.legacyApi).validateToken(v1Token);
    assert.equal(v1.claims.iss, `${gate.gh.identityUrl}/${APPS.tenantId}/`);
  });

  it("tenantId limits a multi-tenant authority to the listed tenants", async () => {
    const common = `${gate.gh.identityUrl}/common`;
    assert.equal((await validator(common, APPS.api1, APPS.tenantId).validateToken(v2Token)).tenantId, APPS.tenantId);
    const error = await authError(() => validator(common, APPS.api1, APPS.otherTenantId).validateToken(v2Token));
    assert.equal(error.status, 401);
    assert.equal(error.message, "The tenant is not allowed.");
  });

  it("the authority may be given by domain, with /v2.0 or a trailing slash", async () => {
    for (const authority of [
      `${gate.gh.identityUrl}/contoso.example`,
      `${gate.authority}/v2.0`,
      `${gate.authority}/`,
    ]) {
      assert.equal((await validator(authority, APPS.api1).validateToken(v2Token)).appId, APPS.api2, authority);
    }
  });

  it("audience: api://<appId> configured also accepts the appId a v2 token carries, and the reverse", async () => {
    assert.equal((await validator(gate.authority, `api://${APPS.api1}`).validateToken(v2Token)).version, 2);
    assert.equal((await validator(gate.authority, APPS.legacyApi).validateToken(v1Token)).version, 1);
    const error = await authError(() => validator(gate.authority, ["api://records", "records"]).validateToken(v2Token));
    assert.equal(error.message, "The audience is invalid.");
  });

  it("keeps validated tokens: the same token validates to the same object; cacheSize 0 turns that off", async () => {
    const cached = validator(gate.authority, APPS.api1);
    assert.equal(await cached.validateToken(v2Token), await cached.validateToken(v2Token));
    const uncached = new TokenValidator({
      authority: gate.authority,
      audience: APPS.api1,
      fetch: gate.fetch,
      cacheSize: 0,
    });
    assert.notEqual(await uncached.validateToken(v2Token), await uncached.validateToken(v2Token));
  });

  it("the validated token hides the raw token from logs and JSON", async () => {
    const auth = await validator(gate.authority, APPS.api1).validateToken(v2Token);
    assert.equal(auth.token, v2Token);
    const signature = v2Token.split(".")[2] as string;
    assert.ok(!JSON.stringify(auth).includes(signature));
    const { inspect } = await import("node:util");
    assert.ok(!inspect(auth, { depth: 5 }).includes(signature));
  });
});

describe("TokenValidator against an authority that fails", () => {
  let authority: TestAuthority;
  before(async () => {
    authority = await startTestAuthority();
  });
  after(() => authority?.close());
  const documentPath = () => `${new URL(authority.authority).pathname}/v2.0/.well-known/openid-configuration`;
  const keysPath = () => `${new URL(authority.authority).pathname}/keys`;

  it("concurrent first requests share one discovery fetch and one key set fetch", async () => {
    const validator = new TokenValidator({ authority: authority.authority, audience: TEST_AUDIENCE });
    const before = { document: authority.hits.get(documentPath()) ?? 0, keys: authority.hits.get(keysPath()) ?? 0 };
    const tokens = await Promise.all(Array.from({ length: 20 }, () => authority.sign()));
    const results = await Promise.all(tokens.map((t) => validator.validateToken(t)));
    assert.equal(results.length, 20);
    assert.equal((authority.hits.get(documentPath()) ?? 0) - before.document, 1);
    assert.equal((authority.hits.get(keysPath()) ?? 0) - before.keys, 1);
  });

  it("authority down before any key is known: 503 with problem details and no challenge; it recovers", async () => {
    const validator = new TokenValidator({ authority: authority.authority, audience: TEST_AUDIENCE });
    authority.down = true;
    try {
      const error = await authError(async () => validator.validateToken(await authority.sign()));
      assert.equal(error.code, "authority_unavailable");
      const response = error.toResponse();
      assert.equal(response.status, 503);
      assert.equal(response.headers["www-authenticate"], undefined);
      assert.deepEqual(JSON.parse(response.body), {
        type: "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        title: "Service Unavailable",
        status: 503,
        detail: "The token issuer's metadata could not be read.",
      });
    } finally {
      authority.down = false;
    }
    assert.equal((await validator.validateToken(await authority.sign())).version, 2);
  });

  it("authority down later: known keys keep working, a new kid gets 503 (not a 401 blaming the caller)", async () => {
    const validator = new TokenValidator({
      authority: authority.authority,
      audience: TEST_AUDIENCE,
      keyRefreshCooldownSeconds: 0,
    });
    await validator.validateToken(await authority.sign());
    const newKid = await authority.addKey();
    authority.down = true;
    try {
      assert.equal((await validator.validateToken(await authority.sign())).version, 2);
      const error = await authError(async () => validator.validateToken(await authority.sign({}, newKid)));
      assert.equal(error.status, 503);
    } finally {
      authority.down = false;
    }
    // Up again: the unknown kid makes the validator fetch the key set, which now has it.
    assert.equal((await validator.validateToken(await authority.sign({}, newKid))).version, 2);
  });

  const COOLDOWN_SECONDS = 1;
  const pastCooldown = () => new Promise((r) => setTimeout(r, COOLDOWN_SECONDS * 1000 + 100));
  /** A validator with a short cooldown that has fetched the keys once. */
  const validatorWithKeys = async () => {
    const validator = new TokenValidator({
      authority: authority.authority,
      audience: TEST_AUDIENCE,
      keyRefreshCooldownSeconds: COOLDOWN_SECONDS,
    });
    await validator.validateToken(await authority.sign());
    return validator;
  };
  /** Counts the key set fetches from now on; `check` asserts there was one, and no more than one per cooldown. */
  const countKeySetFetches = () => {
    const before = authority.hits.get(keysPath()) ?? 0;
    const started = Date.now();
    return () => {
      const cooldowns = Math.floor((Date.now() - started) / (COOLDOWN_SECONDS * 1000)) + 1;
      const fetches = (authority.hits.get(keysPath()) ?? 0) - before;
      assert.ok(fetches >= 1 && fetches <= cooldowns, `${fetches} fetches over ${cooldowns} cooldowns`);
    };
  };

  it("a flood of random kids costs one key set fetch per cooldown; a key published meanwhile is accepted after it", async () => {
    const validator = await validatorWithKeys();
    await pastCooldown(); // so the flood may trigger a fetch
    const check = countKeySetFetches();
    const forged = await Promise.all(
      Array.from({ length: 50 }, (_, i) => authority.sign({}, "key-1").then((t) => withKid(t, `random-${i}`))),
    );
    const outcomes = await Promise.all(forged.map((t) => authError(() => validator.validateToken(t))));
    assert.ok(outcomes.every((e) => e.status === 401 && e.message === "The signing key was not found."));
    check();

    const newKid = await authority.addKey();
    await pastCooldown();
    await authError(() => validator.validateToken(forged[0] as string));
    assert.equal((await validator.validateToken(await authority.sign({}, newKid))).version, 2);
  });

  it("authority down: unknown kids fetch at most once per cooldown, and the known keys answer without waiting", async () => {
    const validator = await validatorWithKeys();
    const newKid = await authority.addKey();
    await pastCooldown();
    authority.down = true;
    try {
      const check = countKeySetFetches();
      for (let i = 0; i < 20; i++) {
        const error = await authError(async () => validator.validateToken(await authority.sign({}, newKid)));
        assert.equal(error.status, 503, "the authority cannot be asked: not the caller's fault");
        assert.equal((await validator.validateToken(await authority.sign())).version, 2);
      }
      check();
    } finally {
      authority.down = false;
    }
  });

  it("refuses configurations that would weaken it", () => {
    const base = { authority: authority.authority, audience: TEST_AUDIENCE };
    assert.throws(() => new TokenValidator({ ...base, authority: "http://login.example.com/tenant" }), /https/);
    assert.throws(() => new TokenValidator({ ...base, authority: "https://login.example.com" }), /tenant/);
    assert.throws(() => new TokenValidator({ ...base, audience: [] }), /audience/);
    assert.throws(() => new TokenValidator({ ...base, audience: "" }), /audience/);
    // A JavaScript caller is not stopped by the types.
    const hmac = ["HS256"] as unknown as ["RS256"];
    assert.throws(() => new TokenValidator({ ...base, allowedAlgorithms: hmac }), /asymmetric/);
  });
});

describe("VerifiedTokenCache", () => {
  it("answers until the token's end or the maximum age, whichever is first, and evicts the oldest when full", () => {
    const cache = new VerifiedTokenCache<string>(2, 1000);
    cache.set("a", "A", 500, 0);
    cache.set("b", "B", 5000, 0);
    assert.equal(cache.get("a", 499), "A");
    assert.equal(cache.get("a", 500), undefined, "past the token's end");
    assert.equal(cache.get("b", 999), "B");
    assert.equal(cache.get("b", 1000), undefined, "past the maximum age");
    cache.set("c", "C", 5000, 2000);
    cache.set("d", "D", 5000, 2000);
    cache.set("e", "E", 5000, 2000);
    assert.equal(cache.get("c", 2000), undefined, "the oldest entry was evicted");
    assert.equal(cache.get("e", 2000), "E");
  });
});
