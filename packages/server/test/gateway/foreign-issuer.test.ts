import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import type { TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml, call, startGatewayTest, type GatewayTest } from "../helpers/gateway.js";

const ISSUER = "https://issuer.example.test/tenant-a/";

/** An identity provider that is not Gatehouse: its own discovery document, its own keys. */
async function startForeignIssuer() {
  const keys: JWK[] = [];
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    fetches++;
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/openid-configuration") {
      res.end(
        JSON.stringify({
          issuer: ISSUER,
          jwks_uri: `${origin}/keys`,
          id_token_signing_alg_values_supported: ["RS256"],
        }),
      );
    } else if (req.url === "/keys") {
      res.end(JSON.stringify({ keys }));
    } else {
      res.statusCode = 404;
      res.end("{}");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addKey = async (kid: string): Promise<CryptoKey> => {
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    keys.push({ ...(await exportJWK(publicKey)), kid, use: "sig", alg: "RS256" });
    return privateKey;
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/openid-configuration`,
    addKey,
    fetches: () => fetches,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe("validate-jwt with a foreign issuer's openid-config", () => {
  let test: GatewayTest;
  let gh: TestGatehouse;
  let issuer: Awaited<ReturnType<typeof startForeignIssuer>>;
  let k1: CryptoKey;

  const sign = (key: CryptoKey, kid: string, claims: Record<string, unknown> = {}) =>
    new SignJWT({ roles: ["Orders.Read"], azp: "client-1", ...claims })
      .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
      .setIssuer(ISSUER)
      .setAudience("api://orders")
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(key);

  before(async () => {
    issuer = await startForeignIssuer();
    k1 = await issuer.addKey("k1");
    const policy = `<policies>
  <inbound>
    <base />
    <validate-jwt header-name="Authorization" failed-validation-httpcode="403" failed-validation-error-message="Forbidden by policy">
      <openid-config url="${issuer.url}" />
      <audiences><audience>api://orders</audience></audiences>
      <issuers><issuer>${ISSUER}</issuer></issuers>
      <required-claims>
        <claim name="roles" match="any"><value>Orders.Read</value><value>Orders.Admin</value></claim>
      </required-claims>
    </validate-jwt>
  </inbound>
</policies>`;
    const policyLines = ["policy: |", ...policy.split("\n").map((line) => `  ${line}`)];
    test = await startGatewayTest(
      (backends) =>
        `gateway:\n  apis:\n${apiYaml("orders", backends.echoUrl, ["subscriptionRequired: false", ...policyLines])}`,
    );
    gh = test.gh;
  });
  after(async () => {
    await test.stop();
    await issuer.close();
  });

  const get = (token: string) => call(gh, `${gh.gatewayUrl}/orders`, { headers: { authorization: `Bearer ${token}` } });

  it("accepts the issuer's tokens, fetching its discovery document and keys once", async () => {
    const token = await sign(k1, "k1");
    for (let i = 0; i < 5; i++) assert.equal((await get(token)).status, 200);
    assert.equal(issuer.fetches(), 2, "openid-config and JWKS, then the cache");
  });

  it("applies the configured status and message, and required-claims", async () => {
    const reply = await get(await sign(k1, "k1", { roles: ["Orders.Write"] }));
    assert.equal(reply.status, 403);
    assert.equal(reply.text, '{ "statusCode": 403, "message": "Forbidden by policy" }');
  });

  it("follows the issuer's key rotation: an unknown kid refreshes the keys once", async () => {
    const k2 = await issuer.addKey("k2");
    const before = issuer.fetches();
    assert.equal((await get(await sign(k2, "k2"))).status, 200);
    assert.ok(issuer.fetches() > before, "the JWKS was fetched again");
  });
});
