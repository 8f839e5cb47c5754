import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import type {
  AppRoleAssignmentResource,
  ApplicationResource,
  ServicePrincipalResource,
} from "../../src/admin/schemas.js";
import { createSelfSignedCertificate } from "../../src/crypto/certificates.js";
import { assertGraphError, requestToken, startAdminHarness, type AdminHarness } from "./helpers.js";

type Entity<T> = T & { "@odata.context": string };
type List<T> = { "@odata.context": string; "@odata.nextLink"?: string; value: T[] };

let h: AdminHarness;
let tenantId: string;
before(async () => {
  h = await startAdminHarness();
  const tenant = await h.call<{ id: string }>("POST", "/v1.0/tenants", {
    body: { displayName: "Contoso", domains: ["contoso.example"] },
  });
  assert.equal(tenant.status, 201, tenant.text);
  tenantId = tenant.json.id;
});
after(async () => {
  await h.close();
});

const createApp = async (body: Record<string, unknown>) => {
  const response = await h.call<Entity<ApplicationResource>>("POST", "/v1.0/applications", { body });
  assert.equal(response.status, 201, response.text);
  return response.json;
};
const createSp = async (appId: string) => {
  const response = await h.call<Entity<ServicePrincipalResource>>("POST", "/v1.0/servicePrincipals", {
    body: { appId },
  });
  assert.equal(response.status, 201, response.text);
  return response.json;
};
const getApp = (id: string, query = "") =>
  h.call<Entity<ApplicationResource>>("GET", `/v1.0/applications/${id}${query}`);
const certificate = async () =>
  (await createSelfSignedCertificate("admin test", 30)).certificate.der.toString("base64");

describe("applications, service principals and consent", () => {
  test("register an API and a client, consent, and get a token with the role through the identity endpoint", async () => {
    const api = await createApp({ displayName: "Records API" });
    assert.equal(api["@odata.context"], "https://graph.microsoft.com/v1.0/$metadata#applications/$entity");
    assert.deepEqual(api.identifierUris, []);
    assert.deepEqual(api.passwordCredentials, []);
    assert.equal(api.api.requestedAccessTokenVersion, null);

    const roleId = randomUUID();
    const patched = await h.call("PATCH", `/v1.0/applications/${api.id}`, {
      body: {
        identifierUris: [`api://${api.appId}`],
        appRoles: [
          {
            id: roleId,
            value: "Records.Read.All",
            displayName: "Read all records",
            description: "Read every record.",
            allowedMemberTypes: ["Application"],
            isEnabled: true,
          },
        ],
        api: { requestedAccessTokenVersion: 2 },
      },
    });
    assert.equal(patched.status, 204, patched.text);
    assert.equal(patched.text, "");
    const read = await getApp(api.id);
    assert.deepEqual(read.json.identifierUris, [`api://${api.appId}`]);
    assert.equal(read.json.api.requestedAccessTokenVersion, 2);
    assert.deepEqual(
      read.json.appRoles.map((r) => [r.id, r.value, r.origin]),
      [[roleId, "Records.Read.All", "Application"]],
    );

    const client = await createApp({ displayName: "Records client" });
    const apiSp = await createSp(api.appId);
    const clientSp = await createSp(client.appId);
    assert.deepEqual(apiSp.servicePrincipalNames, [api.appId, `api://${api.appId}`]);
    assert.equal(apiSp.servicePrincipalType, "Application");
    assert.deepEqual(
      apiSp.appRoles.map((r) => r.id),
      [roleId],
    );
    assert.equal(clientSp.accountEnabled, true);

    const grant = await h.call<Entity<AppRoleAssignmentResource>>(
      "POST",
      `/v1.0/servicePrincipals/${apiSp.id}/appRoleAssignedTo`,
      { body: { principalId: clientSp.id, resourceId: apiSp.id, appRoleId: roleId } },
    );
    assert.equal(grant.status, 201, grant.text);
    assert.equal(grant.json.principalType, "ServicePrincipal");
    assert.equal(grant.json.principalDisplayName, "Records client");
    assert.equal(grant.json.resourceDisplayName, "Records API");
    assert.equal(grant.json.deletedDateTime, null);
    const again = await h.call("POST", `/v1.0/servicePrincipals/${apiSp.id}/appRoleAssignedTo`, {
      body: { principalId: clientSp.id, resourceId: apiSp.id, appRoleId: roleId },
    });
    assertGraphError(again, 400, "Request_BadRequest");

    const added = await h.call<Record<string, unknown>>("POST", `/v1.0/applications/${client.id}/addPassword`, {
      body: { passwordCredential: { displayName: "ci" } },
    });
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(Object.keys(added.json).sort(), [
      "@odata.context",
      "customKeyIdentifier",
      "displayName",
      "endDateTime",
      "hint",
      "keyId",
      "secretText",
      "startDateTime",
    ]);
    const secretText = added.json.secretText as string;
    assert.equal(added.json.hint, secretText.slice(0, 3));
    assert.equal(added.json.customKeyIdentifier, null);
    assert.equal(added.json.displayName, "ci");

    const token = await requestToken(
      h.gatehouse.identityUrl,
      tenantId,
      client.appId,
      secretText,
      `api://${api.appId}/.default`,
    );
    assert.equal(token.status, 200, JSON.stringify(token.body));
    const claims = decodeJwt(token.body.access_token as string);
    assert.deepEqual(claims.roles, ["Records.Read.All"]);
    assert.equal(claims.aud, api.appId);
    assert.equal(claims.ver, "2.0");
    assert.equal(claims.oid, clientSp.id);

    // The secret is shown once: reads carry the hint and secretText null, never the value or its hash.
    for (const response of [
      await getApp(client.id),
      await getApp(client.id, "?$select=passwordCredentials,keyCredentials"),
      await h.call("GET", "/v1.0/applications"),
      await h.call("GET", `/v1.0/applications(appId='${client.appId}')`),
    ]) {
      assert.equal(response.status, 200);
      assert.ok(!response.text.includes(secretText), "secret value in a read");
      assert.doesNotMatch(response.text, /secretHash|thumbprintSha/);
    }
    const credentials = (await getApp(client.id)).json.passwordCredentials;
    assert.deepEqual(credentials, [
      {
        customKeyIdentifier: null,
        displayName: "ci",
        endDateTime: added.json.endDateTime,
        hint: added.json.hint,
        keyId: added.json.keyId,
        secretText: null,
        startDateTime: added.json.startDateTime,
      },
    ]);

    const assignedTo = await h.call<List<AppRoleAssignmentResource>>(
      "GET",
      `/v1.0/servicePrincipals/${apiSp.id}/appRoleAssignedTo`,
    );
    assert.deepEqual(
      assignedTo.json.value.map((a) => a.id),
      [grant.json.id],
    );
    const held = await h.call<List<AppRoleAssignmentResource>>(
      "GET",
      `/v1.0/servicePrincipals(appId='${client.appId}')/appRoleAssignments`,
    );
    assert.deepEqual(
      held.json.value.map((a) => a.appRoleId),
      [roleId],
    );

    const removed = await h.call("POST", `/v1.0/applications/${client.id}/removePassword`, {
      body: { keyId: added.json.keyId },
    });
    assert.equal(removed.status, 204, removed.text);
    const refused = await requestToken(
      h.gatehouse.identityUrl,
      tenantId,
      client.appId,
      secretText,
      `api://${api.appId}/.default`,
    );
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, "invalid_client");

    const revoke = await h.call("DELETE", `/v1.0/servicePrincipals/${apiSp.id}/appRoleAssignedTo/${grant.json.id}`);
    assert.equal(revoke.status, 204, revoke.text);
    assert.deepEqual(
      (await h.call<List<unknown>>("GET", `/v1.0/servicePrincipals/${apiSp.id}/appRoleAssignedTo`)).json.value,
      [],
    );
  });

  test("PATCH merges api, accepts the manifest alias accessTokenAcceptedVersion, and refuses contradictions", async () => {
    const scopeId = randomUUID();
    const app = await createApp({
      displayName: "Scoped API",
      api: { oauth2PermissionScopes: [{ id: scopeId, value: "user_impersonation" }] },
    });
    assert.equal(app.api.oauth2PermissionScopes[0]?.type, "User");
    const alias = await h.call("PATCH", `/v1.0/applications(appId='${app.appId}')`, {
      body: { accessTokenAcceptedVersion: 2, description: "with scopes" },
    });
    assert.equal(alias.status, 204, alias.text);
    const read = (await getApp(app.id)).json;
    assert.equal(read.api.requestedAccessTokenVersion, 2);
    assert.deepEqual(
      read.api.oauth2PermissionScopes.map((s) => s.id),
      [scopeId],
    );
    assert.equal(read.description, "with scopes");

    const contradiction = await h.call("PATCH", `/v1.0/applications/${app.id}`, {
      body: { accessTokenAcceptedVersion: 1, api: { requestedAccessTokenVersion: 2 } },
    });
    assertGraphError(contradiction, 400, "Request_BadRequest");
  });

  test("keyCredentials: POST registers certificates, PATCH adds and removes them, key only with $select", async () => {
    const [first, second] = await Promise.all([certificate(), certificate()]);
    const app = await createApp({
      displayName: "Cert client",
      keyCredentials: [{ type: "AsymmetricX509Cert", usage: "Verify", key: first, displayName: "first" }],
      passwordCredentials: [{ displayName: "ignored" }],
    });
    assert.deepEqual(app.passwordCredentials, [], "passwordCredentials in POST are ignored");
    assert.equal(app.keyCredentials.length, 1);
    const [registered] = app.keyCredentials;
    assert.ok(registered);
    assert.equal(registered.key, undefined);
    assert.equal(registered.displayName, "first");
    assert.match(registered.customKeyIdentifier, /^[0-9A-F]{40}$/);

    const withKeys = await getApp(app.id, "?$select=keyCredentials");
    assert.equal(
      withKeys.json["@odata.context"],
      "https://graph.microsoft.com/v1.0/$metadata#applications(keyCredentials)/$entity",
    );
    assert.deepEqual(Object.keys(withKeys.json).sort(), ["@odata.context", "keyCredentials"]);
    assert.equal(withKeys.json.keyCredentials[0]?.key, first);
    const listed = await h.call<List<ApplicationResource>>(
      "GET",
      `/v1.0/applications?$filter=appId eq '${app.appId}'&$select=keyCredentials`,
    );
    assert.equal(listed.json.value[0]?.keyCredentials[0]?.key, undefined, "lists never carry the key");

    const add = await h.call("PATCH", `/v1.0/applications/${app.id}`, {
      body: { keyCredentials: [{ keyId: registered.keyId }, { key: second, displayName: "second" }] },
    });
    assert.equal(add.status, 204, add.text);
    const both = (await getApp(app.id)).json.keyCredentials;
    assert.deepEqual(both.map((k) => k.displayName).sort(), ["first", "second"]);

    const bad = await h.call("PATCH", `/v1.0/applications/${app.id}`, {
      body: { keyCredentials: [{ key: "bm90IGEgY2VydGlmaWNhdGU=" }] },
    });
    assert.match(assertGraphError(bad, 400, "Request_BadRequest"), /keyCredentials\[0\]\.key/);
    const duplicate = await h.call("PATCH", `/v1.0/applications/${app.id}`, {
      body: { keyCredentials: [...both.map((k) => ({ keyId: k.keyId })), { key: first }] },
    });
    assertGraphError(duplicate, 400, "Request_BadRequest");
    assert.equal((await getApp(app.id)).json.keyCredentials.length, 2, "refused PATCHes change nothing");

    const secondId = both.find((k) => k.displayName === "second")?.keyId;
    const keep = await h.call("PATCH", `/v1.0/applications/${app.id}`, {
      body: { keyCredentials: [{ keyId: secondId }] },
    });
    assert.equal(keep.status, 204, keep.text);
    assert.deepEqual(
      (await getApp(app.id)).json.keyCredentials.map((k) => k.keyId),
      [secondId],
    );
  });

  test("lists: $filter on appId and displayName, $top with @odata.nextLink, $select", async () => {
    const names = ["Paged A", "Paged B", "Paged C"];
    const apps = [];
    for (const displayName of names) apps.push(await createApp({ displayName, tags: ["paged"] }));
    const byAppId = await h.call<List<ApplicationResource>>(
      "GET",
      `/v1.0/applications?$filter=appId eq '${apps[1]?.appId}'`,
    );
    assert.equal(byAppId.json["@odata.context"], "https://graph.microsoft.com/v1.0/$metadata#applications");
    assert.deepEqual(
      byAppId.json.value.map((a) => a.displayName),
      ["Paged B"],
    );
    const byName = await h.call<List<ApplicationResource>>(
      "GET",
      `/v1.0/applications?$filter=${encodeURIComponent("displayName eq 'paged c'")}`,
    );
    assert.deepEqual(
      byName.json.value.map((a) => a.id),
      [apps[2]?.id],
    );

    const seen: string[] = [];
    let next: string | undefined = `/v1.0/applications?$top=2&$select=displayName,tags`;
    while (next) {
      const page: { json: List<{ displayName: string; tags: string[] }> } = await h.call("GET", next);
      assert.ok(page.json.value.length <= 2);
      for (const item of page.json.value) {
        assert.deepEqual(Object.keys(item).sort(), ["displayName", "tags"]);
        seen.push(item.displayName);
      }
      const link = page.json["@odata.nextLink"];
      next = link ? link.slice(new URL(link).origin.length) : undefined;
    }
    for (const name of names) assert.ok(seen.includes(name), name);

    const sps = await h.call<List<ServicePrincipalResource>>(
      "GET",
      `/v1.0/servicePrincipals?$filter=appId eq '${randomUUID()}'`,
    );
    assert.deepEqual(sps.json.value, []);
    assertGraphError(
      await h.call("GET", "/v1.0/applications?$filter=startswith(displayName,'P')"),
      400,
      "Request_UnsupportedQuery",
    );
    assertGraphError(await h.call("GET", "/v1.0/applications?$select=secretHash"), 400, "Request_BadRequest");
    assertGraphError(await h.call("GET", "/v1.0/applications?$top=0"), 400, "Request_BadRequest");
    assertGraphError(await h.call("GET", "/v1.0/applications?$expand=owners"), 400, "Request_BadRequest");
  });

  test("service principals: disable blocks tokens, delete removes", async () => {
    const app = await createApp({ displayName: "Disabled client", identifierUris: ["https://disabled.example/api"] });
    const sp = await createSp(app.appId);
    const disable = await h.call("PATCH", `/v1.0/servicePrincipals/${sp.id}`, { body: { accountEnabled: false } });
    assert.equal(disable.status, 204, disable.text);
    const read = await h.call<ServicePrincipalResource>("GET", `/v1.0/servicePrincipals/${sp.id}`);
    assert.equal(read.json.accountEnabled, false);
    const filtered = await h.call<List<ServicePrincipalResource>>(
      "GET",
      `/v1.0/servicePrincipals?$filter=appId eq '${app.appId}'`,
    );
    assert.deepEqual(
      filtered.json.value.map((s) => s.id),
      [sp.id],
    );
    assertGraphError(
      await h.call("POST", "/v1.0/servicePrincipals", { body: { appId: app.appId } }),
      400,
      "Request_BadRequest",
    );

    assert.equal((await h.call("DELETE", `/v1.0/servicePrincipals/${sp.id}`)).status, 204);
    assertGraphError(await h.call("GET", `/v1.0/servicePrincipals/${sp.id}`), 404, "Request_ResourceNotFound");
    assert.equal((await h.call("DELETE", `/v1.0/applications/${app.id}`, { rawBody: "" })).status, 204);
    assertGraphError(await getApp(app.id), 404, "Request_ResourceNotFound");
  });
});

describe("Graph error responses", () => {
  test("404 for unknown objects and routes, 405 for wrong methods", async () => {
    assertGraphError(await getApp(randomUUID()), 404, "Request_ResourceNotFound");
    assertGraphError(
      await h.call("GET", `/v1.0/applications(appId='${randomUUID()}')`),
      404,
      "Request_ResourceNotFound",
    );
    assertGraphError(await h.call("GET", "/v1.0/groups"), 404, "Request_ResourceNotFound");
    assertGraphError(await h.call("PUT", "/v1.0/applications"), 405, "Request_BadRequest");
    assertGraphError(
      await h.call("POST", `/v1.0/applications/${randomUUID()}/removePassword`, { body: { keyId: randomUUID() } }),
      404,
      "Request_ResourceNotFound",
    );
  });

  test("400 for bad ids, malformed JSON and schema violations, naming the property", async () => {
    assert.match(
      assertGraphError(await getApp("not-a-guid"), 400, "Request_BadRequest"),
      /Invalid object identifier 'not-a-guid'/,
    );
    assertGraphError(await h.call("POST", "/v1.0/applications", { rawBody: '{"displayName": ' }), 400, "BadRequest");
    assert.match(
      assertGraphError(
        await h.call("POST", "/v1.0/applications", { body: { displayName: 7 } }),
        400,
        "Request_BadRequest",
      ),
      /'displayName'/,
    );
    assert.match(
      assertGraphError(
        await h.call("POST", "/v1.0/applications", { body: { displayName: "x", appRoles: [{ id: "nope" }] } }),
        400,
        "Request_BadRequest",
      ),
      /appRoles\[0\]\.id/,
    );
    assert.match(
      assertGraphError(
        await h.call("POST", "/v1.0/applications", { body: { displayName: "x", color: "red" } }),
        400,
        "Request_BadRequest",
      ),
      /'color'/,
    );
    assert.match(
      assertGraphError(await h.call("POST", "/v1.0/servicePrincipals", { body: {} }), 400, "Request_BadRequest"),
      /'appId' is required/,
    );
  });

  test("500 generalException for unexpected failures, without internals", async () => {
    const { registry } = h.gatehouse;
    const read = registry.read;
    registry.read = async () => {
      throw new Error("connection to /var/lib/secret-db lost");
    };
    try {
      const response = await h.call("GET", "/v1.0/applications");
      assertGraphError(response, 500, "generalException");
      assert.doesNotMatch(response.text, /secret-db|Error:/);
    } finally {
      registry.read = read;
    }
    assert.equal((await h.call("GET", "/v1.0/applications")).status, 200);
  });

  test("400 for a duplicate identifierUri", async () => {
    const uri = `api://dup-${randomUUID()}`;
    await createApp({ displayName: "Owner", identifierUris: [uri] });
    const other = await createApp({ displayName: "Other" });
    const response = await h.call("PATCH", `/v1.0/applications/${other.id}`, { body: { identifierUris: [`${uri}/`] } });
    assert.match(assertGraphError(response, 400, "Request_BadRequest"), /identifierUris/);
    assertGraphError(
      await h.call("POST", "/v1.0/applications", { body: { displayName: "Third", identifierUris: [uri] } }),
      400,
      "Request_BadRequest",
    );
  });
});
