import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { base64url, decodeProtectedHeader, SignJWT } from "jose";
import { APPS, changedClaims, startMiddlewareGatehouse, type MiddlewareGatehouse } from "./helpers/gatehouse.js";
import { RECORDS, startExpressApi, startFastifyApi, type ApiOptions, type ApiServer } from "./helpers/apis.js";

interface Answer {
  status: number;
  challenge: string | null;
  contentType: string | null;
  text: string;
  body: Record<string, unknown>;
}

async function call(url: string, authorization?: string): Promise<Answer> {
  const res = await fetch(url, authorization === undefined ? {} : { headers: { authorization } });
  const text = await res.text();
  return {
    status: res.status,
    challenge: res.headers.get("www-authenticate"),
    contentType: res.headers.get("content-type"),
    text,
    body: JSON.parse(text) as Record<string, unknown>,
  };
}

const b64json = (value: object) => base64url.encode(JSON.stringify(value));
const now = () => Math.floor(Date.now() / 1000);

/** Checks a refusal: status, RFC 6750 challenge, problem details, and that the token is not echoed. */
function assertRefused(answer: Answer, status: 401 | 403, challenge: string, token?: string): void {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.challenge, challenge);
  assert.match(answer.contentType ?? "", /^application\/problem\+json/);
  assert.equal(answer.body.status, status);
  assert.equal(answer.body.title, status === 401 ? "Unauthorized" : "Forbidden");
  assert.match(String(answer.body.type), /^https:\/\/tools\.ietf\.org\/html\/rfc9110#section-15\.5\./);
  assert.equal(typeof answer.body.detail, "string");
  if (token) {
    const echoed = `${answer.text} ${answer.challenge ?? ""}`;
    for (const part of token.split(".").filter((p) => p !== "")) assert.ok(!echoed.includes(part), "token echoed");
  }
}

const invalidToken = (description: string) => `Bearer error="invalid_token", error_description="${description}"`;

describe("Express and Fastify APIs protected by @gatehouse/middleware, with tokens from a real Gatehouse", () => {
  let gate: MiddlewareGatehouse;
  let v2Token: string; // API2 → API1, from @azure/msal-node
  let v1Token: string; // API2 → the legacy API, from @azure/msal-node
  let noRolesToken: string;
  const servers: ApiServer[] = [];

  before(async () => {
    gate = await startMiddlewareGatehouse();
    [v2Token, v1Token, noRolesToken] = await Promise.all([
      gate.msalToken(APPS.api2, `api://${APPS.api1}/.default`),
      gate.msalToken(APPS.api2, `api://${APPS.legacyApi}/.default`),
      gate.formToken(APPS.noRoleClient, `api://${APPS.api1}/.default`),
    ]);
    const options: ApiOptions = {
      records: { authority: gate.authority, audience: APPS.api1, fetch: gate.fetch },
      legacy: { authority: gate.authority, audience: APPS.legacyApi, fetch: gate.fetch },
      role: APPS.role,
    };
    servers.push(await startExpressApi(options), await startFastifyApi(options));
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await gate?.stop();
  });

  for (const name of ["express", "fastify"] as const) {
    describe(name, () => {
      const url = (path: string) => `${servers.find((s) => s.name === name)?.url}${path}`;

      it("accepts API2's v2 token from MSAL on /records (requireRole) and types req.auth", async () => {
        const answer = await call(url("/records"), `Bearer ${v2Token}`);
        assert.equal(answer.status, 200, answer.text);
        assert.deepEqual(answer.body, {
          records: RECORDS,
          auth: {
            version: 2,
            appId: APPS.api2,
            tenantId: APPS.tenantId,
            roles: [APPS.role],
            scopes: [],
            aud: APPS.api1,
          },
        });
      });

      it("accepts a v1 token from MSAL (aud = App ID URI, v1 issuer) on the v1 API", async () => {
        const answer = await call(url("/legacy/records"), `Bearer ${v1Token}`);
        assert.equal(answer.status, 200, answer.text);
        assert.deepEqual(answer.body.auth, {
          version: 1,
          appId: APPS.api2,
          tenantId: APPS.tenantId,
          roles: [APPS.role],
          scopes: [],
          aud: `api://${APPS.legacyApi}`,
        });
      });

      it("requireAnyRole accepts one of the roles", async () => {
        assert.equal((await call(url("/any"), `Bearer ${v2Token}`)).status, 200);
      });

      it("requireRole: 403 insufficient_scope with problem details when the role is missing", async () => {
        const answer = await call(url("/admin"), `Bearer ${v2Token}`);
        const detail = "The token does not carry the role Records.Admin.";
        assertRefused(answer, 403, `Bearer error="insufficient_scope", error_description="${detail}"`, v2Token);
        assert.equal(answer.body.detail, detail);
      });

      it("requireScope: a token with the scope passes; one without gets 403 naming the scope", async () => {
        const delegated = await gate.sign(changedClaims(v2Token, { roles: undefined, scp: "Records.Read User.Read" }));
        const ok = await call(url("/read"), `Bearer ${delegated}`);
        assert.equal(ok.status, 200, ok.text);
        assert.deepEqual((ok.body.auth as { scopes: string[] }).scopes, ["Records.Read", "User.Read"]);
        assertRefused(
          await call(url("/read"), `Bearer ${v2Token}`),
          403,
          'Bearer error="insufficient_scope", error_description="The token does not carry the scope Records.Read.", ' +
            'scope="Records.Read"',
        );
        // …and the delegated token has no role, so the app-only route refuses it.
        assert.equal((await call(url("/records"), `Bearer ${delegated}`)).status, 403);
      });

      it("no token: 401 with a bare Bearer challenge (no error attribute, RFC 6750 §3.1)", async () => {
        assertRefused(await call(url("/records")), 401, "Bearer");
        assertRefused(await call(url("/records"), "Basic dXNlcjpwYXNz"), 401, "Bearer");
        assertRefused(await call(url("/records"), "Bearer "), 401, "Bearer");
      });

      it("malformed Authorization header or token: 401 invalid_token", async () => {
        const malformed = invalidToken("The Authorization header is malformed.");
        assertRefused(await call(url("/records"), `Bearer ${v2Token} extra`), 401, malformed, v2Token);
        assertRefused(await call(url("/records"), "Bearer not-a-jwt"), 401, invalidToken("The token is malformed."));
      });

      // The attack list of the issue, each as a request to the protected route.
      const attacks: [string, () => Promise<string>, string][] = [
        [
          "alg none",
          async () => `${b64json({ alg: "none", typ: "JWT" })}.${b64json(changedClaims(v2Token, {}))}.`,
          "The signing algorithm is not allowed.",
        ],
        [
          "HMAC signed with the public key",
          async () => {
            const { kid, privateKeyPem } = gate.gh.runtime.snapshot().keyRing.current();
            const publicPem = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: "spki", format: "pem" });
            const input = `${b64json({ alg: "HS256", typ: "JWT", kid })}.${b64json(changedClaims(v2Token, {}))}`;
            return `${input}.${createHmac("sha256", publicPem).update(input).digest("base64url")}`;
          },
          "The signing algorithm is not allowed.",
        ],
        [
          "a foreign key with the server's kid",
          async () => {
            const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
            const kid = decodeProtectedHeader(v2Token).kid as string;
            return new SignJWT(changedClaims(v2Token, {}))
              .setProtectedHeader({ alg: "RS256", typ: "JWT", kid, x5t: kid })
              .sign(privateKey);
          },
          "The signature is invalid.",
        ],
        [
          "a changed payload",
          async () => {
            const [header, , signature] = v2Token.split(".");
            return `${header}.${b64json(changedClaims(v2Token, { roles: ["Records.Admin"] }))}.${signature}`;
          },
          "The signature is invalid.",
        ],
        [
          "expired (signed with the server's key)",
          () => gate.sign(changedClaims(v2Token, { iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 })),
          "The token is expired.",
        ],
        [
          "not valid yet",
          () => gate.sign(changedClaims(v2Token, { nbf: now() + 3600, exp: now() + 7200 })),
          "The token is not valid yet.",
        ],
        [
          "without exp",
          () => gate.sign(changedClaims(v2Token, { exp: undefined })),
          "The token has no expiration time.",
        ],
        [
          "wrong issuer: another tenant of the same server",
          () =>
            gate.sign(
              changedClaims(v2Token, {
                iss: `${gate.gh.identityUrl}/${APPS.otherTenantId}/v2.0`,
                tid: APPS.otherTenantId,
              }),
            ),
          "The issuer is invalid.",
        ],
        [
          "wrong issuer: another host",
          () => gate.sign(changedClaims(v2Token, { iss: `https://login.microsoftonline.com/${APPS.tenantId}/v2.0` })),
          "The issuer is invalid.",
        ],
        [
          "wrong audience (signed with the server's key)",
          () => gate.sign(changedClaims(v2Token, { aud: "api://another-api" })),
          "The audience is invalid.",
        ],
        ["a real token for another API (the v1 one)", async () => v1Token, "The audience is invalid."],
        [
          "a real token with neither roles nor scp",
          async () => noRolesToken,
          "Neither scope nor roles claim was found in the token.",
        ],
      ];
      for (const [attack, make, description] of attacks) {
        it(`rejects ${attack}: 401 invalid_token`, async () => {
          const token = await make();
          const answer = await call(url("/records"), `Bearer ${token}`);
          assertRefused(answer, 401, invalidToken(description), token);
          assert.equal(answer.body.detail, description);
        });
      }
    });
  }
});
