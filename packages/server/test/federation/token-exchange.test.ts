import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { loadMasterKey } from "../../src/crypto/master-key.js";
import { ensureLocalTls } from "../../src/tls/local-ca.js";
import { fetchJson, type JsonResponse } from "../../src/util/https-fetch.js";
import { startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { exchange, expectAadsts, runWorkloadIdentity } from "./helpers.js";
import { startOidcIssuer, type TestIssuer } from "./oidc-issuer.js";

const TENANT_A = "0f5a3c1e-2b4d-4e6f-8a0b-1c2d3e4f5a6b";
const TENANT_B = "9e8d7c6b-5a49-4837-a261-504f3e2d1c0b";
const WORKLOAD = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const ORDERS = "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e";
const FROM_TENANT_A = "3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f";
const FROM_CLUSTER = "4d5e6f7a-8b9c-4d0e-9f2a-3b4c5d6e7f8a";
const NO_FEDERATION = "5e6f7a8b-9c0d-4e1f-8a3b-4c5d6e7f8a9b";
const SECRET = "workload-secret-Qw8~abcdefghijklmnopqrstu";
const SUBJECT = "system:serviceaccount:orders:reader";
const ORDERS_SCOPE = "api://orders/.default";

const CONFIG = `identity:
  tenants:
    - id: ${TENANT_A}
      displayName: Tenant A
      applications:
        - displayName: Token exchange
          identifierUris: ["api://AzureADTokenExchange"]
        - displayName: Workload
          appId: ${WORKLOAD}
          passwordCredentials:
            - { displayName: dev, secretText: "\${WORKLOAD_SECRET}" }
    - id: ${TENANT_B}
      displayName: Tenant B
      applications:
        - displayName: Orders API
          appId: ${ORDERS}
          identifierUris: ["api://orders"]
          api: { requestedAccessTokenVersion: 2 }
          appRoles:
            - { value: Orders.Read, displayName: Read orders, allowedMemberTypes: [Application] }
        - displayName: Federated from tenant A
          appId: ${FROM_TENANT_A}
          requiredResourceAccess:
            - { resourceAppId: ${ORDERS}, resourceAccess: [{ type: Role, value: Orders.Read }] }
          grantAdminConsent: true
        - displayName: Federated from the cluster
          appId: ${FROM_CLUSTER}
          requiredResourceAccess:
            - { resourceAppId: ${ORDERS}, resourceAccess: [{ type: Role, value: Orders.Read }] }
          grantAdminConsent: true
        - displayName: Not federated
          appId: ${NO_FEDERATION}
`;

let gh: TestGatehouse;
let issuer: TestIssuer;
let admin: (method: string, path: string, body?: unknown) => Promise<JsonResponse>;

before(async () => {
  // Cooldown 0: a key the issuer publishes later is fetched at once (the refetch itself is what is tested).
  gh = await startTestGatehouse({
    config: CONFIG,
    env: { WORKLOAD_SECRET: SECRET },
    overrides: { jwksRefreshCooldownMs: 0 },
  });
  // The independent issuer serves HTTPS with a leaf of the server's local CA, which the identity service trusts.
  issuer = await startOidcIssuer(await ensureLocalTls(gh.dataDir, await loadMasterKey(gh.dataDir)), "cluster");
  await issuer.addKey("k1");
  await issuer.addKey("rogue", false);
  const token = await gh.adminToken();
  admin = (method, path, body) =>
    fetchJson(
      `${gh.adminUrl}/${TENANT_B}/v1.0${path}`,
      {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      gh.caPath,
    );
  const added = await admin("POST", `/applications(appId='${FROM_CLUSTER}')/federatedIdentityCredentials`, {
    name: "orders-reader",
    issuer: issuer.url,
    subject: SUBJECT,
  });
  assert.equal(added.status, 201, JSON.stringify(added.body));
});
after(async () => {
  await issuer?.close();
  await gh?.stop();
});

const toOrders = (clientId: string, assertion: string) => exchange(gh, TENANT_B, clientId, assertion, ORDERS_SCOPE);

async function expectOrdersToken(response: JsonResponse, clientId: string) {
  assert.equal(response.status, 200, JSON.stringify(response.body));
  const { payload } = await gh.verify((response.body as { access_token: string }).access_token, {
    issuer: `${gh.identityUrl}/${TENANT_B}/v2.0`,
    audience: ORDERS,
  });
  assert.equal(payload.azp, clientId);
  assert.equal(payload.azpacr, "2", "a federated credential authenticates like a certificate");
  assert.deepEqual(payload.roles, ["Orders.Read"]);
  assert.equal(payload.tid, TENANT_B);
}

describe("workload identity federation at the token endpoint", () => {
  test("a token of tenant A is the assertion for an application of tenant B", async () => {
    const fromA = await gh.postForm(gh.tokenUrl(TENANT_A), {
      grant_type: "client_credentials",
      client_id: WORKLOAD,
      client_secret: SECRET,
      scope: "api://AzureADTokenExchange/.default",
    });
    assert.equal(fromA.status, 200, JSON.stringify(fromA.body));
    const assertion = (fromA.body as { access_token: string }).access_token;
    const claims = decodeJwt(assertion);
    assert.equal(claims.aud, "api://AzureADTokenExchange");
    assert.equal(claims.iss, `${gh.identityUrl}/${TENANT_A}/`);

    // Before any credential trusts tenant A, the assertion is refused, and nothing is fetched for it.
    expectAadsts(await toOrders(FROM_TENANT_A, assertion), 400, "invalid_request", 70021);
    const added = await admin("POST", `/applications(appId='${FROM_TENANT_A}')/federatedIdentityCredentials`, {
      name: "tenant-a-workload",
      issuer: claims.iss,
      subject: claims.sub,
      audiences: ["api://AzureADTokenExchange"],
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    await expectOrdersToken(await toOrders(FROM_TENANT_A, assertion), FROM_TENANT_A);
    // Federated tokens are meant to be presented again (a projected token file is read for every request).
    await expectOrdersToken(await toOrders(FROM_TENANT_A, assertion), FROM_TENANT_A);
  });

  test("an independent OIDC issuer's token, verified through its discovery document and JWKS", async () => {
    await expectOrdersToken(
      await toOrders(FROM_CLUSTER, await issuer.sign({ sub: SUBJECT, aud: "api://AzureADTokenExchange" })),
      FROM_CLUSTER,
    );
    assert.ok(issuer.requests.includes("/cluster/.well-known/openid-configuration"));
    assert.ok(issuer.requests.includes("/cluster/keys"));
    // An audience list holding the expected audience is accepted too.
    const listed = await issuer.sign({ sub: SUBJECT, aud: ["https://elsewhere", "api://AzureADTokenExchange"] });
    await expectOrdersToken(await toOrders(FROM_CLUSTER, listed), FROM_CLUSTER);
  });

  test("each mismatch gets Entra's AADSTS error", async () => {
    const aud = "api://AzureADTokenExchange";
    const wrongSubject = expectAadsts(
      await toOrders(FROM_CLUSTER, await issuer.sign({ sub: "system:serviceaccount:orders:writer", aud })),
      401,
      "invalid_client",
      700213,
    );
    assert.match(wrongSubject, /presented assertion subject 'system:serviceaccount:orders:writer'/);
    expectAadsts(
      await toOrders(FROM_CLUSTER, await issuer.sign({ sub: SUBJECT.toUpperCase(), aud })),
      401,
      "invalid_client",
      7002138,
    );
    expectAadsts(
      await toOrders(FROM_CLUSTER, await issuer.sign({ sub: SUBJECT, aud: "api://somewhere-else" })),
      401,
      "invalid_client",
      700212,
    );
    const now = Math.floor(Date.now() / 1000);
    expectAadsts(
      await toOrders(
        FROM_CLUSTER,
        await issuer.sign({ sub: SUBJECT, aud, iat: now - 7200, nbf: now - 7200, exp: now - 3600 }),
      ),
      401,
      "invalid_client",
      700024,
    );
    const unknownKid = expectAadsts(
      await toOrders(FROM_CLUSTER, await issuer.sign({ sub: SUBJECT, aud }, { kid: "rogue" })),
      401,
      "invalid_client",
      7000272,
    );
    assert.match(unknownKid, /identifier rogue used to sign the federated credential could not be found/);
    expectAadsts(
      await toOrders(FROM_CLUSTER, await issuer.sign({ sub: SUBJECT, aud }, { kid: "k1", signWith: "rogue" })),
      401,
      "invalid_client",
      50013,
    );
    expectAadsts(
      await toOrders(FROM_CLUSTER, await issuer.sign({ sub: SUBJECT, aud }).then(dropSignature)),
      400,
      "invalid_request",
      50027,
    );
    expectAadsts(await toOrders(FROM_CLUSTER, "not.a-jwt.at-all"), 400, "invalid_request", 50027);
    expectAadsts(
      await toOrders(NO_FEDERATION, await issuer.sign({ sub: SUBJECT, aud })),
      400,
      "invalid_request",
      70021,
    );
  });

  test("an issuer no credential names is refused without being contacted", async () => {
    const before = issuer.requests.length;
    const stranger = await issuer.sign({
      iss: `${issuer.url}-stranger`,
      sub: SUBJECT,
      aud: "api://AzureADTokenExchange",
    });
    const message = expectAadsts(await toOrders(FROM_CLUSTER, stranger), 401, "invalid_client", 700211);
    assert.match(message, /presented assertion issuer 'https:\/\/localhost:\d+\/cluster-stranger'/);
    // Matching is exact, as in Entra: a trailing slash is another issuer.
    const slash = await issuer.sign({ iss: `${issuer.url}/`, sub: SUBJECT, aud: "api://AzureADTokenExchange" });
    expectAadsts(await toOrders(FROM_CLUSTER, slash), 401, "invalid_client", 700211);
    assert.equal(issuer.requests.length, before, "nothing fetched for an untrusted issuer");
  });

  test("a key the issuer publishes later is fetched on first sight of its kid", async () => {
    await issuer.addKey("k2");
    await expectOrdersToken(
      await toOrders(
        FROM_CLUSTER,
        await issuer.sign({ sub: SUBJECT, aud: "api://AzureADTokenExchange" }, { kid: "k2" }),
      ),
      FROM_CLUSTER,
    );
  });

  test("an issuer whose discovery document cannot be had → AADSTS90061", async () => {
    const added = await admin("POST", `/applications(appId='${FROM_CLUSTER}')/federatedIdentityCredentials`, {
      name: "gone",
      issuer: `${issuer.url}/gone`,
      subject: SUBJECT,
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const token = await issuer.sign({ iss: `${issuer.url}/gone`, sub: SUBJECT, aud: "api://AzureADTokenExchange" });
    const message = expectAadsts(await toOrders(FROM_CLUSTER, token), 400, "invalid_request", 90061);
    assert.match(message, /Request to External OIDC endpoint failed\. .*answered 404/);
  });

  test("WorkloadIdentityCredential (@azure/identity) with only environment variables", async () => {
    const run = async (subject: string) =>
      runWorkloadIdentity(gh, {
        federatedToken: await issuer.sign({ sub: subject, aud: "api://AzureADTokenExchange" }),
        clientId: FROM_CLUSTER,
        tenantId: TENANT_B,
        scope: ORDERS_SCOPE,
      });
    const success = await run(SUBJECT);
    assert.ok(success.ok, success.message);
    const { payload } = await gh.verify(success.accessToken as string, {
      issuer: `${gh.identityUrl}/${TENANT_B}/v2.0`,
      audience: ORDERS,
    });
    assert.equal(payload.azp, FROM_CLUSTER);
    assert.deepEqual(payload.roles, ["Orders.Read"]);

    const refused = await run("system:serviceaccount:orders:intruder");
    assert.equal(refused.ok, false);
    assert.match(
      refused.message ?? "",
      /AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:orders:intruder'/,
    );
  });
});

const dropSignature = (token: string) => {
  const [header, payload] = token.split(".") as [string, string];
  const unsigned = Buffer.from(
    JSON.stringify({ ...JSON.parse(Buffer.from(header, "base64url").toString()), alg: "none" }),
  ).toString("base64url");
  return `${unsigned}.${payload}.`;
};
