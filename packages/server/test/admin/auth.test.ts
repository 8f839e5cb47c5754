import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { MANAGEMENT } from "../../src/admin/management.js";
import { DEFAULT_ACCESS_ROLE_ID } from "../../src/identity/registry.js";
import { assertGraphError, requestToken, startAdminHarness, type AdminHarness } from "./helpers.js";

let h: AdminHarness;
before(async () => {
  h = await startAdminHarness();
});
after(async () => {
  await h.close();
});

describe("admin API authentication", () => {
  test("health and the OpenAPI document need no token", async () => {
    const health = await h.call("GET", "/healthz", { token: null });
    assert.equal(health.status, 200);
    assert.deepEqual(health.json, { status: "ok" });
    const doc = await h.call("GET", "/openapi.json", { token: null });
    assert.equal(doc.status, 200);
  });

  test("no token: 401 InvalidAuthenticationToken with a Bearer challenge", async () => {
    for (const path of ["/v1.0/tenants", "/v1.0/applications", "/gatehouse/keys"]) {
      const response = await h.call("GET", path, { token: null });
      assertGraphError(response, 401, "InvalidAuthenticationToken");
      assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer\b/);
    }
    const basic = await h.call("GET", "/v1.0/tenants", {
      token: null,
      headers: { authorization: "Basic Zm9vOmJhcg==" },
    });
    assertGraphError(basic, 401, "InvalidAuthenticationToken");
  });

  test("tampered, foreign and malformed tokens: 401", async () => {
    const token = await h.adminToken();
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = decodeJwt(token);
    const forged = Buffer.from(JSON.stringify({ ...claims, roles: [MANAGEMENT.adminRole, "Extra"] })).toString(
      "base64url",
    );
    const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;
    for (const bad of [`${header}.${forged}.${signature}`, `${header}.${payload}.${flipped}`, unsigned, "not-a-jwt"]) {
      const response = await h.call("GET", "/v1.0/tenants", { token: bad });
      assertGraphError(response, 401, "InvalidAuthenticationToken");
      assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer .*error="invalid_token"/);
    }
  });

  test("a valid token without the Gatehouse.Admin role: 403 Authorization_RequestDenied", async () => {
    const mgmt = `/${h.admin.tenantId}/v1.0`;
    const app = await h.call<{ id: string; appId: string }>("POST", `${mgmt}/applications`, {
      body: { displayName: "Read-only tool" },
    });
    assert.equal(app.status, 201, app.text);
    const sp = await h.call<{ id: string }>("POST", `${mgmt}/servicePrincipals`, { body: { appId: app.json.appId } });
    assert.equal(sp.status, 201, sp.text);
    const secret = await h.call<{ secretText: string }>("POST", `${mgmt}/applications/${app.json.id}/addPassword`, {
      body: { passwordCredential: { displayName: "test" } },
    });
    assert.equal(secret.status, 200, secret.text);
    const token = () =>
      requestToken(h.gatehouse.identityUrl, h.admin.tenantId, app.json.appId, secret.json.secretText, h.admin.scope);

    // Nothing consented: the management API requires an assignment, so no token at all.
    assert.notEqual((await token()).status, 200);

    // Default access only: a token without roles, which the admin API refuses.
    const resourceSp = await h.call<{ id: string }>(
      "GET",
      `${mgmt}/servicePrincipals(appId='${h.gatehouse.management.resourceAppId}')`,
    );
    assert.equal(resourceSp.status, 200, resourceSp.text);
    const grant = (appRoleId: string) =>
      h.call("POST", `${mgmt}/servicePrincipals/${resourceSp.json.id}/appRoleAssignedTo`, {
        body: { principalId: sp.json.id, resourceId: resourceSp.json.id, appRoleId },
      });
    assert.equal((await grant(DEFAULT_ACCESS_ROLE_ID)).status, 201);
    const limited = await token();
    assert.equal(limited.status, 200, JSON.stringify(limited.body));
    assert.equal(decodeJwt(limited.body.access_token as string).roles, undefined);
    const denied = await h.call("GET", "/v1.0/tenants", { token: limited.body.access_token as string });
    assert.equal(
      assertGraphError(denied, 403, "Authorization_RequestDenied"),
      "Insufficient privileges to complete the operation.",
    );

    // Granting the admin role through the API makes another administrator.
    assert.equal((await grant(MANAGEMENT.adminRoleId)).status, 201);
    const full = await token();
    assert.deepEqual(decodeJwt(full.body.access_token as string).roles, [MANAGEMENT.adminRole]);
    assert.equal((await h.call("GET", "/v1.0/tenants", { token: full.body.access_token as string })).status, 200);
  });

  test("request ids: client-request-id is echoed, request-id is set", async () => {
    const response = await h.call("GET", "/v1.0/tenants", { token: null, headers: { "client-request-id": "abc-123" } });
    const { error } = response.json as { error: { innerError: Record<string, string> } };
    assert.equal(error.innerError["client-request-id"], "abc-123");
    assert.equal(response.headers.get("client-request-id"), "abc-123");
    assert.equal(response.headers.get("request-id"), error.innerError["request-id"]);
  });

  test("key rotation publishes the next key at once and signs with it after the lead time (default a day)", async () => {
    const jwks = async () => {
      const response = await fetch(`${h.gatehouse.identityUrl}/${h.admin.tenantId}/discovery/v2.0/keys`);
      return ((await response.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    };
    const oldToken = await h.adminToken();
    const oldKid = decodeProtectedHeader(oldToken).kid as string;
    assert.ok((await jwks()).includes(oldKid));

    const rotated = await h.call<{ kid: string; activatedDateTime: string; published: string[] }>(
      "POST",
      "/gatehouse/keys/rotate",
      { token: oldToken },
    );
    assert.equal(rotated.status, 200, rotated.text);
    const nextKid = rotated.json.kid;
    assert.notEqual(nextKid, oldKid);
    assert.ok(Date.parse(rotated.json.activatedDateTime) - Date.now() > 23 * 3600_000, rotated.text);
    assert.deepEqual(rotated.json.published.slice(0, 2), [oldKid, nextKid]);
    assert.deepEqual((await jwks()).slice(0, 2), [oldKid, nextKid], "published before it signs");
    assert.equal(decodeProtectedHeader(await h.adminToken()).kid, oldKid, "the current key still signs");

    const keys = await h.call<{ value: { kid: string; current: boolean; activatedDateTime: string }[] }>(
      "GET",
      "/gatehouse/keys",
      { token: oldToken },
    );
    assert.equal(keys.status, 200, keys.text);
    assert.deepEqual(
      keys.json.value.map((k) => [k.kid, k.current, k.activatedDateTime]).sort(),
      [
        [oldKid, true, keys.json.value.find((k) => k.kid === oldKid)?.activatedDateTime],
        [nextKid, false, rotated.json.activatedDateTime],
      ].sort(),
    );
    assert.doesNotMatch(keys.text, /PRIVATE|sealed/i);
  });

  test("key rotation with leadTimeSeconds 0 signs with the new key at once; earlier tokens stay valid", async () => {
    const oldToken = await h.adminToken();
    const oldKid = decodeProtectedHeader(oldToken).kid as string;
    const rotated = await h.call<{ kid: string; published: string[] }>("POST", "/gatehouse/keys/rotate", {
      token: oldToken,
      body: { leadTimeSeconds: 0 },
    });
    assert.equal(rotated.status, 200, rotated.text);
    assert.ok(rotated.json.published.includes(rotated.json.kid));
    assert.ok(rotated.json.published.includes(oldKid));

    const newToken = await h.adminToken();
    assert.equal(decodeProtectedHeader(newToken).kid, rotated.json.kid);
    assert.equal((await h.call("GET", "/v1.0/tenants", { token: newToken })).status, 200);
    assert.equal((await h.call("GET", "/v1.0/tenants", { token: oldToken })).status, 200);
  });

  test("key rotation refuses a lead time that is not a whole number of seconds ≥ 0", async () => {
    const token = await h.adminToken();
    for (const leadTimeSeconds of [-1, 1.5, "60"]) {
      const response = await h.call("POST", "/gatehouse/keys/rotate", { token, body: { leadTimeSeconds } });
      assertGraphError(response, 400, "Request_BadRequest");
    }
  });
});

describe("OpenAPI document", () => {
  test("marks a request body required only when an empty one is refused", async () => {
    const response = await h.call<{ paths: Record<string, Record<string, { requestBody?: { required: boolean } }>> }>(
      "GET",
      "/openapi.json",
      { token: null },
    );
    assert.equal(response.json.paths["/gatehouse/keys/rotate"]?.post?.requestBody?.required, false);
    assert.equal(response.json.paths["/v1.0/applications"]?.post?.requestBody?.required, true);
    const emptyPost = await h.call("POST", "/v1.0/applications", { token: await h.adminToken(), body: {} });
    assert.equal(emptyPost.status, 400, emptyPost.text);
  });

  test("is OpenAPI 3.1, lists every route and the bearer scheme", async () => {
    const response = await h.call<{
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
      components: {
        securitySchemes: Record<string, { type: string; scheme: string }>;
        schemas: Record<string, unknown>;
      };
      security: unknown[];
    }>("GET", "/openapi.json", { token: null });
    const doc = response.json;
    assert.equal(doc.openapi, "3.1.0");
    assert.deepEqual(doc.components.securitySchemes.bearer, {
      ...doc.components.securitySchemes.bearer,
      type: "http",
      scheme: "bearer",
    });
    assert.deepEqual(doc.security, [{ bearer: [] }]);
    const expected: [string, string][] = [
      ["/v1.0/applications", "get"],
      ["/v1.0/applications", "post"],
      ["/v1.0/applications/{id}", "get"],
      ["/v1.0/applications/{id}", "patch"],
      ["/v1.0/applications/{id}", "delete"],
      ["/v1.0/applications(appId='{appId}')", "get"],
      ["/v1.0/applications/{id}/addPassword", "post"],
      ["/v1.0/applications/{id}/removePassword", "post"],
      ["/v1.0/servicePrincipals", "get"],
      ["/v1.0/servicePrincipals", "post"],
      ["/v1.0/servicePrincipals/{id}", "patch"],
      ["/v1.0/servicePrincipals/{id}/appRoleAssignedTo", "post"],
      ["/v1.0/servicePrincipals/{id}/appRoleAssignedTo/{assignmentId}", "delete"],
      ["/v1.0/servicePrincipals/{id}/appRoleAssignments", "get"],
      ["/{tenantId}/v1.0/applications", "get"],
      ["/{tenantId}/v1.0/servicePrincipals/{id}", "delete"],
      ["/v1.0/organization", "get"],
      ["/v1.0/tenants", "get"],
      ["/v1.0/tenants", "post"],
      ["/v1.0/tenants/{id}", "patch"],
      ["/v1.0/tenants/{id}", "delete"],
      ["/gatehouse/keys", "get"],
      ["/gatehouse/keys/rotate", "post"],
      ["/openapi.json", "get"],
      ["/healthz", "get"],
    ];
    for (const [path, method] of expected) {
      const operation = doc.paths[path]?.[method];
      assert.ok(operation, `${method.toUpperCase()} ${path} is documented`);
      assert.ok(Object.keys(operation.responses).length > 0);
    }
    assert.deepEqual(doc.paths["/healthz"]?.get?.security, []);
    for (const name of ["application", "applicationCreate", "servicePrincipal", "appRoleAssignment", "graphError"]) {
      assert.ok(doc.components.schemas[name], `schema ${name}`);
    }
  });
});
