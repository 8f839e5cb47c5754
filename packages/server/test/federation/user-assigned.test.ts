import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadMasterKey } from "../../src/crypto/master-key.js";
import { ensureLocalTls } from "../../src/tls/local-ca.js";
import { fetchJson, type JsonResponse } from "../../src/util/https-fetch.js";
import { EXAMPLE, EXAMPLE_CONFIG, startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { grantApiAccess } from "../managed-identity/helpers.js";
import { exchange, expectAadsts, runWorkloadIdentity } from "./helpers.js";
import { startOidcIssuer, type TestIssuer } from "./oidc-issuer.js";

const IDENTITY =
  "/subscriptions/5b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/ci/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deployer";
const SUBJECT = "system:serviceaccount:ci:deployer";
const AUDIENCE = "api://AzureADTokenExchange";
const SCOPE = `api://${EXAMPLE.resourceAppId}/.default`;

interface IdentityResource {
  id: string;
  properties: { clientId: string; principalId: string; tenantId: string };
}
interface CredentialResource {
  id: string;
  name: string;
  type: string;
  properties: { issuer: string; subject: string; audiences: string[] };
}

let gh: TestGatehouse;
let issuer: TestIssuer;
let identity: IdentityResource;
let arm: (method: string, path: string, body?: unknown) => Promise<JsonResponse>;

before(async () => {
  gh = await startTestGatehouse({ config: EXAMPLE_CONFIG });
  issuer = await startOidcIssuer(await ensureLocalTls(gh.dataDir, await loadMasterKey(gh.dataDir)), "cluster");
  await issuer.addKey("k1");
  const token = await gh.adminToken();
  arm = (method, path, body) =>
    fetchJson(
      `${gh.adminUrl}${path}${path.includes("?") ? "&" : "?"}api-version=2023-01-31`,
      {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      gh.caPath,
    );
  const created = await arm("PUT", IDENTITY, { location: "westeurope", properties: { tenantId: EXAMPLE.tenantId } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  identity = created.body as IdentityResource;
  await grantApiAccess(gh, identity.properties.principalId);
});
after(async () => {
  await issuer?.close();
  await gh?.stop();
});

const credentials = `${IDENTITY}/federatedIdentityCredentials`;

describe("federated credentials on a user-assigned identity", () => {
  test("ARM: create, read, list, replace, and refusals in ARM's shape", async () => {
    const put = await arm("PUT", `${credentials}/cluster`, {
      properties: { issuer: issuer.url, subject: "placeholder", audiences: [AUDIENCE] },
    });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    const created = put.body as CredentialResource;
    assert.deepEqual(created, {
      id: `${IDENTITY}/federatedIdentityCredentials/cluster`,
      name: "cluster",
      type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
      properties: { issuer: issuer.url, subject: "placeholder", audiences: [AUDIENCE] },
    });
    const replaced = await arm("PUT", `${credentials}/cluster`, {
      properties: { issuer: issuer.url, subject: SUBJECT },
    });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    assert.equal((replaced.body as CredentialResource).properties.subject, SUBJECT);
    const read = await arm("GET", `${credentials}/CLUSTER`);
    assert.equal((read.body as CredentialResource).properties.subject, SUBJECT, "names are matched regardless of case");
    const list = await arm("GET", credentials);
    assert.deepEqual(
      (list.body as { value: CredentialResource[] }).value.map((c) => c.name),
      ["cluster"],
    );

    const badName = await arm("PUT", `${credentials}/a`, { properties: { issuer: issuer.url, subject: "x" } });
    assert.equal(badName.status, 400, JSON.stringify(badName.body));
    assert.equal((badName.body as { error: { code: string } }).error.code, "ValidationError");
    const missing = await arm("PUT", `${credentials}/no-issuer`, { properties: { subject: "x" } });
    assert.equal(missing.status, 400);
    assert.match(JSON.stringify(missing.body), /Property 'issuer' is required/);
    const elsewhere = await arm(
      "GET",
      `${IDENTITY.replace("/deployer", "/nobody")}/federatedIdentityCredentials/cluster`,
    );
    assert.equal(elsewhere.status, 404);
    assert.equal((elsewhere.body as { error: { code: string } }).error.code, "ResourceNotFound");
    assert.equal((await arm("GET", `${credentials}/nothing`)).status, 404);
  });

  test("the identity's token, from the token endpoint with client_id = its client id", async () => {
    const { clientId, principalId } = identity.properties;
    const assertion = await issuer.sign({ sub: SUBJECT, aud: AUDIENCE });
    const response = await exchange(gh, EXAMPLE.tenantId, clientId, assertion, SCOPE);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const { payload } = await gh.verify((response.body as { access_token: string }).access_token, {
      issuer: `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0`,
      audience: EXAMPLE.resourceAppId,
    });
    assert.equal(payload.azp, clientId);
    assert.equal(payload.oid, principalId);
    assert.equal(payload.sub, principalId);
    assert.equal(payload.xms_mirid, IDENTITY);
    assert.deepEqual(payload.roles, ["APIAccess"]);

    expectAadsts(
      await exchange(
        gh,
        EXAMPLE.tenantId,
        clientId,
        await issuer.sign({ sub: "system:serviceaccount:x:y", aud: AUDIENCE }),
        SCOPE,
      ),
      401,
      "invalid_client",
      700213,
    );
    // A managed identity has no secret; the identity is unknown in another tenant.
    const secret = await gh.postForm(gh.tokenUrl(), {
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: "not-a-secret-of-a-managed-identity",
      scope: SCOPE,
    });
    expectAadsts(secret, 401, "invalid_client", 7000215);
  });

  test("WorkloadIdentityCredential for the identity, as in an AKS pod", async () => {
    const outcome = await runWorkloadIdentity(gh, {
      federatedToken: await issuer.sign({ sub: SUBJECT, aud: AUDIENCE }),
      clientId: identity.properties.clientId,
      tenantId: EXAMPLE.tenantId,
      scope: SCOPE,
    });
    assert.ok(outcome.ok, outcome.message);
    const { payload } = await gh.verify(outcome.accessToken as string, {
      issuer: `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0`,
      audience: EXAMPLE.resourceAppId,
    });
    assert.equal(payload.oid, identity.properties.principalId);
    assert.deepEqual(payload.roles, ["APIAccess"]);
  });

  test("deleting the credential, then the identity", async () => {
    assert.equal((await arm("DELETE", `${credentials}/cluster`)).status, 200);
    assert.equal((await arm("DELETE", `${credentials}/cluster`)).status, 204);
    const { clientId } = identity.properties;
    expectAadsts(
      await exchange(gh, EXAMPLE.tenantId, clientId, await issuer.sign({ sub: SUBJECT, aud: AUDIENCE }), SCOPE),
      400,
      "invalid_request",
      70021,
    );
    await arm("PUT", `${credentials}/again`, { properties: { issuer: issuer.url, subject: SUBJECT } });
    assert.equal((await arm("DELETE", IDENTITY)).status, 200);
    expectAadsts(
      await exchange(gh, EXAMPLE.tenantId, clientId, await issuer.sign({ sub: SUBJECT, aud: AUDIENCE }), SCOPE),
      400,
      "unauthorized_client",
      700016,
    );
  });
});
