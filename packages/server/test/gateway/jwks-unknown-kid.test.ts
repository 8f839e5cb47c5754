import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import type { TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml, call, startGatewayTest, validateJwtPolicy, type GatewayTest } from "../helpers/gateway.js";

const ISSUER = "https://issuer.example.test/rotating/";
const AUDIENCE = "api://rotating";
/** Small, so the test waits little; the default is 10 s. */
const COOLDOWN_MS = 400;

/** An identity provider whose JWKS can gain keys and go down, counting the JWKS fetches it answers. */
async function startIssuer() {
  const keys: JWK[] = [];
  let jwksFetches = 0;
  let down = false;
  const server: Server = createServer((req, res) => {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/openid-configuration") {
      res.end(JSON.stringify({ issuer: ISSUER, jwks_uri: `${origin}/keys` }));
    } else if (req.url === "/keys") {
      jwksFetches++;
      res.statusCode = down ? 503 : 200;
      res.end(down ? "{}" : JSON.stringify({ keys }));
    } else {
      res.statusCode = 404;
      res.end("{}");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/openid-configuration`,
    async addKey(kid: string): Promise<CryptoKey> {
      const { publicKey, privateKey } = await generateKeyPair("RS256");
      keys.push({ ...(await exportJWK(publicKey)), kid, use: "sig", alg: "RS256" });
      return privateKey;
    },
    jwksFetches: () => jwksFetches,
    setDown(value: boolean) {
      down = value;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const sign = (key: CryptoKey, kid: string) =>
  new SignJWT({ roles: ["Read"] })
    .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(key);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("validate-jwt: tokens naming an unknown kid", () => {
  let test: GatewayTest;
  let gh: TestGatehouse;
  let issuer: Awaited<ReturnType<typeof startIssuer>>;
  let attackerKey: CryptoKey;

  before(async () => {
    issuer = await startIssuer();
    const policyLines = [
      "policy: |",
      ...validateJwtPolicy(issuer.url, AUDIENCE)
        .split("\n")
        .map((l) => `  ${l}`),
    ];
    test = await startGatewayTest(
      (backends) =>
        `gateway:\n  apis:\n${apiYaml("rotating", backends.echoUrl, ["subscriptionRequired: false", ...policyLines])}`,
      { overrides: { jwksRefreshCooldownMs: COOLDOWN_MS } },
    );
    gh = test.gh;
    ({ privateKey: attackerKey } = await generateKeyPair("RS256"));
  });
  after(async () => {
    await test.stop();
    await issuer.close();
  });

  const get = (token: string) =>
    call(gh, `${gh.gatewayUrl}/rotating`, { headers: { authorization: `Bearer ${token}` } });

  it("a flood of random kids costs at most one JWKS fetch per cooldown, and a key published meanwhile is accepted after it", async () => {
    const k1 = await issuer.addKey("k1");
    assert.equal((await get(await sign(k1, "k1"))).status, 200);
    const fetchesBefore = issuer.jwksFetches();
    const started = Date.now();

    // The attack of the issue: tokens with random kids, meant to spend the refresh allowance.
    const flood = await Promise.all(
      Array.from({ length: 40 }, async () => (await get(await sign(attackerKey, randomUUID()))).status),
    );
    assert.ok(flood.every((status) => status === 401));
    for (let i = 0; i < 20; i++) assert.equal((await get(await sign(attackerKey, randomUUID()))).status, 401);
    const cooldowns = Math.floor((Date.now() - started) / COOLDOWN_MS) + 1;
    const floodFetches = issuer.jwksFetches() - fetchesBefore;
    assert.ok(floodFetches >= 1 && floodFetches <= cooldowns, `${floodFetches} fetches over ${cooldowns} cooldowns`);

    // A rotation at the issuer: the new key is accepted once the cooldown has passed, flood or not.
    const k2 = await issuer.addKey("k2");
    const token = await sign(k2, "k2");
    await sleep(COOLDOWN_MS + 50);
    assert.equal((await get(await sign(attackerKey, randomUUID()))).status, 401);
    assert.equal((await get(token)).status, 200, "the refetch an attacker's kid triggered brought the new key too");
  });

  it("after an identity outage, a key published during it is accepted within a cooldown of the recovery", async () => {
    issuer.setDown(true);
    const k3 = await issuer.addKey("k3");
    const token = await sign(k3, "k3");
    await sleep(COOLDOWN_MS + 50);
    const fetchesBefore = issuer.jwksFetches();
    assert.equal((await get(token)).status, 401, "the JWKS cannot be read");
    assert.equal(issuer.jwksFetches(), fetchesBefore + 1);
    assert.equal((await get(token)).status, 401);
    assert.equal(issuer.jwksFetches(), fetchesBefore + 1, "within the cooldown after the failure, nothing is fetched");

    issuer.setDown(false);
    await sleep(COOLDOWN_MS + 50);
    assert.equal((await get(token)).status, 200);
  });
});
