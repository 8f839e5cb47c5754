import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DEFAULT_ACCESS_ROLE_ID } from "../../src/identity/registry.js";
import { requestToken, startAdminHarness, type AdminHarness } from "../admin/helpers.js";
import { ARM, assertArmError, SHORT } from "./helpers.js";

let h: AdminHarness;
before(async () => {
  h = await startAdminHarness();
});
after(async () => {
  await h.close();
});

/** An access token for the management API of a client that has only default access (no Gatehouse.Admin role). */
async function tokenWithoutAdminRole(): Promise<string> {
  const mgmt = `/${h.admin.tenantId}/v1.0`;
  const app = await h.call<{ id: string; appId: string }>("POST", `${mgmt}/applications`, {
    body: { displayName: "Not an admin" },
  });
  const sp = await h.call<{ id: string }>("POST", `${mgmt}/servicePrincipals`, { body: { appId: app.json.appId } });
  const secret = await h.call<{ secretText: string }>("POST", `${mgmt}/applications/${app.json.id}/addPassword`, {
    body: {},
  });
  const resource = await h.call<{ id: string }>(
    "GET",
    `${mgmt}/servicePrincipals(appId='${h.gatehouse.management.resourceAppId}')`,
  );
  const grant = await h.call("POST", `${mgmt}/servicePrincipals/${resource.json.id}/appRoleAssignedTo`, {
    body: { principalId: sp.json.id, resourceId: resource.json.id, appRoleId: DEFAULT_ACCESS_ROLE_ID },
  });
  assert.equal(grant.status, 201, grant.text);
  const token = await requestToken(
    h.gatehouse.identityUrl,
    h.admin.tenantId,
    app.json.appId,
    secret.json.secretText,
    h.admin.scope,
  );
  assert.equal(token.status, 200, JSON.stringify(token.body));
  return token.body.access_token as string;
}

describe("ARM routes: authentication and the OpenAPI document", () => {
  test("no token: 401 AuthenticationFailed with a Bearer challenge, on every ARM path (unknown ones too)", async () => {
    for (const [method, path] of [
      ["GET", `${ARM}/apis`],
      ["PUT", `${SHORT}/apis/x`],
      ["POST", `${SHORT}/subscriptions/x/listSecrets`],
      ["POST", `${SHORT}/namedValues/x/listValue`],
      ["GET", `${SHORT}/unknown`],
    ] as const) {
      const response = await h.call(method, path, { token: null });
      const error = assertArmError(response, 401, "AuthenticationFailed");
      assert.equal(error.message, "Authentication failed. The 'Authorization' header is missing.");
      assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer\b/);
    }
  });

  test("a bad token: 401 InvalidAuthenticationToken; a token without the admin role: 403 AuthorizationFailed", async () => {
    const token = await h.adminToken();
    const tampered = `${token.slice(0, -4)}${token.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    for (const bad of [tampered, "not-a-jwt"]) {
      const response = await h.call("GET", `${SHORT}/apis`, { token: bad });
      assertArmError(response, 401, "InvalidAuthenticationToken");
      assert.match(response.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
    }
    const limited = await tokenWithoutAdminRole();
    const denied = await h.call("GET", `${ARM}/namedValues`, { token: limited });
    assertArmError(denied, 403, "AuthorizationFailed");
    assertArmError(
      await h.call("POST", `${SHORT}/subscriptions/x/listSecrets`, { token: limited }),
      403,
      "AuthorizationFailed",
    );
  });

  test("/openapi.json describes the ARM operations on both prefixes with ARM's error body", async () => {
    const doc = await h.call<{
      paths: Record<
        string,
        Record<string, { tags: string[]; parameters: { name: string }[]; responses: Record<string, unknown> }>
      >;
      components: { schemas: Record<string, unknown> };
    }>("GET", "/openapi.json", { token: null });
    assert.equal(doc.status, 200);
    const armPath = `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ApiManagement/service/{serviceName}`;
    for (const prefix of [armPath, "/gateway"]) {
      const apis = doc.json.paths[`${prefix}/apis/{apiId}`];
      assert.deepEqual(Object.keys(apis ?? {}).sort(), ["delete", "get", "patch", "put"]);
      assert.ok(doc.json.paths[`${prefix}/subscriptions/{sid}/listSecrets`]?.post);
      assert.ok(doc.json.paths[`${prefix}/apis/{apiId}/operations/{operationId}/policies/policy`]?.put);
      assert.ok(doc.json.paths[`${prefix}/namedValues/{namedValueId}/listValue`]?.post);
      assert.ok(doc.json.paths[`${prefix}/products/{productId}/apis/{apiId}`]?.put);
    }
    const put = doc.json.paths["/gateway/apis/{apiId}"]?.put;
    assert.deepEqual(
      put?.parameters.map((p) => p.name),
      ["apiId", "api-version", "If-Match"],
    );
    assert.deepEqual(put?.responses.default, {
      description: "An Azure Resource Manager error with API Management's codes",
      content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorResponse" } } },
    });
    const policyPut = doc.json.paths["/gateway/policies/policy"]?.put as unknown as {
      requestBody: { content: Record<string, unknown> };
    };
    assert.ok(policyPut.requestBody.content["application/vnd.ms-azure-apim.policy.raw+xml"]);
    for (const name of [
      "ApiContract",
      "OperationContract",
      "PolicyContract",
      "SubscriptionContract",
      "ErrorResponse",
    ]) {
      assert.ok(doc.json.components.schemas[name], name);
    }
    // Graph operations keep Graph's error body.
    assert.deepEqual(doc.json.paths["/v1.0/tenants"]?.get?.responses.default, {
      description: "A Microsoft Graph error",
      content: { "application/json": { schema: { $ref: "#/components/schemas/graphError" } } },
    });
  });
});
