import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientCredentials } from "@gatehouse/client";
import { startExample, type RunningExample } from "../../../../examples/api-to-api/start.js";
import { startApi2 } from "../../../../examples/api-to-api/api2.js";
import { RECORDS } from "../../../../examples/api-to-api/api1.js";
import { APPS, API1_ROLE, API1_SCOPE, HOSTS } from "../../../../examples/api-to-api/apps.js";

type Claims = Record<string, unknown>;

/** The example as `npm run example:api-to-api` starts it: Gatehouse with gatehouse.yaml, API1 and API2, real HTTP. */
describe("examples/api-to-api", () => {
  let example: RunningExample;
  let dataDir: string;

  const tokenFor = async (clientId: string, clientSecret: string, scope: string) => {
    const credentials = new ClientCredentials({
      authority: example.authority,
      clientId,
      clientSecret,
      scope,
      fetch: example.fetch,
    });
    return (await credentials.getToken()).accessToken;
  };
  const callApi1 = (token?: string) =>
    fetch(`${example.api1.url}/records`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const assertInvalidToken = (response: Response, reason: RegExp) => {
    assert.equal(response.status, 401);
    const challenge = response.headers.get("www-authenticate") ?? "";
    assert.match(challenge, /^Bearer error="invalid_token", error_description="[^"]+"/);
    assert.match(challenge, reason);
  };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "gatehouse-api-to-api-"));
    example = await startExample({
      dataDir,
      ports: { identity: 0, api1: 0, api2: 0, api2ManagedIdentity: 0 },
      logLevel: "silent",
    });
  });
  after(async () => {
    await example?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("API2 calls API1 with a client-credentials token and returns the ten records", async () => {
    const response = await fetch(`${example.api2.url}/records`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), RECORDS);
  });

  it("API2 running as a client without the role gets API1's 403, relayed", async () => {
    const noRoleApi2 = await startApi2({
      ...example.api2Settings,
      clientId: APPS.noRole,
      clientSecret: example.secrets.noRole,
      port: 0,
    });
    try {
      const response = await fetch(`${noRoleApi2.url}/records`);
      assert.equal(response.status, 403);
      assert.equal(((await response.json()) as { status?: unknown }).status, 403);
    } finally {
      await noRoleApi2.close();
    }
  });

  it("API2's managed-identity variant, in its own process, gets its token with DefaultAzureCredential", async () => {
    const response = await fetch(`${example.api2ManagedIdentity.url}/records`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), RECORDS);
  });

  it("the managed-identity variant as a host without the role gets API1's 403, relayed", async () => {
    const noRole = await example.startManagedIdentityApi2(HOSTS.noRole, 0);
    const response = await fetch(`${noRole.url}/records`);
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { status?: unknown }).status, 403);
  });

  it("gatehouse.yaml declares the hosts, granted by admin consent, with no header value in the apply report", async () => {
    const { registry } = example.gatehouse;
    const api2 = await registry.managedIdentities.getHost(HOSTS.api2);
    assert.ok(api2?.systemAssigned, "host api2 has a system-assigned identity");
    const roles = await registry.read(async (repos) => {
      const resource = await repos.servicePrincipals.findByAppId(APPS.tenantId, APPS.api1);
      const app = await repos.applications.getByAppId(APPS.api1);
      return (await repos.assignments.list())
        .filter((a) => a.principalId === api2.systemAssigned && a.resourceId === resource?.id)
        .map((a) => app?.appRoles.find((r) => r.id === a.appRoleId)?.value);
    });
    assert.deepEqual(roles, [API1_ROLE]);
    assert.doesNotMatch(JSON.stringify(example.gatehouse.applied ?? {}), /identityHeader|IDENTITY_HEADER/i);
  });

  it("API1 refuses a tampered token with 401 and WWW-Authenticate", async () => {
    // NoRole's genuine token gets 403; the same token with the role written into its claims is a forgery: 401.
    const token = await tokenFor(APPS.noRole, example.secrets.noRole, API1_SCOPE);
    assert.equal((await callApi1(token)).status, 403);
    const tampered = withClaims(token, (claims) => ({ ...claims, roles: [API1_ROLE] }));
    assertInvalidToken(await callApi1(tampered), /signature/i);
  });

  it("API1 refuses a valid Gatehouse token issued for another resource with 401", async () => {
    const token = await tokenFor(APPS.api2, example.secrets.api2, `api://${APPS.reportsApi}/.default`);
    const claims = claimsOf(token);
    assert.equal(claims.aud, APPS.reportsApi);
    assert.deepEqual(claims.roles, ["Reports.Read"]);
    assertInvalidToken(await callApi1(token), /audience/i);
  });

  it("API1 answers a request without a token with a Bearer challenge", async () => {
    const response = await callApi1();
    assert.equal(response.status, 401);
    assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer\b/);
  });
});

function claimsOf(token: string): Claims {
  const payload = token.split(".")[1];
  assert.ok(payload, "a JWS in compact form");
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Claims;
}

/** The token with its claims changed and its original signature kept. */
function withClaims(token: string, change: (claims: Claims) => Claims): string {
  const [header, , signature] = token.split(".");
  assert.ok(header && signature, "a JWS in compact form");
  return [header, Buffer.from(JSON.stringify(change(claimsOf(token)))).toString("base64url"), signature].join(".");
}
