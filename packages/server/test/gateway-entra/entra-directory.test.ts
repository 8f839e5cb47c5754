import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import {
  EntraDirectory,
  type ClientApplicationRegistration,
  type ProductApplication,
} from "../../src/gateway/entra/directory.js";
import { EntraAuthenticationError, GraphRequestError } from "../../src/gateway/entra/errors.js";
import { EXAMPLE, type TestGatehouse } from "../helpers/gatehouse.js";
import {
  adminCall,
  gatewayDirectory,
  gatewayIdentityEndpoint,
  managementToken,
  msalToken,
  startEntraGatehouse,
} from "./helpers.js";

interface Application {
  id: string;
  appId: string;
  displayName: string;
  identifierUris: string[];
  appRoles: { id: string; value: string; allowedMemberTypes: string[]; isEnabled: boolean }[];
  requiredResourceAccess: { resourceAppId: string; resourceAccess: { id: string; type: string }[] }[];
  passwordCredentials: { keyId: string; endDateTime: string }[];
}
interface ServicePrincipal {
  id: string;
  accountEnabled: boolean;
  appRoleAssignmentRequired: boolean;
}

const YEAR_MS = 365 * 24 * 3600_000;

describe("EntraDirectory against a real Gatehouse, as the gateway's own identity", () => {
  let gh: TestGatehouse;
  let directory: EntraDirectory;
  let admin: string;
  const tenant = `/${EXAMPLE.tenantId}/v1.0`;
  const read = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await adminCall(gh, admin, "GET", `${tenant}${path}`);
    return { status: response.status, body: response.body as T };
  };
  const named = async (displayName: string) =>
    (await read<{ value: Application[] }>(`/applications?$filter=displayName eq '${displayName}'`)).body.value;

  let product: ProductApplication;
  let client: ClientApplicationRegistration;
  const secrets: string[] = [];

  before(async () => {
    gh = await startEntraGatehouse();
    directory = await gatewayDirectory(gh);
    admin = await managementToken(gh, "admin");
  });
  after(async () => {
    await directory.close();
    await gh.stop();
  });

  test("tenantId: the tenant its Graph URL names", async () => {
    assert.equal(await directory.tenantId(), EXAMPLE.tenantId);
  });

  test("ensureProductApplication creates APIMProductApplication<Product> with App ID URI, role and service principal", async () => {
    product = await directory.ensureProductApplication("starter", "Starter");
    assert.equal(product.audience, `api://${product.applicationId}`);
    assert.equal(product.roleValue, "Product.starter.All");
    const app = (await read<Application>(`/applications/${product.objectId}`)).body;
    assert.equal(app.displayName, "APIMProductApplicationStarter");
    assert.equal(app.appId, product.applicationId);
    assert.deepEqual(app.identifierUris, [product.audience]);
    assert.deepEqual(
      app.appRoles.map((r) => [r.id, r.value, r.allowedMemberTypes, r.isEnabled]),
      [[product.roleId, "Product.starter.All", ["Application"], true]],
    );
    const sp = (await read<ServicePrincipal>(`/servicePrincipals(appId='${product.applicationId}')`)).body;
    assert.equal(sp.id, product.servicePrincipalId);
    assert.equal(sp.accountEnabled, true);
    assert.equal(sp.appRoleAssignmentRequired, true);
  });

  test("ensuring again, with or without the stored ids, finds the same registration: no twins", async () => {
    assert.deepEqual(await directory.ensureProductApplication("starter", "Starter"), product);
    assert.deepEqual(await directory.ensureProductApplication("starter", "Starter", product), product);
    assert.equal((await named("APIMProductApplicationStarter")).length, 1);
  });

  test("createClientApplication makes APIMApplication<Name> and its service principal, once", async () => {
    client = await directory.createClientApplication("contosoBilling");
    const app = (await read<Application>(`/applications/${client.objectId}`)).body;
    assert.equal(app.displayName, "APIMApplicationContosoBilling");
    assert.equal(app.appId, client.appId);
    const sp = (await read<ServicePrincipal>(`/servicePrincipals(appId='${client.appId}')`)).body;
    assert.equal(sp.id, client.servicePrincipalId);
    assert.deepEqual(await directory.createClientApplication("contosoBilling"), client);
    assert.equal((await named("APIMApplicationContosoBilling")).length, 1);
  });

  test("grantProduct is admin consent of the product role, listed as an API permission; granting twice is once", async () => {
    await directory.grantProduct(client, product);
    await directory.grantProduct(client, product);
    const held = (
      await read<{ value: { resourceId: string; appRoleId: string }[] }>(
        `/servicePrincipals/${client.servicePrincipalId}/appRoleAssignments`,
      )
    ).body.value;
    assert.deepEqual(
      held.map((a) => [a.resourceId, a.appRoleId]),
      [[product.servicePrincipalId, product.roleId]],
    );
    const app = (await read<Application>(`/applications/${client.objectId}`)).body;
    assert.deepEqual(app.requiredResourceAccess, [
      { resourceAppId: product.applicationId, resourceAccess: [{ id: product.roleId, type: "Role" }] },
    ]);
  });

  test("addClientSecret: valid one year, shown once, several at a time", async () => {
    const before = Date.now();
    const first = await directory.addClientSecret(client);
    const second = await directory.addClientSecret(client);
    secrets.push(first.secret, second.secret);
    assert.notEqual(first.secret, second.secret);
    assert.notEqual(first.keyId, second.keyId);
    const lifetime = Date.parse(first.expiresAt) - before;
    assert.ok(lifetime >= YEAR_MS && lifetime <= YEAR_MS + 2 * 24 * 3600_000, first.expiresAt);
    const app = (await read<Application>(`/applications/${client.objectId}`)).body;
    assert.deepEqual(app.passwordCredentials.map((p) => p.keyId).sort(), [first.keyId, second.keyId].sort());
    assert.ok(!JSON.stringify(app).includes(first.secret), "Graph never shows a secret again");
  });

  test("MSAL gets a token for api://<product appId>/.default with either secret: the product role, the client's id", async () => {
    for (const secret of secrets) {
      const outcome = await msalToken(gh, client.appId, secret, `${product.audience}/.default`);
      assert.equal(outcome.ok, true, outcome.message);
      const claims = decodeJwt(outcome.accessToken as string);
      assert.deepEqual(claims.roles, [product.roleValue]);
      assert.equal(claims.aud, product.audience, "a v1 token keeps the App ID URI as requested");
      assert.equal(claims.appid, client.appId);
      assert.equal(claims.tid, EXAMPLE.tenantId);
    }
  });

  test("revokeProduct removes the grant and the permission: no token (the product requires an assignment)", async () => {
    await directory.revokeProduct(client, product);
    await directory.revokeProduct(client, product);
    const app = (await read<Application>(`/applications/${client.objectId}`)).body;
    assert.deepEqual(app.requiredResourceAccess, []);
    const outcome = await msalToken(gh, client.appId, secrets[0] as string, `${product.audience}/.default`);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.errorNo, 501051, outcome.message);
    await directory.grantProduct(client, product);
  });

  test("disableProductApplication disables the service principal; ensuring again enables the same one", async () => {
    await directory.disableProductApplication(product);
    const sp = (await read<ServicePrincipal>(`/servicePrincipals/${product.servicePrincipalId}`)).body;
    assert.equal(sp.accountEnabled, false);
    assert.equal((await read(`/applications/${product.objectId}`)).status, 200, "never deleted");
    const refused = await msalToken(gh, client.appId, secrets[0] as string, `${product.audience}/.default`);
    assert.equal(refused.errorNo, 7000112, refused.message);

    assert.deepEqual(await directory.ensureProductApplication("starter", "Starter", product), product);
    const enabled = (await read<ServicePrincipal>(`/servicePrincipals/${product.servicePrincipalId}`)).body;
    assert.equal(enabled.accountEnabled, true);
    const outcome = await msalToken(gh, client.appId, secrets[0] as string, `${product.audience}/.default`);
    assert.equal(outcome.ok, true, outcome.message);
  });

  test("removeClientSecret ends one secret; the other still works", async () => {
    const extra = await directory.addClientSecret(client);
    await directory.removeClientSecret(client, extra.keyId);
    const refused = await msalToken(gh, client.appId, extra.secret, `${product.audience}/.default`);
    assert.equal(refused.errorNo, 7000215, refused.message);
  });

  test("deleteClientApplication deletes the registration and its service principal: no token any more", async () => {
    await directory.deleteClientApplication(client);
    await directory.deleteClientApplication(client);
    assert.equal((await read(`/applications/${client.objectId}`)).status, 404);
    assert.equal((await read(`/servicePrincipals/${client.servicePrincipalId}`)).status, 404);
    const outcome = await msalToken(gh, client.appId, secrets[1] as string, `${product.audience}/.default`);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.errorNo, 700016, outcome.message);
    assert.match(outcome.message ?? "", /AADSTS700016/);
  });

  test("a product application whose role was disabled by hand gets it enabled again", async () => {
    const other = await directory.ensureProductApplication("unlimited", "Unlimited");
    const app = (await read<Application>(`/applications/${other.objectId}`)).body;
    const patched = await adminCall(gh, admin, "PATCH", `${tenant}/applications/${other.objectId}`, {
      appRoles: app.appRoles.map((r) => ({ ...r, isEnabled: false })),
    });
    assert.equal(patched.status, 204, JSON.stringify(patched.body));
    assert.deepEqual(await directory.ensureProductApplication("unlimited", "Unlimited"), other);
    const fixed = (await read<Application>(`/applications/${other.objectId}`)).body;
    assert.deepEqual(
      fixed.appRoles.map((r) => [r.value, r.isEnabled]),
      [["Product.unlimited.All", true]],
    );
  });

  test("errors are typed: the management tenant is out of reach (401), a wrong identity header gets no token", async () => {
    // The identity's token is the application tenant's: the management tenant's routes do not take it.
    const management = await gatewayDirectory(gh, gh.management.tenantId);
    try {
      await assert.rejects(management.createClientApplication("escalation"), (error: unknown) => {
        assert.ok(error instanceof GraphRequestError);
        assert.equal(error.status, 401);
        assert.equal(error.code, "InvalidAuthenticationToken");
        return true;
      });
    } finally {
      await management.close();
    }
    const wrongHeader = "not-the-header-but-long-enough-to-look-like-one";
    const wrong = new EntraDirectory({
      identity: {
        endpoint: (await gatewayIdentityEndpoint(gh)).endpoint,
        identityHeader: wrongHeader,
        resource: `api://${gh.management.resourceAppId}`,
      },
      graphUrl: `${gh.adminUrl}${tenant}`,
      extraCa: [await readFile(gh.caPath as string, "utf8")],
    });
    try {
      await assert.rejects(wrong.tenantId(), (error: unknown) => {
        assert.ok(error instanceof EntraAuthenticationError);
        assert.match(error.message, /X-IDENTITY-HEADER/);
        assert.doesNotMatch(error.message, new RegExp(wrongHeader));
        return true;
      });
    } finally {
      await wrong.close();
    }
  });
});
