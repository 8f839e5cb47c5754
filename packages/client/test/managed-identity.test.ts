import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { ConfigurationError, ManagedIdentityCredential, ManagedIdentityError } from "../src/index.js";
import { APP_SERVICE_PATH } from "../../server/src/identity/managed-identities/endpoints.js";
import { grantRoleToIdentity } from "../../server/src/identity/managed-identities/grants.js";
import {
  EXAMPLE,
  EXAMPLE_CONFIG,
  startTestGatehouse,
  type TestGatehouse,
} from "../../server/test/helpers/gatehouse.js";
import { recordingFetch, trustingFetch } from "./helpers/fetch.js";

const RESOURCE = `api://${EXAMPLE.resourceAppId}`;

describe("ManagedIdentityCredential against Gatehouse's App Service-style endpoint", () => {
  let gh: TestGatehouse;
  let trusted: Awaited<ReturnType<typeof trustingFetch>>;
  let header: string;
  let principalId: string;
  let clientId: string;
  let endpoint: string;

  before(async () => {
    gh = await startTestGatehouse({ config: EXAMPLE_CONFIG });
    trusted = await trustingFetch(gh.caPath as string);
    const identities = gh.registry.managedIdentities;
    const created = await identities.createHost({
      name: "orders-api",
      tenantId: EXAMPLE.tenantId,
      systemAssigned: true,
    });
    header = created.header;
    const identity = await identities.find(created.host.systemAssigned as string);
    assert.ok(identity);
    ({ principalId, clientId } = identity);
    await grantRoleToIdentity(gh.registry, identity, RESOURCE, "APIAccess");
    endpoint = `${gh.identityUrl}${APP_SERVICE_PATH}`;
  });
  after(async () => {
    await trusted.close();
    await gh.stop();
  });

  const credential = (fetch: typeof globalThis.fetch, options: { identityHeader?: string; resource?: string } = {}) =>
    new ManagedIdentityCredential({
      endpoint,
      identityHeader: options.identityHeader ?? header,
      resource: options.resource ?? RESOURCE,
      fetch,
      retry: { baseDelayMs: 5 },
    });

  it("gets the identity's token with its granted role, cached, and shared by concurrent callers", async () => {
    const recorded = recordingFetch(trusted.fetch);
    const mi = credential(recorded.fetch);
    const [first, second] = await Promise.all([mi.getToken(), mi.getToken()]);
    assert.equal(first.accessToken, second.accessToken);
    const claims = decodeJwt(first.accessToken);
    assert.equal(claims.oid, principalId);
    assert.equal(claims.azp, clientId);
    assert.deepEqual(claims.roles, ["APIAccess"]);
    assert.equal(first.response.client_id, clientId);
    assert.ok(first.expiresOn.getTime() > Date.now());
    assert.equal((await mi.getToken()).accessToken, first.accessToken);
    assert.equal(recorded.sent.length, 1, "one request for three calls");
    const sent = recorded.sent[0];
    assert.ok(sent);
    assert.equal(sent.headers.get("x-identity-header"), header);
    assert.equal(new URL(sent.url).searchParams.get("api-version"), "2019-08-01");
  });

  it("a wrong header is a ManagedIdentityError with the endpoint's message, never the header", async () => {
    const wrong = "not-the-header-but-long-enough-to-look-like-one";
    const error = await credential(trusted.fetch, { identityHeader: wrong })
      .getToken()
      .catch((e: unknown) => e);
    assert.ok(error instanceof ManagedIdentityError, String(error));
    assert.equal(error.status, 401);
    assert.match(error.message, /X-IDENTITY-HEADER/);
    assert.doesNotMatch(error.message, new RegExp(wrong));
  });

  it("an unknown resource is a ManagedIdentityError naming it", async () => {
    const error = await credential(trusted.fetch, { resource: "api://no-such-resource" })
      .getToken()
      .catch((e: unknown) => e);
    assert.ok(error instanceof ManagedIdentityError, String(error));
    assert.equal(error.status, 400);
    assert.match(error.message, /no-such-resource/);
  });

  it("refuses unusable options: a plain-http endpoint off this machine, no endpoint, no resource", () => {
    const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
    delete process.env.IDENTITY_ENDPOINT;
    delete process.env.IDENTITY_HEADER;
    try {
      assert.throws(
        () =>
          new ManagedIdentityCredential({
            endpoint: "http://identity.example/msi/token",
            identityHeader: "h",
            resource: RESOURCE,
          }),
        (e: unknown) => e instanceof ConfigurationError && /https/.test(e.message),
      );
      assert.throws(() => new ManagedIdentityCredential({ resource: RESOURCE }), /IDENTITY_ENDPOINT/);
      assert.throws(() => new ManagedIdentityCredential({ endpoint, identityHeader: "h", resource: " " }), /resource/);
    } finally {
      if (saved.endpoint !== undefined) process.env.IDENTITY_ENDPOINT = saved.endpoint;
      if (saved.header !== undefined) process.env.IDENTITY_HEADER = saved.header;
    }
  });
});
