import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { importPKCS8, SignJWT } from "jose";
import { createSelfSignedCertificate, type KeyAndCertificate } from "../../src/crypto/certificates.js";
import { databaseTargets } from "../helpers/databases.js";
import {
  EXAMPLE,
  EXAMPLE_CONFIG,
  exampleTokenForm,
  startTestGatehouse,
  type TestGatehouse,
} from "../helpers/gatehouse.js";

/** A port free a moment ago: the second node must listen on a known port while serving the first's public URL. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const now = () => Math.floor(Date.now() / 1000);

/** An assertion as MSAL makes it (PS256, x5t#S256, exp = now + 10 min), with any claim replaced or dropped. */
async function assertion(
  gh: TestGatehouse,
  cert: KeyAndCertificate,
  appId: string,
  claims: Record<string, unknown> = {},
): Promise<string> {
  const t = now();
  const payload = Object.fromEntries(
    Object.entries({
      aud: gh.tokenUrl(),
      iss: appId,
      sub: appId,
      jti: randomUUID(),
      nbf: t,
      iat: t,
      exp: t + 600,
      ...claims,
    }).filter(([, value]) => value !== undefined),
  );
  return new SignJWT(payload)
    .setProtectedHeader({
      alg: "PS256",
      typ: "JWT",
      "x5t#S256": createHash("sha256").update(cert.certificate.der).digest("base64url"),
    })
    .sign(await importPKCS8(cert.privateKeyPem, "PS256"));
}

async function registerCertificateClient(gh: TestGatehouse, cert: KeyAndCertificate): Promise<string> {
  const app = await gh.registry.createApplication(EXAMPLE.tenantId, { displayName: "CertClient" });
  await gh.registry.addKey(app.id, { key: cert.certificatePem });
  await gh.registry.createServicePrincipal(EXAMPLE.tenantId, app.appId);
  return app.appId;
}

const tokenRequest = (gh: TestGatehouse, appId: string, jwt: string) =>
  gh.postForm(
    gh.tokenUrl(),
    exampleTokenForm({
      client_id: appId,
      client_secret: undefined,
      client_assertion_type: JWT_BEARER,
      client_assertion: jwt,
    }),
  );

function expectAadsts(res: { status: number; body: unknown }, status: number, code: number, text?: RegExp): void {
  const body = res.body as { error_codes?: number[]; error_description?: string };
  assert.equal(res.status, status, JSON.stringify(body));
  assert.deepEqual(body.error_codes, [code]);
  if (text) assert.match(body.error_description ?? "", text);
}

describe("client assertions: lifetime cap and single use", () => {
  let gh: TestGatehouse;
  let cert: KeyAndCertificate;
  let appId: string;

  before(async () => {
    gh = await startTestGatehouse({ config: EXAMPLE_CONFIG });
    cert = await createSelfSignedCertificate("client", 30);
    appId = await registerCertificateClient(gh, cert);
  });
  after(() => gh.stop());

  it("refuses an assertion that expires in the year 3000 (AADSTS700024)", async () => {
    const jwt = await assertion(gh, cert, appId, { exp: Date.UTC(3000, 0, 1) / 1000 });
    expectAadsts(
      await tokenRequest(gh, appId, jwt),
      401,
      700024,
      /expiry time of assertion 3000-01-01T00:00:00Z\. A client assertion may be valid for at most 60 minutes\./,
    );
  });

  it("accepts an assertion valid for exactly the cap, an hour", async () => {
    const t = now();
    const res = await tokenRequest(gh, appId, await assertion(gh, cert, appId, { nbf: t, iat: t, exp: t + 3600 }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  it("refuses exp = 1e308 and exp = -1e308 with AADSTS700024, not a server error", async () => {
    for (const exp of [1e308, -1e308]) {
      const res = await tokenRequest(gh, appId, await assertion(gh, cert, appId, { exp }));
      expectAadsts(res, 401, 700024, /not within its valid time range/);
    }
  });

  it("refuses a window longer than an hour even while now is inside it, and a time claim that is not a number", async () => {
    const t = now();
    const long = await assertion(gh, cert, appId, { nbf: t - 3000, iat: t - 3000, exp: t + 1200 });
    expectAadsts(await tokenRequest(gh, appId, long), 401, 700024, /at most 60 minutes/);
    const future = await assertion(gh, cert, appId, { nbf: undefined, iat: t + 3600, exp: t + 3900 });
    expectAadsts(await tokenRequest(gh, appId, future), 401, 700024);
    const text = await assertion(gh, cert, appId, { exp: String(t + 600) });
    expectAadsts(await tokenRequest(gh, appId, text), 400, 50027);
  });

  it("accepts an assertion once: the same one again is refused (AADSTS50013); two different jtis both work", async () => {
    const jwt = await assertion(gh, cert, appId);
    assert.equal((await tokenRequest(gh, appId, jwt)).status, 200);
    expectAadsts(await tokenRequest(gh, appId, jwt), 401, 50013, /already used/);
    for (let i = 0; i < 2; i++)
      assert.equal((await tokenRequest(gh, appId, await assertion(gh, cert, appId))).status, 200);
  });

  it("refuses an assertion without jti (AADSTS50027)", async () => {
    const res = await tokenRequest(gh, appId, await assertion(gh, cert, appId, { jti: undefined }));
    expectAadsts(res, 400, 50027, /'jti'/);
  });

  it("an assertion refused for another reason does not spend its jti", async () => {
    const jti = randomUUID();
    const wrongAudience = await assertion(gh, cert, appId, { jti, aud: "https://elsewhere.example/token" });
    expectAadsts(await tokenRequest(gh, appId, wrongAudience), 401, 700023);
    assert.equal((await tokenRequest(gh, appId, await assertion(gh, cert, appId, { jti }))).status, 200);
  });
});

for (const target of await databaseTargets()) {
  describe(
    `client assertions on ${target.name}: one use across nodes sharing the database`,
    { skip: target.skip },
    () => {
      it("a replay at a second node is refused", async () => {
        const dataDir = await mkdtemp(join(tmpdir(), "gatehouse-replay-"));
        const database = target.url();
        const overrides = database ? { database } : {};
        const first = await startTestGatehouse({ config: EXAMPLE_CONFIG, dataDir, overrides });
        let second: TestGatehouse | undefined;
        try {
          const cert = await createSelfSignedCertificate("client", 30);
          const appId = await registerCertificateClient(first, cert);
          // The second node serves the same public URL (as behind one load balancer), on a port of its own.
          const port = await freePort();
          second = await startTestGatehouse({
            dataDir,
            overrides: { ...overrides, publicUrl: first.identityUrl, identityPort: port },
          });
          const jwt = await assertion(first, cert, appId);
          assert.equal((await tokenRequest(first, appId, jwt)).status, 200);
          const replay = await second.postForm(
            first.tokenUrl().replace(first.identityUrl, `https://localhost:${port}`),
            exampleTokenForm({
              client_id: appId,
              client_secret: undefined,
              client_assertion_type: JWT_BEARER,
              client_assertion: jwt,
            }),
          );
          expectAadsts(replay, 401, 50013);
        } finally {
          await second?.stop();
          await first.stop();
          await rm(dataDir, { recursive: true, force: true });
        }
      });
    },
  );
}
