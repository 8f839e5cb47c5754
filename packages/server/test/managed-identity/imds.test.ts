import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runManagedIdentityClient, startFixture, verifiedClaims, type Fixture } from "./helpers.js";

describe("IMDS managed identity endpoint through AZURE_POD_IDENTITY_AUTHORITY_HOST", () => {
  let fx: Fixture;
  let env: Record<string, string>;
  before(async () => {
    fx = await startFixture();
    env = { AZURE_POD_IDENTITY_AUTHORITY_HOST: fx.gh.identityUrl };
  });
  after(async () => fx.stop());

  it("@azure/identity gets the system-assigned and a user-assigned identity's tokens", async () => {
    const system = await runManagedIdentityClient({ sdk: "identity" }, env, fx.gh.caPath);
    assert.equal(system.ok, true, system.message);
    const claims = await verifiedClaims(fx.gh, system.accessToken);
    assert.equal(claims.oid, fx.system.principalId);
    assert.equal(claims.xms_mirid, fx.system.resourceId);
    assert.deepEqual(claims.roles, ["APIAccess"]);
    const user = await runManagedIdentityClient({ sdk: "identity", clientId: fx.reports.clientId }, env, fx.gh.caPath);
    assert.equal(user.ok, true, user.message);
    assert.equal((await verifiedClaims(fx.gh, user.accessToken)).oid, fx.reports.principalId);
  });

  it("MSAL Node and DefaultAzureCredential use IMDS", async () => {
    const msal = await runManagedIdentityClient({ sdk: "msal", resourceId: fx.reports.resourceId }, env, fx.gh.caPath);
    assert.equal(msal.ok, true, msal.message);
    assert.equal((await verifiedClaims(fx.gh, msal.accessToken)).xms_mirid, fx.reports.resourceId);
    const dac = await runManagedIdentityClient({ sdk: "default" }, env, fx.gh.caPath);
    assert.equal(dac.ok, true, dac.message);
    assert.equal((await verifiedClaims(fx.gh, dac.accessToken)).oid, fx.system.principalId);
  });

  it("an identity not on this machine fails with IMDS's message", async () => {
    const stray = await runManagedIdentityClient({ sdk: "identity", clientId: fx.stray.clientId }, env, fx.gh.caPath);
    assert.equal(stray.ok, false);
    assert.match(stray.message ?? "", /Identity not found/);
  });
});
