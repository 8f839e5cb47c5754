import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  decodeJwt,
  decodeProtectedHeader,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  SignJWT,
  type JWTPayload,
} from "jose";
import { EXAMPLE, EXAMPLE_CONFIG, exampleTokenForm, type TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml, call, startGatewayTest, tamper, validateJwtPolicy, type GatewayTest } from "../helpers/gateway.js";

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Every token attack of the issue gets its own test; each must be refused with the reason it deserves. */
describe("validate-jwt against forged and invalid tokens", () => {
  let test: GatewayTest;
  let gh: TestGatehouse;
  let token: string;
  let claims: JWTPayload;
  let kid: string;

  before(async () => {
    test = await startGatewayTest(
      (backends) =>
        `${EXAMPLE_CONFIG}gateway:\n  apis:\n${apiYaml("secure", backends.echoUrl, ["subscriptionRequired: false"])}`,
    );
    gh = test.gh;
    await gh.gateway.policies.put(
      { kind: "api", api: "secure" },
      validateJwtPolicy(
        `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0/.well-known/openid-configuration`,
        EXAMPLE.resourceAppId,
      ),
    );
    await gh.reloadGateway();
    const res = await gh.postForm(gh.tokenUrl(), exampleTokenForm());
    token = (res.body as { access_token: string }).access_token;
    claims = decodeJwt(token);
    kid = decodeProtectedHeader(token).kid as string;
  });
  after(() => test.stop());

  const send = (jwt: string) =>
    call(gh, `${gh.gatewayUrl}/secure/items`, { headers: { authorization: `Bearer ${jwt}` } });

  const rejections = async (reason: string) => {
    const text = await gh.gatewayMetrics();
    const line = text
      .split("\n")
      .find((l) => l.startsWith(`gatehouse_gateway_policy_rejections_total{source="validate-jwt",reason="${reason}"}`));
    return line ? Number(line.split(" ").at(-1)) : 0;
  };

  /** Asserts the APIM body and that the rejection was counted with this reason. */
  const assertRefused = async (jwt: string, reason: string) => {
    const before = await rejections(reason);
    const reply = await send(jwt);
    assert.equal(reply.status, 401, reply.text);
    assert.equal(reply.text, '{ "statusCode": 401, "message": "Invalid JWT." }');
    assert.equal(await rejections(reason), before + 1, `expected a ${reason} rejection`);
  };

  const signWithServerKey = async (payload: JWTPayload) => {
    const key = await importPKCS8(gh.runtime.snapshot().keyRing.current().privateKeyPem, "RS256");
    return new SignJWT(payload).setProtectedHeader({ alg: "RS256", typ: "JWT", kid }).sign(key);
  };

  it("accepts the genuine token (the baseline the attacks are measured against)", async () => {
    const reply = await send(token);
    assert.equal(reply.status, 200, reply.text);
  });

  it("refuses alg: none", async () => {
    await assertRefused(`${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims)}.`, "TokenSignatureInvalid");
  });

  it("refuses HS256 signed with the issuer's RSA public key as the HMAC secret", async () => {
    const jwks = (await gh.get(`${gh.identityUrl}/${EXAMPLE.tenantId}/discovery/v2.0/keys`)).body as {
      keys: { kid: string; x5c: string[] }[];
    };
    const x5c = jwks.keys.find((k) => k.kid === kid)?.x5c[0] as string;
    const pem = new X509Certificate(Buffer.from(x5c, "base64")).publicKey
      .export({ type: "spki", format: "pem" })
      .toString();
    for (const secret of [pem, Buffer.from(x5c, "base64")]) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", typ: "JWT", kid })
        .sign(typeof secret === "string" ? new TextEncoder().encode(secret) : new Uint8Array(secret));
      await assertRefused(forged, "TokenSignatureInvalid");
    }
  });

  it("refuses a token signed by a foreign key that claims the issuer's kid", async () => {
    const { privateKey } = await generateKeyPair("RS256", { extractable: true });
    const foreign = await importPKCS8(await exportPKCS8(privateKey), "RS256");
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT", kid }).sign(foreign);
    await assertRefused(forged, "TokenSignatureInvalid");
  });

  it("refuses a token with a foreign kid (after one refresh of the issuer's keys)", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: "not-a-published-key" })
      .sign(privateKey);
    await assertRefused(forged, "TokenSignatureKeyNotFound");
  });

  it("refuses a bad signature", async () => {
    await assertRefused(tamper(token), "TokenSignatureInvalid");
  });

  it("refuses an expired token signed by the issuer's own key", async () => {
    const now = Math.floor(Date.now() / 1000);
    await assertRefused(
      await signWithServerKey({ ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 60 }),
      "TokenExpired",
    );
  });

  it("refuses a token that is not valid yet", async () => {
    const now = Math.floor(Date.now() / 1000);
    // APIM has no reason of its own for this lifetime failure; it reports JwtInvalid.
    await assertRefused(await signWithServerKey({ ...claims, nbf: now + 600, exp: now + 3600 }), "JwtInvalid");
  });

  it("refuses a token without exp (require-expiration-time defaults to true)", async () => {
    const { exp: _exp, ...rest } = claims;
    await assertRefused(await signWithServerKey(rest), "JwtInvalid");
  });

  it("refuses a token for another audience", async () => {
    await assertRefused(await signWithServerKey({ ...claims, aud: "api://someone-else" }), "TokenAudienceNotAllowed");
  });

  it("refuses a token from another issuer, even when signed with a trusted key", async () => {
    await assertRefused(
      await signWithServerKey({ ...claims, iss: "https://login.microsoftonline.com/evil/v2.0" }),
      "TokenIssuerNotAllowed",
    );
  });

  it("refuses garbage where a token should be", async () => {
    await assertRefused("not.a.jwt", "JwtInvalid");
  });
});
