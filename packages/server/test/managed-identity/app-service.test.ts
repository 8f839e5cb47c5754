import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EXAMPLE } from "../helpers/gatehouse.js";
import { runManagedIdentityClient, startFixture, verifiedClaims, type Fixture } from "./helpers.js";

describe("App Service managed identity endpoint with the real SDKs", () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(async () => fx.stop());

  it("@azure/identity ManagedIdentityCredential gets the system-assigned identity's token", async () => {
    const outcome = await runManagedIdentityClient({ sdk: "identity" }, fx.env, fx.gh.caPath);
    assert.equal(outcome.ok, true, outcome.message);
    const claims = await verifiedClaims(fx.gh, outcome.accessToken);
    assert.equal(claims.idtyp, "app");
    assert.equal(claims.oid, fx.system.principalId);
    assert.equal(claims.sub, fx.system.principalId);
    assert.equal(claims.azp, fx.system.clientId);
    assert.equal(claims.azpacr, "2");
    assert.equal(claims.tid, EXAMPLE.tenantId);
    assert.equal(claims.xms_mirid, fx.system.resourceId);
    assert.deepEqual(claims.roles, ["APIAccess"]);
  });

  it("@azure/identity picks a user-assigned identity by client id and by resource id", async () => {
    for (const input of [{ clientId: fx.reports.clientId }, { resourceId: fx.reports.resourceId }]) {
      const outcome = await runManagedIdentityClient({ sdk: "identity", ...input }, fx.env, fx.gh.caPath);
      assert.equal(outcome.ok, true, outcome.message);
      const claims = await verifiedClaims(fx.gh, outcome.accessToken);
      assert.equal(claims.oid, fx.reports.principalId);
      assert.equal(claims.azp, fx.reports.clientId);
      assert.equal(claims.xms_mirid, fx.reports.resourceId);
      assert.deepEqual(claims.roles, ["APIAccess"]);
    }
  });

  it("MSAL Node's ManagedIdentityApplication gets tokens (system-assigned and by object id)", async () => {
    const system = await runManagedIdentityClient({ sdk: "msal" }, fx.env, fx.gh.caPath);
    assert.equal(system.ok, true, system.message);
    assert.equal((await verifiedClaims(fx.gh, system.accessToken)).oid, fx.system.principalId);
    const user = await runManagedIdentityClient(
      { sdk: "msal", objectId: fx.reports.principalId },
      fx.env,
      fx.gh.caPath,
    );
    assert.equal(user.ok, true, user.message);
    assert.equal((await verifiedClaims(fx.gh, user.accessToken)).oid, fx.reports.principalId);
  });

  it("DefaultAzureCredential picks the managed identity (AZURE_CLIENT_ID selects a user-assigned one)", async () => {
    const system = await runManagedIdentityClient({ sdk: "default" }, fx.env, fx.gh.caPath);
    assert.equal(system.ok, true, system.message);
    assert.equal((await verifiedClaims(fx.gh, system.accessToken)).oid, fx.system.principalId);
    const user = await runManagedIdentityClient(
      { sdk: "default" },
      { ...fx.env, AZURE_CLIENT_ID: fx.reports.clientId },
      fx.gh.caPath,
    );
    assert.equal(user.ok, true, user.message);
    assert.equal((await verifiedClaims(fx.gh, user.accessToken)).oid, fx.reports.principalId);
  });

  it("a wrong header, an identity not on the host and an unknown resource fail with the server's message", async () => {
    const wrong = await runManagedIdentityClient(
      { sdk: "identity" },
      { ...fx.env, IDENTITY_HEADER: "not-the-header" },
      fx.gh.caPath,
    );
    assert.equal(wrong.ok, false);
    assert.match(wrong.message ?? "", /X-IDENTITY-HEADER header is not valid/);

    const stray = await runManagedIdentityClient(
      { sdk: "identity", clientId: fx.stray.clientId },
      fx.env,
      fx.gh.caPath,
    );
    assert.equal(stray.ok, false);
    assert.match(stray.message ?? "", new RegExp(`no identity with client_id '${fx.stray.clientId}' is assigned`));

    const resource = await runManagedIdentityClient(
      { sdk: "msal", resource: "api://nothing-here" },
      fx.env,
      fx.gh.caPath,
    );
    assert.equal(resource.ok, false);
    assert.match(resource.message ?? "", /AADSTS500011/);
  });
});
