import assert from "node:assert/strict";
import { createPublicKey, type JsonWebKey } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { SignJWT } from "jose";
import { Jwt } from "../../src/gateway/jwt/jwt.js";
import type { KeySources } from "../../src/gateway/jwt/key-sources.js";
import { validateJwt } from "../../src/gateway/policy/policies/validate-jwt.js";
import type { LocalTls } from "../../src/tls/local-ca.js";
import {
  compile,
  el,
  issuer,
  keySources,
  loadError,
  localTls,
  nowSeconds,
  requestContext,
  runStep,
  services,
  sign,
  signingKey,
  sleep,
  tamper,
  unsignedToken,
  until,
  verdict,
  type ElementSpec,
  type TestKey,
} from "./helpers.js";

const AUDIENCE = "api://backend";

let tls: LocalTls;
let rsa: TestKey;
let ps: TestKey;
let ec: TestKey;
let foreign: TestKey;
let server: Awaited<ReturnType<typeof issuer>>;
let sources: KeySources;

before(async () => {
  [tls, rsa, ps, ec, foreign] = await Promise.all([
    localTls(),
    signingKey("RS256", "rsa-1"),
    signingKey("PS256", "ps-1"),
    signingKey("ES256", "ec-1"),
    signingKey("RS256", "rsa-1"),
  ]);
  server = await issuer([rsa, ps, ec], { tls });
  sources = keySources({ extraCa: [tls.ca] });
});

after(async () => {
  await sources.close();
  await server.close();
});

/** validate-jwt against the test issuer's openid-config, with an audience, plus extra attributes and children. */
function policy(attributes: Record<string, string> = {}, ...children: ElementSpec[]): ElementSpec {
  return el(
    "validate-jwt",
    { "header-name": "Authorization", ...attributes },
    el("openid-config", { url: server.configUrl }),
    el("audiences", {}, el("audience", {}, AUDIENCE)),
    ...children,
  );
}

const step = (spec: ElementSpec, keySources = sources) => compile(validateJwt, spec, services(keySources));
const claims = (extra: Record<string, unknown> = {}) => ({
  aud: AUDIENCE,
  iss: server.issuer,
  sub: "client",
  ...extra,
});

describe("validate-jwt: valid tokens", () => {
  test("RS256, PS256 and ES256 tokens from the openid-config's JWKS pass", async () => {
    const validator = step(policy());
    for (const key of [rsa, ps, ec]) assert.equal(await verdict(validator, await sign(key, claims())), "ok", key.alg);
  });

  test("the token is taken after 'Bearer ' in any case, and without a scheme when none is required", async () => {
    const validator = step(policy());
    const token = await sign(rsa, claims());
    for (const value of [`bearer ${token}`, `BEARER   ${token}`, token]) {
      const { failure } = await runStep(validator, requestContext({ headers: { Authorization: value } }));
      assert.equal(failure, undefined, value.slice(0, 10));
    }
  });

  test("a plain HTTP openid-config works too", async () => {
    const plain = await issuer([rsa]);
    const plainSources = keySources();
    try {
      const validator = step(
        el("validate-jwt", { "header-name": "Authorization" }, el("openid-config", { url: plain.configUrl })),
        plainSources,
      );
      assert.equal(await verdict(validator, await sign(rsa, { iss: plain.issuer })), "ok");
    } finally {
      await plainSources.close();
      await plain.close();
    }
  });
});

describe("validate-jwt: attacks", () => {
  test("alg: none is rejected", async () => {
    const { failure } = await runStep(
      step(policy()),
      requestContext({ headers: { Authorization: `Bearer ${unsignedToken(claims())}` } }),
    );
    assert.equal(failure?.status, 401);
    assert.equal(failure?.clientMessage, "Invalid JWT.");
    assert.equal(failure?.source, "validate-jwt");
    assert.equal(failure?.reason, "TokenSignatureInvalid");
    assert.match(failure?.message ?? "", /^IDX10504: /);
  });

  test("require-signed-tokens=false accepts an unsigned token, but still checks its claims and signed tokens", async () => {
    const validator = step(policy({ "require-signed-tokens": "false" }));
    assert.equal(await verdict(validator, unsignedToken(claims())), "ok");
    assert.equal(await verdict(validator, unsignedToken(claims({ aud: "api://other" }))), "TokenAudienceNotAllowed");
    assert.equal(await verdict(validator, tamper(await sign(rsa, claims()))), "TokenSignatureInvalid");
  });

  test("HS256 signed with the RSA public key's bytes is rejected", async () => {
    const validator = step(policy());
    const pem = createPublicKey({ key: rsa.jwk as JsonWebKey, format: "jwk" }).export({ type: "spki", format: "pem" });
    const der = createPublicKey({ key: rsa.jwk as JsonWebKey, format: "jwk" }).export({ type: "spki", format: "der" });
    for (const secret of [Buffer.from(pem), der, Buffer.from(rsa.jwk.n ?? "", "base64url")]) {
      for (const kid of ["rsa-1", undefined]) {
        const token = await new SignJWT(claims({ exp: nowSeconds() + 600 }))
          .setProtectedHeader({ alg: "HS256", ...(kid ? { kid } : {}) })
          .sign(secret);
        assert.equal(await verdict(validator, token), "TokenSignatureInvalid", `kid ${kid}`);
      }
    }
  });

  test("a token signed by a foreign key under a known kid is rejected", async () => {
    assert.equal(await verdict(step(policy()), await sign(foreign, claims())), "TokenSignatureInvalid");
  });

  test("a token signed by a foreign key under an unknown kid is rejected after one refresh", async () => {
    const before = server.hits("/jwks");
    const token = await sign({ ...foreign, kid: "foreign-attack" }, claims());
    const { failure } = await runStep(
      step(policy()),
      requestContext({ headers: { Authorization: `Bearer ${token}` } }),
    );
    assert.equal(failure?.reason, "TokenSignatureKeyNotFound");
    assert.equal(failure?.clientMessage, "Invalid JWT.");
    assert.match(failure?.message ?? "", /^IDX10503: .*foreign-attack/);
    assert.ok(server.hits("/jwks") - before <= 1);
  });

  test("a bad signature is rejected, and so is a changed payload", async () => {
    const validator = step(policy());
    const token = await sign(rsa, claims());
    assert.equal(await verdict(validator, tamper(token)), "TokenSignatureInvalid");
    const [header, , signature] = token.split(".");
    const forged = Buffer.from(JSON.stringify(claims({ sub: "admin", exp: nowSeconds() + 600 }))).toString("base64url");
    assert.equal(await verdict(validator, `${header}.${forged}.${signature}`), "TokenSignatureInvalid");
  });

  test("an expired token is rejected, within clock-skew accepted", async () => {
    const token = await sign(rsa, claims({ exp: nowSeconds() - 60 }));
    const { failure } = await runStep(
      step(policy()),
      requestContext({ headers: { Authorization: `Bearer ${token}` } }),
    );
    assert.equal(failure?.reason, "TokenExpired");
    assert.match(failure?.message ?? "", /^IDX10223: Lifetime validation failed\. The token is expired\. /);
    assert.equal(await verdict(step(policy({ "clock-skew": "30" })), token), "TokenExpired");
    assert.equal(await verdict(step(policy({ "clock-skew": "120" })), token), "ok");
    assert.equal(await verdict(step(policy({ "clock-skew": "00:02:00" })), token), "ok");
  });

  test("a token not yet valid is rejected, within clock-skew accepted", async () => {
    const token = await sign(rsa, claims({ nbf: nowSeconds() + 60 }));
    const { failure } = await runStep(
      step(policy()),
      requestContext({ headers: { Authorization: `Bearer ${token}` } }),
    );
    assert.equal(failure?.reason, "JwtInvalid");
    assert.match(failure?.message ?? "", /^IDX10222: /);
    assert.equal(await verdict(step(policy({ "clock-skew": "120" })), token), "ok");
  });

  test("a wrong audience is rejected", async () => {
    const validator = step(policy());
    assert.equal(await verdict(validator, await sign(rsa, claims({ aud: "api://other" }))), "TokenAudienceNotAllowed");
    assert.equal(await verdict(validator, await sign(rsa, claims({ aud: undefined }))), "TokenAudienceNotAllowed");
    assert.equal(await verdict(validator, await sign(rsa, claims({ aud: ["api://other", AUDIENCE] }))), "ok");
    assert.equal(await verdict(validator, await sign(rsa, claims({ aud: `${AUDIENCE}/` }))), "ok");
  });

  test("a wrong issuer is rejected; <issuers> and the openid-config issuer are accepted", async () => {
    const validator = step(policy({}, el("issuers", {}, el("issuer", {}, "https://extra.example/"))));
    assert.equal(
      await verdict(validator, await sign(rsa, claims({ iss: "https://evil.example/" }))),
      "TokenIssuerNotAllowed",
    );
    assert.equal(await verdict(validator, await sign(rsa, claims({ iss: undefined }))), "TokenIssuerNotAllowed");
    assert.equal(await verdict(validator, await sign(rsa, claims({ iss: "https://extra.example/" }))), "ok");
    assert.equal(await verdict(validator, await sign(rsa, claims())), "ok");
  });

  test("a missing exp is rejected unless require-expiration-time is false", async () => {
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: "RS256", kid: rsa.kid }).sign(rsa.privateKey);
    const { failure } = await runStep(
      step(policy()),
      requestContext({ headers: { Authorization: `Bearer ${token}` } }),
    );
    assert.equal(failure?.reason, "JwtInvalid");
    assert.match(failure?.message ?? "", /^IDX10225: /);
    assert.equal(await verdict(step(policy({ "require-expiration-time": "false" })), token), "ok");
  });

  test("an unknown kid triggers exactly one refresh within the interval, then is rejected", async () => {
    const own = await issuer([rsa]);
    const ownSources = keySources({ unknownKidRefreshMs: 800 });
    try {
      const validator = step(
        el("validate-jwt", { "header-name": "Authorization" }, el("openid-config", { url: own.configUrl })),
        ownSources,
      );
      assert.equal(await verdict(validator, await sign(rsa, { iss: own.issuer })), "ok");
      assert.equal(own.hits("/jwks"), 1);

      const rotated = await signingKey("RS256", "rsa-2");
      const token = await sign(rotated, { iss: own.issuer });
      const results = await Promise.all([verdict(validator, token), verdict(validator, token)]);
      assert.deepEqual(results, ["TokenSignatureKeyNotFound", "TokenSignatureKeyNotFound"]);
      assert.equal(own.hits("/jwks"), 2, "one refresh for the unknown kid");

      own.publish([rsa, rotated]);
      assert.equal(
        await verdict(validator, token),
        "TokenSignatureKeyNotFound",
        "no second refresh within the interval",
      );
      assert.equal(own.hits("/jwks"), 2);

      await sleep(820);
      assert.equal(await verdict(validator, token), "ok", "after the interval the new key is fetched");
      assert.equal(own.hits("/jwks"), 3);
    } finally {
      await ownSources.close();
      await own.close();
    }
  });

  test("malformed tokens are JwtInvalid", async () => {
    const validator = step(policy());
    for (const token of ["abc", "a.b", "a.b.c.d.e", "!!!.e30.x", `${Buffer.from("[1]").toString("base64url")}.e30.x`]) {
      assert.equal(await verdict(validator, token), "JwtInvalid", token);
    }
  });
});

describe("validate-jwt: verification cache", () => {
  test("a repeated token is served from the cache synchronously; removing its key invalidates it", async () => {
    const own = await issuer([rsa, ec]);
    let refreshes = 0;
    const ownSources = keySources({ refreshIntervalMs: 500, unknownKidRefreshMs: 0, onRefresh: () => refreshes++ });
    try {
      const validator = step(
        el("validate-jwt", { "header-name": "Authorization" }, el("openid-config", { url: own.configUrl })),
        ownSources,
      );
      const token = await sign(ec, { iss: own.issuer });
      const context = () => requestContext({ headers: { Authorization: `Bearer ${token}` } });
      const cache = ownSources.verifyCache;

      const first = await runStep(validator, context());
      assert.deepEqual(first, { sync: false, failure: undefined });
      const hits = cache.hits;
      for (let i = 0; i < 3; i++)
        assert.deepEqual(await runStep(validator, context()), { sync: true, failure: undefined });
      assert.equal(cache.hits, hits + 3);
      assert.equal(own.hits("/jwks"), 1);

      // Claims are still checked on every hit: another policy with another audience refuses the cached token.
      const strict = step(
        el(
          "validate-jwt",
          { "header-name": "Authorization" },
          el("openid-config", { url: own.configUrl }),
          el("audiences", {}, el("audience", {}, "api://strict")),
        ),
        ownSources,
      );
      const refused = await runStep(strict, context());
      assert.equal(refused.sync, true);
      assert.equal(refused.failure?.reason, "TokenAudienceNotAllowed");

      // A rotation that keeps the key keeps the entry.
      own.publish([ec, rsa]);
      await sleep(520);
      await runStep(validator, context());
      await until(() => refreshes === 2);
      assert.equal(own.hits("/jwks"), 2);
      assert.deepEqual(await runStep(validator, context()), { sync: true, failure: undefined });

      // The key removed: after the refresh the cached verification no longer counts.
      own.publish([rsa]);
      await sleep(520);
      await runStep(validator, context());
      await until(() => refreshes === 3);
      const removed = await runStep(validator, context());
      assert.equal(removed.sync, false);
      assert.equal(removed.failure?.reason, "TokenSignatureKeyNotFound");
    } finally {
      await ownSources.close();
      await own.close();
    }
  });

  test("exp is checked on every cache hit", async () => {
    const validator = step(policy());
    const token = await sign(rsa, claims({ exp: nowSeconds() + 2 }));
    assert.equal(await verdict(validator, token), "ok");
    assert.equal(await verdict(validator, token), "ok");
    await sleep(3100);
    assert.equal(await verdict(validator, token), "TokenExpired");
  });
});

describe("validate-jwt: attributes and children", () => {
  test("no token: 'JWT not present.'; failed-validation-httpcode and -error-message replace status and message", async () => {
    const { failure } = await runStep(step(policy()), requestContext());
    assert.equal(failure?.status, 401);
    assert.equal(failure?.clientMessage, "JWT not present.");
    assert.equal(failure?.reason, "TokenNotPresent");

    const custom = step(
      policy({
        "failed-validation-httpcode": "403",
        "failed-validation-error-message": "Unauthorized. Access token is missing or invalid.",
      }),
    );
    for (const headers of [{}, { Authorization: "Bearer x.y.z" }] as Record<string, string>[]) {
      const result = await runStep(custom, requestContext({ headers }));
      assert.equal(result.failure?.status, 403);
      assert.equal(result.failure?.clientMessage, "Unauthorized. Access token is missing or invalid.");
    }
  });

  test("require-scheme: the Authorization header must carry the scheme", async () => {
    const validator = step(policy({ "require-scheme": "Bearer" }));
    const token = await sign(rsa, claims());
    const bare = await runStep(validator, requestContext({ headers: { Authorization: token } }));
    assert.equal(bare.failure?.reason, "TokenNotPresent");
    assert.equal(await verdict(validator, token), "ok");
  });

  test("a custom header carries the bare token; require-scheme does not apply to it", async () => {
    const validator = step(policy({ "header-name": "X-Token", "require-scheme": "Bearer" }));
    const token = await sign(rsa, claims());
    assert.equal((await runStep(validator, requestContext({ headers: { "x-token": token } }))).failure, undefined);
    const missing = await runStep(validator, requestContext({ headers: { Authorization: `Bearer ${token}` } }));
    assert.equal(missing.failure?.reason, "TokenNotPresent");
  });

  test("query-parameter-name", async () => {
    const validator = step(
      el("validate-jwt", { "query-parameter-name": "access_token" }, el("openid-config", { url: server.configUrl })),
    );
    const token = await sign(rsa, claims());
    assert.equal((await runStep(validator, requestContext({ query: `access_token=${token}` }))).failure, undefined);
    const missing = await runStep(validator, requestContext({ headers: { Authorization: `Bearer ${token}` } }));
    assert.equal(missing.failure?.reason, "TokenNotPresent");
  });

  test("token-value", async () => {
    const token = await sign(rsa, claims());
    const validator = step(
      el("validate-jwt", { "token-value": token }, el("openid-config", { url: server.configUrl })),
    );
    assert.equal((await runStep(validator, requestContext())).failure, undefined);
  });

  test("output-token-variable-name stores the Jwt object", async () => {
    const validator = step(policy({ "output-token-variable-name": "jwt" }));
    const iat = nowSeconds();
    const token = await sign(rsa, claims({ iat, nbf: iat - 10, jti: "id-1", roles: ["a", "b"], ver: 2, admin: true }));
    const context = requestContext({ headers: { Authorization: `Bearer ${token}` } });
    assert.equal((await runStep(validator, context)).failure, undefined);
    const jwt = context.variables.get("jwt");
    assert.ok(jwt instanceof Jwt);
    assert.equal(jwt.algorithm, "RS256");
    assert.equal(jwt.type, "JWT");
    assert.deepEqual(jwt.audiences, [AUDIENCE]);
    assert.equal(jwt.issuer, server.issuer);
    assert.equal(jwt.subject, "client");
    assert.equal(jwt.id, "id-1");
    assert.equal(jwt.issuedAt?.getTime(), iat * 1000);
    assert.equal(jwt.notBefore?.getTime(), (iat - 10) * 1000);
    assert.ok(jwt.expirationTime && jwt.expirationTime.getTime() > Date.now());
    assert.deepEqual(jwt.claims.get("roles"), ["a", "b"]);
    assert.deepEqual(jwt.claims.get("ver"), ["2"]);
    assert.deepEqual(jwt.claims.get("admin"), ["true"]);

    // From the cache, the same object again.
    const again = requestContext({ headers: { Authorization: `Bearer ${token}` } });
    assert.equal((await runStep(validator, again)).sync, true);
    assert.equal(again.variables.get("jwt"), jwt);
  });

  test("required-claims: match all, match any, separator, array claims, missing claims", async () => {
    const required = (...claimSpecs: ElementSpec[]) => step(policy({}, el("required-claims", {}, ...claimSpecs)));
    const values = (...list: string[]) => list.map((v) => el("value", {}, v));
    const roles = required(el("claim", { name: "roles", match: "all" }, ...values("read", "write")));
    assert.equal(await verdict(roles, await sign(rsa, claims({ roles: ["write", "read", "x"] }))), "ok");
    assert.equal(await verdict(roles, await sign(rsa, claims({ roles: ["read"] }))), "TokenClaimValueNotAllowed");

    const any = required(el("claim", { name: "roles", match: "any" }, ...values("read", "write")));
    assert.equal(await verdict(any, await sign(rsa, claims({ roles: ["write"] }))), "ok");
    assert.equal(await verdict(any, await sign(rsa, claims({ roles: ["other"] }))), "TokenClaimValueNotAllowed");
    assert.equal(await verdict(any, await sign(rsa, claims({ roles: "read" }))), "ok");

    const scopes = required(el("claim", { name: "scp", match: "all", separator: " " }, ...values("a.read", "b.write")));
    assert.equal(await verdict(scopes, await sign(rsa, claims({ scp: "b.write a.read" }))), "ok");
    assert.equal(
      await verdict(scopes, await sign(rsa, claims({ scp: "a.read b.write.x" }))),
      "TokenClaimValueNotAllowed",
    );
    const unsplit = required(el("claim", { name: "scp" }, ...values("a.read")));
    assert.equal(
      await verdict(unsplit, await sign(rsa, claims({ scp: "a.read b.write" }))),
      "TokenClaimValueNotAllowed",
    );

    const presence = required(el("claim", { name: "tid" }), el("claim", { name: "oid" }));
    const token = await sign(rsa, claims());
    const { failure } = await runStep(presence, requestContext({ headers: { Authorization: `Bearer ${token}` } }));
    assert.equal(failure?.reason, "TokenClaimNotFound");
    assert.equal(failure?.message, "JWT token is missing the following claims: tid, oid. Access denied.");
    assert.equal(await verdict(presence, await sign(rsa, claims({ tid: "t", oid: "o" }))), "ok");

    const one = await runStep(
      roles,
      requestContext({ headers: { Authorization: `Bearer ${await sign(rsa, claims({ roles: ["read"] }))}` } }),
    );
    assert.equal(one.failure?.message, "Claim roles value of read is not allowed. Access denied.");
  });

  test("issuer-signing-keys: Base64 HS256/384/512 keys and RSA n+e with id", async () => {
    const secret = Buffer.from("0123456789abcdef0123456789abcdef");
    const validator = step(
      el(
        "validate-jwt",
        { "header-name": "Authorization" },
        el(
          "issuer-signing-keys",
          {},
          el("key", {}, Buffer.from("another-secret-another-secret-32").toString("base64")),
          el("key", {}, secret.toString("base64")),
          el("key", { id: "static-rsa", n: rsa.jwk.n ?? "", e: rsa.jwk.e ?? "" }),
        ),
      ),
    );
    for (const alg of ["HS256", "HS384", "HS512"]) {
      const token = await new SignJWT({ exp: nowSeconds() + 60 }).setProtectedHeader({ alg }).sign(secret);
      assert.equal(await verdict(validator, token), "ok", alg);
    }
    assert.equal(await verdict(validator, await sign({ ...rsa, kid: "static-rsa" }, {})), "ok");
    assert.equal(await verdict(validator, await sign({ ...foreign, kid: "static-rsa" }, {})), "TokenSignatureInvalid");
    const wrong = await new SignJWT({ exp: nowSeconds() + 60 })
      .setProtectedHeader({ alg: "HS256" })
      .sign(Buffer.from("x".repeat(32)));
    assert.equal(await verdict(validator, wrong), "TokenSignatureInvalid");
    // No issuers and no openid-config: any issuer.
    const other = await new SignJWT({ exp: nowSeconds() + 60, iss: "anyone" })
      .setProtectedHeader({ alg: "HS256" })
      .sign(secret);
    assert.equal(await verdict(validator, other), "ok");
  });

  test("an openid-config issuer with {tenantid} matches the token's tid", async () => {
    const common = await issuer([rsa], { issuer: "https://login.example/{tenantid}/v2.0" });
    const commonSources = keySources();
    try {
      const validator = step(
        el("validate-jwt", { "header-name": "Authorization" }, el("openid-config", { url: common.configUrl })),
        commonSources,
      );
      const tid = "7d3c5e0a-1b2c-4d5e-8f90-0a1b2c3d4e5f";
      assert.equal(await verdict(validator, await sign(rsa, { tid, iss: `https://login.example/${tid}/v2.0` })), "ok");
      assert.equal(
        await verdict(validator, await sign(rsa, { tid, iss: "https://login.example/other/v2.0" })),
        "TokenIssuerNotAllowed",
      );
      assert.equal(
        await verdict(validator, await sign(rsa, { iss: `https://login.example/${tid}/v2.0` })),
        "TokenIssuerNotAllowed",
      );
    } finally {
      await commonSources.close();
      await common.close();
    }
  });

  test("while the issuer is unreachable, new tokens still validate with the last good keys", async () => {
    const flaky = await issuer([rsa]);
    let failures = 0;
    const flakySources = keySources({
      refreshIntervalMs: 50,
      unknownKidRefreshMs: 0,
      onRefresh: (_url, outcome) => (failures += outcome === "failed" ? 1 : 0),
    });
    try {
      const validator = step(
        el("validate-jwt", { "header-name": "Authorization" }, el("openid-config", { url: flaky.configUrl })),
        flakySources,
      );
      assert.equal(await verdict(validator, await sign(rsa, { iss: flaky.issuer, sub: "1" })), "ok");
      await flaky.close();
      await sleep(80);
      assert.equal(await verdict(validator, await sign(rsa, { iss: flaky.issuer, sub: "2" })), "ok");
      await until(() => failures === 1);
      assert.equal(await verdict(validator, await sign(rsa, { iss: flaky.issuer, sub: "3" })), "ok");
      assert.equal(await verdict(validator, await sign(foreign, { iss: flaky.issuer })), "TokenSignatureInvalid");
    } finally {
      await flakySources.close();
    }
  });

  test("a token naming its key by x5t instead of kid", async () => {
    const thumbprinted = await issuer([]);
    thumbprinted.set("/jwks", {
      keys: [
        { ...rsa.jwk, kid: undefined, x5t: "thumb" },
        { ...ec.jwk, kid: undefined },
      ],
    });
    const thumbSources = keySources();
    try {
      const validator = step(
        el("validate-jwt", { "header-name": "Authorization" }, el("openid-config", { url: thumbprinted.configUrl })),
        thumbSources,
      );
      const token = await new SignJWT({ iss: thumbprinted.issuer, exp: nowSeconds() + 60 })
        .setProtectedHeader({ alg: "RS256", x5t: "thumb" })
        .sign(rsa.privateKey);
      assert.equal(await verdict(validator, token), "ok");
    } finally {
      await thumbSources.close();
      await thumbprinted.close();
    }
  });

  test("an issuer that cannot be reached at first use fails the request with a key error", async () => {
    const gone = await issuer([rsa]);
    const url = gone.configUrl;
    await gone.close();
    const goneSources = keySources();
    try {
      const validator = step(
        el("validate-jwt", { "header-name": "Authorization" }, el("openid-config", { url })),
        goneSources,
      );
      const { failure } = await runStep(
        validator,
        requestContext({ headers: { Authorization: `Bearer ${await sign(rsa, {})}` } }),
      );
      assert.equal(failure?.reason, "TokenSignatureKeyNotFound");
      assert.equal(failure?.clientMessage, "Invalid JWT.");
      assert.match(failure?.message ?? "", /^IDX10500: .*cannot fetch/);
    } finally {
      await goneSources.close();
    }
  });
});

describe("validate-jwt: refused at load", () => {
  const refused = (spec: ElementSpec) => loadError(validateJwt, spec, services(sources));
  const openid = () => el("openid-config", { url: "https://issuer.example/.well-known/openid-configuration" });

  test("token location: none, or more than one", () => {
    assert.match(refused(el("validate-jwt", {}, openid())), /One of header-name, query-parameter-name, token-value/);
    assert.match(
      refused(el("validate-jwt", { "header-name": "Authorization", "query-parameter-name": "t" }, openid())),
      /Only one of/,
    );
  });

  test("certificate-id keys and decryption-keys", () => {
    assert.equal(
      refused(
        el(
          "validate-jwt",
          { "header-name": "Authorization" },
          el("issuer-signing-keys", {}, el("key", { "certificate-id": "c" })),
        ),
      ),
      "Certificate 'c' does not exist",
    );
    assert.equal(
      refused(
        el(
          "validate-jwt",
          { "header-name": "Authorization" },
          openid(),
          el("decryption-keys", {}, el("key", {}, "AAAA")),
        ),
      ),
      "encrypted tokens (JWE) are not supported by this version",
    );
  });

  test("bad keys, empty lists, bad clock-skew, bad URL", () => {
    const jwt = (attributes: Record<string, string>, ...children: ElementSpec[]) =>
      refused(el("validate-jwt", { "header-name": "Authorization", ...attributes }, ...children));
    assert.match(jwt({}, el("issuer-signing-keys", {}, el("key", {}, "not base64!"))), /Base64/);
    assert.match(jwt({}, el("issuer-signing-keys", {}, el("key", { n: "AQAB", e: "AQAB" }))), /at least 2048 bits/);
    assert.match(jwt({}, el("issuer-signing-keys", {}, el("key", { n: rsa.jwk.n ?? "" }))), /both 'n' and 'e'/);
    assert.match(jwt({}, openid(), el("audiences")), /at least one 'audience'/);
    assert.match(jwt({}, openid(), el("issuers")), /at least one 'issuer'/);
    assert.match(jwt({ "clock-skew": "soon" }, openid()), /clock-skew/);
    assert.match(jwt({ "clock-skew": "00:61:00" }, openid()), /clock-skew/);
    assert.match(jwt({}, el("openid-config", { url: "file:///etc/passwd" })), /absolute http or https URL/);
    assert.match(jwt({}, el("openid-config", { url: "/relative" })), /absolute http or https URL/);
  });
});
