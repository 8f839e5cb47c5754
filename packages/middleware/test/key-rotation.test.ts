import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, SignJWT } from "jose";
import { AuthError, TokenValidator, type FetchLike } from "../src/index.js";
import { APPS, startMiddlewareGatehouse, type MiddlewareGatehouse } from "./helpers/gatehouse.js";

describe("signing key rotation on a running Gatehouse", () => {
  let gate: MiddlewareGatehouse;
  let keySetFetches: string[];

  before(async () => {
    gate = await startMiddlewareGatehouse();
  });
  after(() => gate?.stop());

  /** A validator whose fetch notes each key set request (the discovery documents are not counted). */
  const validator = (keyRefreshCooldownSeconds: number) => {
    keySetFetches = [];
    const counting: FetchLike = (url, init) => {
      if (url.includes("/discovery/")) keySetFetches.push(url);
      return gate.fetch(url, init);
    };
    return new TokenValidator({
      authority: gate.authority,
      audience: APPS.api1,
      fetch: counting,
      keyRefreshCooldownSeconds,
    });
  };
  const token = () => gate.formToken(APPS.api2, `api://${APPS.api1}/.default`);

  it("a token signed with the new key validates: the unknown kid refetches the key set once", async () => {
    const cooldownSeconds = 1;
    const v = validator(cooldownSeconds);
    const before = await token();
    const started = Date.now();
    await v.validateToken(before);
    assert.equal(keySetFetches.length, 1);

    const kid = await gate.rotateKeys();
    const rotated = await token();
    assert.equal(decodeProtectedHeader(rotated).kid, kid);
    assert.notEqual(kid, decodeProtectedHeader(before).kid);

    // Past the cooldown, so the unknown kid may refetch (waiting longer is harmless).
    await new Promise((r) => setTimeout(r, Math.max(0, cooldownSeconds * 1000 + 200 - (Date.now() - started))));
    assert.equal((await v.validateToken(rotated)).appId, APPS.api2);
    assert.equal(keySetFetches.length, 2, "one refetch for the new kid");
    // The previous key stays published, so tokens signed before the rotation keep validating.
    assert.equal((await validator(cooldownSeconds).validateToken(before)).appId, APPS.api2);
  });

  it("within the cooldown, tokens naming unknown kids do not make it fetch again", async () => {
    const v = validator(30);
    await v.validateToken(await token());
    assert.equal(keySetFetches.length, 1);
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const claims = decodeJwt(await token());
    for (const kid of ["unknown-1", "unknown-2", "unknown-3"]) {
      const forged = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT", kid }).sign(privateKey);
      await assert.rejects(
        v.validateToken(forged),
        (e) => e instanceof AuthError && e.status === 401 && e.message === "The signing key was not found.",
      );
    }
    assert.equal(keySetFetches.length, 1, "no refetch within the cooldown");
  });
});
