import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { databaseTargets } from "../helpers/databases.js";
import { EXAMPLE, EXAMPLE_CONFIG, startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { fetchJson } from "../../src/util/https-fetch.js";
import { RESOURCE, grantApiAccess } from "./helpers.js";

const targets = await databaseTargets();
const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const msiToken = (gh: TestGatehouse, header: string | undefined, query = `resource=${RESOURCE}`) =>
  fetchJson(
    `${gh.identityUrl}/msi/token?api-version=2019-08-01&${query}`,
    { method: "GET", headers: header === undefined ? {} : { "x-identity-header": header } },
    gh.caPath,
  );

for (const target of targets) {
  describe(`managed identities on ${target.name}`, { skip: target.skip }, () => {
    it("keeps identities, hosts and header hashes across a restart; env values add, rotation revokes", async () => {
      const dataDir = await mkdtemp(join(tmpdir(), `gatehouse-mi-${target.name}-`));
      dirs.push(dataDir);
      const database = target.url();
      const overrides = database ? { database } : {};
      const first = await startTestGatehouse({ config: EXAMPLE_CONFIG, dataDir, overrides });
      const identities = first.registry.managedIdentities;
      const { identity: worker, created } = await identities.putUserAssigned({
        tenantId: EXAMPLE.tenantId,
        resourceId:
          "/subscriptions/1111/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/worker",
        location: "westeurope",
        tags: { team: "orders" },
      });
      assert.equal(created, true);
      const again = await identities.putUserAssigned({
        tenantId: EXAMPLE.tenantId,
        resourceId: worker.resourceId.toUpperCase(),
        tags: {},
      });
      assert.equal(again.created, false);
      assert.equal(again.identity.clientId, worker.clientId);
      const { host, header } = await identities.createHost({
        name: "orders-api",
        tenantId: EXAMPLE.tenantId,
        systemAssigned: true,
        userAssigned: ["worker"],
      });
      assert.deepEqual(host.userAssigned, [worker.principalId]);
      await grantApiAccess(first, worker.principalId);
      const second = await identities.addHeader("orders-api");
      await first.stop();

      const gh = await startTestGatehouse({ dataDir, overrides });
      try {
        for (const value of [header, second]) {
          const res = await msiToken(gh, value, `resource=${RESOURCE}&client_id=${worker.clientId}`);
          assert.equal(res.status, 200, JSON.stringify(res.body));
          const body = res.body as Record<string, unknown>;
          assert.deepEqual(Object.keys(body), ["access_token", "expires_on", "resource", "token_type", "client_id"]);
          assert.equal(typeof body.expires_on, "string");
          assert.equal(body.client_id, worker.clientId);
          assert.equal(body.resource, RESOURCE);
        }
        const rotated = await gh.registry.managedIdentities.rotateHeaders("ORDERS-API");
        for (const value of [header, second]) {
          const res = await msiToken(gh, value);
          assert.equal(res.status, 401);
          assert.match((res.body as { message: string }).message, /not valid/);
        }
        const fresh = await msiToken(gh, rotated, `resource=${RESOURCE}&mi_res_id=${worker.resourceId}`);
        assert.equal(fresh.status, 200, JSON.stringify(fresh.body));

        // Deleting the host deletes its system-assigned identity; the user-assigned one stays.
        const systemId = host.systemAssigned as string;
        assert.equal(await gh.registry.managedIdentities.deleteHost("orders-api"), true);
        assert.equal(await gh.registry.managedIdentities.find(systemId), undefined);
        assert.equal((await gh.registry.managedIdentities.find(worker.clientId))?.principalId, worker.principalId);
        assert.equal((await msiToken(gh, rotated)).status, 401);
        assert.equal(await gh.registry.managedIdentities.deleteUserAssigned(worker.resourceId), true);
        const sps = await gh.registry.read((repos) => repos.servicePrincipals.list(EXAMPLE.tenantId));
        // Only the gateway's own identity (admin/gateway-identity.ts) is left.
        assert.deepEqual(
          sps.filter((sp) => sp.servicePrincipalType === "ManagedIdentity").map((sp) => sp.id),
          [gh.gatewayIdentity?.principalId],
        );
      } finally {
        await gh.stop();
      }
    });
  });
}

describe("managed identity endpoints refuse bad requests in each service's shape", () => {
  it("App Service: missing header, bad api-version, missing resource, two selectors, unassigned role", async () => {
    const gh = await startTestGatehouse({ config: EXAMPLE_CONFIG });
    try {
      const identities = gh.registry.managedIdentities;
      const { header } = await identities.createHost({
        name: "no-roles",
        tenantId: EXAMPLE.tenantId,
        systemAssigned: true,
        imds: true,
      });
      const missingHeader = await msiToken(gh, undefined);
      assert.equal(missingHeader.status, 401);
      assert.match((missingHeader.body as { message: string }).message, /X-IDENTITY-HEADER header is missing/);
      const base = `${gh.identityUrl}/msi/token`;
      const get = (query: string, headers: Record<string, string> = { "x-identity-header": header }) =>
        fetchJson(`${base}?${query}`, { method: "GET", headers }, gh.caPath);
      const badVersion = await get(`api-version=2017-09-01&resource=${RESOURCE}`);
      assert.equal(badVersion.status, 400);
      assert.match((badVersion.body as { message: string }).message, /api-version '2017-09-01' is not supported/);
      const noResource = await get("api-version=2019-08-01");
      assert.equal(noResource.status, 400);
      assert.match((noResource.body as { message: string }).message, /'resource' is required/);
      const two = await get(`api-version=2019-08-01&resource=${RESOURCE}&client_id=a&mi_res_id=b`);
      assert.equal(two.status, 400);
      // The example resource does not require assignment: a token without roles.
      const token = await get(`api-version=2019-08-01&resource=${RESOURCE}`);
      assert.equal(token.status, 200, JSON.stringify(token.body));

      // IMDS: the probe (no Metadata header, no query), the header required, loopback only, X-Forwarded-For refused.
      const imds = `${gh.identityUrl}/metadata/identity/oauth2/token`;
      const probe = await fetchJson(imds, { method: "GET" }, gh.caPath);
      assert.equal(probe.status, 400);
      assert.deepEqual(probe.body, {
        error: "invalid_request",
        error_description: "Required metadata header not specified",
      });
      const forwarded = await fetchJson(
        `${imds}/?api-version=2018-02-01&resource=${RESOURCE}`,
        { method: "GET", headers: { metadata: "true", "x-forwarded-for": "10.0.0.1" } },
        gh.caPath,
      );
      assert.equal(forwarded.status, 400);
      const ok = await fetchJson(
        `${imds}/?api-version=2018-02-01&resource=${RESOURCE}`,
        { method: "GET", headers: { metadata: "true" } },
        gh.caPath,
      );
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(typeof (ok.body as { expires_in: unknown }).expires_in, "string");
      const unknown = await fetchJson(
        `${imds}?api-version=2018-02-01&resource=api://unknown`,
        { method: "GET", headers: { metadata: "true" } },
        gh.caPath,
      );
      assert.equal(unknown.status, 400);
      assert.equal((unknown.body as { error: string }).error, "invalid_resource");
      assert.match((unknown.body as { error_description: string }).error_description, /^AADSTS500011/);
    } finally {
      await gh.stop();
    }
  });
});
