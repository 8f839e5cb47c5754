import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { importPKCS8, SignJWT } from "jose";
import { createSelfSignedCertificate, type KeyAndCertificate } from "../../src/crypto/certificates.js";
import {
  EXAMPLE,
  EXAMPLE_CONFIG,
  exampleTokenForm,
  startTestGatehouse,
  type TestGatehouse,
} from "../helpers/gatehouse.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

describe("token endpoint errors are Entra's", () => {
  let gh: TestGatehouse;
  let certApp: { appId: string };
  let cert: KeyAndCertificate;
  let otherCert: KeyAndCertificate;
  let expiredApp: { appId: string; secret: string };
  let disabledApp: { appId: string; secret: string };
  let lockedResource: { appId: string };

  before(async () => {
    gh = await startTestGatehouse({ config: EXAMPLE_CONFIG });
    const r = gh.registry;
    [cert, otherCert] = await Promise.all([
      createSelfSignedCertificate("client", 30),
      createSelfSignedCertificate("stranger", 30),
    ]);
    const withCert = await r.createApplication(EXAMPLE.tenantId, { displayName: "CertClient" });
    await r.addKey(withCert.id, { key: cert.certificatePem });
    await r.createServicePrincipal(EXAMPLE.tenantId, withCert.appId);
    certApp = withCert;

    const expired = await r.createApplication(EXAMPLE.tenantId, { displayName: "ExpiredClient" });
    const { secretText } = await r.addPassword(expired.id, {
      startDateTime: "2020-01-01T00:00:00Z",
      endDateTime: "2021-01-01T00:00:00Z",
    });
    await r.createServicePrincipal(EXAMPLE.tenantId, expired.appId);
    expiredApp = { appId: expired.appId, secret: secretText };

    const disabled = await r.createApplication(EXAMPLE.tenantId, { displayName: "DisabledClient" });
    const disabledSecret = await r.addPassword(disabled.id, {});
    await r.createServicePrincipal(EXAMPLE.tenantId, disabled.appId, { accountEnabled: false });
    disabledApp = { appId: disabled.appId, secret: disabledSecret.secretText };

    const locked = await r.createApplication(EXAMPLE.tenantId, {
      displayName: "LockedApi",
      identifierUris: ["api://locked"],
    });
    await r.createServicePrincipal(EXAMPLE.tenantId, locked.appId, { appRoleAssignmentRequired: true });
    lockedResource = locked;
  });
  after(() => gh.stop());

  const base = exampleTokenForm;

  async function expectError(
    res: { status: number; body: unknown; headers: Headers },
    status: number,
    error: string,
    code: number,
  ) {
    const body = res.body as Record<string, unknown>;
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(body.error, error);
    assert.deepEqual(body.error_codes, [code]);
    assert.match(
      body.error_description as string,
      new RegExp(
        `^AADSTS${code}: .+\\r\\nTrace ID: .+\\r\\nCorrelation ID: .+\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`,
      ),
    );
    assert.match(body.timestamp as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    assert.match(body.trace_id as string, GUID);
    assert.match(body.correlation_id as string, GUID);
    assert.equal(body.error_uri, `https://login.microsoftonline.com/error?code=${code}`);
    assert.equal(res.headers.get("retry-after"), null, "4xx auth errors never carry Retry-After (MSAL would throttle)");
    assert.ok(!(body.error_description as string).includes(EXAMPLE.secret));
  }

  const assertion = async (
    key: KeyAndCertificate,
    claims: { aud?: string; iss?: string; sub?: string; nbf?: number; exp?: number },
    alg: "PS256" | "RS256" = "PS256",
    signWith: KeyAndCertificate = key,
  ) => {
    const now = Math.floor(Date.now() / 1000);
    const header =
      alg === "PS256"
        ? { alg, typ: "JWT", "x5t#S256": createHash("sha256").update(key.certificate.der).digest("base64url") }
        : { alg, typ: "JWT", x5t: createHash("sha1").update(key.certificate.der).digest("base64url") };
    return new SignJWT({
      aud: claims.aud ?? gh.tokenUrl(),
      iss: claims.iss ?? certApp.appId,
      sub: claims.sub ?? certApp.appId,
      jti: randomUUID(),
      nbf: claims.nbf ?? now,
      iat: now,
      exp: claims.exp ?? now + 600,
    })
      .setProtectedHeader(header)
      .sign(await importPKCS8(signWith.privateKeyPem, alg));
  };
  const assertionForm = async (jwt: string) =>
    base({
      client_id: certApp.appId,
      client_secret: undefined,
      client_assertion_type: JWT_BEARER,
      client_assertion: jwt,
    });

  it("accepts private_key_jwt with PS256 + x5t#S256 and RS256 + x5t", async () => {
    for (const alg of ["PS256", "RS256"] as const) {
      const res = await gh.postForm(gh.tokenUrl(), await assertionForm(await assertion(cert, {}, alg)));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const { payload } = await gh.verify((res.body as { access_token: string }).access_token, {
        issuer: `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0`,
        audience: EXAMPLE.resourceAppId,
      });
      assert.equal(payload.azpacr, "2");
    }
  });

  it("wrong secret → 401 invalid_client AADSTS7000215", async () =>
    expectError(
      await gh.postForm(gh.tokenUrl(), base({ client_secret: "not-the-secret-at-all" })),
      401,
      "invalid_client",
      7000215,
    ));
  it("expired secret → 401 invalid_client AADSTS7000222", async () =>
    expectError(
      await gh.postForm(gh.tokenUrl(), base({ client_id: expiredApp.appId, client_secret: expiredApp.secret })),
      401,
      "invalid_client",
      7000222,
    ));
  it("no credential → 401 invalid_client AADSTS7000216", async () =>
    expectError(await gh.postForm(gh.tokenUrl(), base({ client_secret: undefined })), 401, "invalid_client", 7000216));
  it("unknown client → 400 unauthorized_client AADSTS700016", async () =>
    expectError(
      await gh.postForm(gh.tokenUrl(), base({ client_id: randomUUID() })),
      400,
      "unauthorized_client",
      700016,
    ));
  it("disabled service principal → 400 unauthorized_client AADSTS7000112", async () =>
    expectError(
      await gh.postForm(gh.tokenUrl(), base({ client_id: disabledApp.appId, client_secret: disabledApp.secret })),
      400,
      "unauthorized_client",
      7000112,
    ));
  it("unknown resource → 400 invalid_resource AADSTS500011", async () =>
    expectError(
      await gh.postForm(gh.tokenUrl(), base({ scope: "api://nobody/.default" })),
      400,
      "invalid_resource",
      500011,
    ));
  it("scope without /.default → 400 invalid_scope AADSTS1002012", async () =>
    expectError(
      await gh.postForm(gh.tokenUrl(), base({ scope: `api://${EXAMPLE.resourceAppId}/APIAccess` })),
      400,
      "invalid_scope",
      1002012,
    ));
  it("several resources in one scope → 400 invalid_scope AADSTS700022", async () =>
    expectError(
      await gh.postForm(gh.tokenUrl(), base({ scope: `${EXAMPLE.scope} api://locked/.default` })),
      400,
      "invalid_scope",
      700022,
    ));
  for (const missing of ["grant_type", "client_id", "scope"]) {
    it(`missing ${missing} → 400 invalid_request AADSTS900144`, async () => {
      const res = await gh.postForm(gh.tokenUrl(), base({ [missing]: undefined }));
      await expectError(res, 400, "invalid_request", 900144);
      assert.match((res.body as { error_description: string }).error_description, new RegExp(`'${missing}'`));
    });
  }
  it("unsupported grant type → 400 unsupported_grant_type AADSTS70003", async () =>
    expectError(
      await gh.postForm(gh.tokenUrl(), base({ grant_type: "password" })),
      400,
      "unsupported_grant_type",
      70003,
    ));
  it("`resource` on the v2 endpoint → 400 invalid_request AADSTS901002", async () =>
    expectError(await gh.postForm(gh.tokenUrl(), base({ resource: "api://x" })), 400, "invalid_request", 901002));
  it("unknown tenant → 400 invalid_request AADSTS90002 (token) and invalid_tenant (discovery)", async () => {
    await expectError(await gh.postForm(gh.tokenUrl(randomUUID()), base()), 400, "invalid_request", 90002);
    await expectError(
      await gh.get(`${gh.identityUrl}/${randomUUID()}/v2.0/.well-known/openid-configuration`),
      400,
      "invalid_tenant",
      90002,
    );
    await expectError(
      await gh.get(`${gh.identityUrl}/nowhere.example/discovery/v2.0/keys`),
      400,
      "invalid_tenant",
      90002,
    );
  });
  for (const tenant of ["common", "organizations", "Consumers"]) {
    it(`/${tenant} on the token endpoint → 400 invalid_request AADSTS9001023`, async () =>
      expectError(await gh.postForm(gh.tokenUrl(tenant), base()), 400, "invalid_request", 9001023));
  }
  it("client assertion with a bad signature → 401 invalid_client AADSTS700027", async () =>
    expectError(
      await gh.postForm(gh.tokenUrl(), await assertionForm(await assertion(cert, {}, "PS256", otherCert))),
      401,
      "invalid_client",
      700027,
    ));
  it("client assertion for another audience → 401 invalid_client AADSTS700023", async () =>
    expectError(
      await gh.postForm(
        gh.tokenUrl(),
        await assertionForm(await assertion(cert, { aud: "https://elsewhere.example/token" })),
      ),
      401,
      "invalid_client",
      700023,
    ));
  it("client assertion outside its time range → 401 invalid_client AADSTS700024", async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectError(
      await gh.postForm(
        gh.tokenUrl(),
        await assertionForm(await assertion(cert, { nbf: now - 7200, exp: now - 3600 })),
      ),
      401,
      "invalid_client",
      700024,
    );
    await expectError(
      await gh.postForm(
        gh.tokenUrl(),
        await assertionForm(await assertion(cert, { nbf: now + 3600, exp: now + 4000 })),
      ),
      401,
      "invalid_client",
      700024,
    );
  });
  it("client assertion with an unknown certificate → 401 invalid_client AADSTS700027", async () => {
    const res = await gh.postForm(gh.tokenUrl(), await assertionForm(await assertion(otherCert, {})));
    await expectError(res, 401, "invalid_client", 700027);
    assert.match((res.body as { error_description: string }).error_description, /The key was not found/);
  });
  it("client assertion whose iss/sub is another client → 401 invalid_client AADSTS700021", async () =>
    expectError(
      await gh.postForm(
        gh.tokenUrl(),
        await assertionForm(await assertion(cert, { iss: EXAMPLE.clientAppId, sub: EXAMPLE.clientAppId })),
      ),
      401,
      "invalid_client",
      700021,
    ));
  it("role assignment required but missing → 400 invalid_grant AADSTS501051", async () =>
    expectError(
      await gh.postForm(gh.tokenUrl(), base({ scope: `${lockedResource.appId}/.default` })),
      400,
      "invalid_grant",
      501051,
    ));

  it("echoes client-request-id as correlation_id", async () => {
    const id = randomUUID();
    const res = await gh.postForm(
      `${gh.tokenUrl()}?client-request-id=${id}`,
      base({ client_secret: "wrong-wrong-wrong" }),
    );
    assert.equal((res.body as { correlation_id: string }).correlation_id, id);
  });

  it("answers bad input with JSON 4xx, never 5xx, HTML or an empty body", async () => {
    const cases = [
      await gh.postForm(gh.tokenUrl(), {}, { "content-type": "application/json" }),
      await gh.postForm(gh.tokenUrl(), base(), { authorization: "Basic !!!not-base64" }),
      await gh.postForm(
        gh.tokenUrl(),
        base({ client_secret: undefined, client_assertion_type: JWT_BEARER, client_assertion: "a.b.c" }),
      ),
      await gh.postForm(
        gh.tokenUrl(),
        base({ client_secret: undefined, client_assertion_type: "urn:other", client_assertion: "x" }),
      ),
      await gh.postForm(gh.tokenUrl(), base({ padding: "x".repeat(100_000) })),
      await gh.postForm(gh.tokenUrl("bad tenant!"), base()),
      await gh.get(gh.tokenUrl()),
      await gh.get(`${gh.identityUrl}/no/such/path`),
    ];
    for (const res of cases) {
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
      const body = res.body as Record<string, unknown>;
      assert.equal(typeof body.error, "string");
      assert.match(body.error_description as string, /^AADSTS\d+: /);
      assert.ok(!JSON.stringify(body).includes("    at "), "no stack trace");
    }
  });
});
