/**
 * authentication-managed-identity end to end: the gateway asks the real identity service (App Service-style endpoint)
 * for its managed identity's tokens and calls a backend protected by @gatehouse/middleware.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import express from "express";
import { requireAuth, requireRole } from "@gatehouse/middleware/express";
import { GATEWAY_HOST } from "../../src/admin/gateway-identity.js";
import { EXAMPLE, EXAMPLE_CONFIG, startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { apiYaml, call } from "../helpers/gateway.js";
import { adminCall } from "../gateway-entra/helpers.js";
import { arm } from "../application-access/helpers.js";

const INVENTORY = "3f1b6c2a-7d4e-4a8f-9b0c-5e6d7f8a9b01";
const PAYROLL = "8c2d4e6f-1a3b-4c5d-8e9f-0a1b2c3d4e02";

const RESOURCES = `
        - displayName: Inventory API
          appId: ${INVENTORY}
          identifierUris: ["api://${INVENTORY}"]
          api: { requestedAccessTokenVersion: 2 }
          appRoles:
            - { value: Inventory.Read, displayName: Read stock, allowedMemberTypes: [Application] }
        - displayName: Payroll API
          appId: ${PAYROLL}
          identifierUris: ["api://${PAYROLL}"]
          api: { requestedAccessTokenVersion: 2 }
          appRoles:
            - { value: Payroll.Read, displayName: Read payroll, allowedMemberTypes: [Application] }
            - { value: Payroll.Summary, displayName: Read totals, allowedMemberTypes: [Application] }
`;

const document = (inbound: string) =>
  `<policies><inbound><base />${inbound}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;

const api = (name: string, serviceUrl: string, inbound: string) =>
  apiYaml(name, serviceUrl, ["subscriptionRequired: false", "protocols: [http]", `policy: '${document(inbound)}'`]);

/** Each log line of the server, parsed: how often the identity endpoint issued a token is counted from them. */
class LogLines extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "") this.lines.push(JSON.parse(line));
    done();
  }
  tokensIssued(clientId: string): number {
    return this.lines.filter(
      (l) => l.msg === "managed identity token issued" && l.host === GATEWAY_HOST && l.clientId === clientId,
    ).length;
  }
}

/** A backend of two APIs, each requiring its own audience and role; it answers with what it saw. */
async function startBackend(authority: () => string) {
  const app = express();
  let inventory: express.RequestHandler | undefined;
  let payroll: express.RequestHandler | undefined;
  const echo: express.RequestHandler = (req, res) => {
    res.json({
      oid: req.auth?.claims.oid,
      azp: req.auth?.claims.azp,
      roles: req.auth?.claims.roles,
      hadAuthorization: req.headers["x-had-authorization"],
    });
  };
  app.get(
    "/inventory",
    (req, res, next) => (inventory ??= requireAuth({ authority: authority(), audience: INVENTORY }))(req, res, next),
    requireRole("Inventory.Read"),
    echo,
  );
  app.get(
    "/payroll",
    (req, res, next) => (payroll ??= requireAuth({ authority: authority(), audience: PAYROLL }))(req, res, next),
    requireRole("Payroll.Read"),
    echo,
  );
  app.get("/open", (req, res) => {
    res.json({ authorization: req.headers.authorization ?? null });
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("authentication-managed-identity against a backend protected by @gatehouse/middleware", () => {
  let gh: TestGatehouse;
  let backend: Awaited<ReturnType<typeof startBackend>>;
  let admin: string;
  const logs = new LogLines();
  const tenant = `/${EXAMPLE.tenantId}/v1.0`;
  const get = (name: string) => call(gh, `${gh.gatewayUrl}/${name}`);

  /** Grants `principalId` an app role of the resource, by admin consent through the Graph API. */
  const grant = async (principalId: string, appId: string, value: string) => {
    const sp = (await adminCall(gh, admin, "GET", `${tenant}/servicePrincipals(appId='${appId}')`)).body as {
      id: string;
      appRoles: { id: string; value: string }[];
    };
    const role = sp.appRoles.find((r) => r.value === value);
    assert.ok(role);
    const granted = await adminCall(gh, admin, "POST", `${tenant}/servicePrincipals/${sp.id}/appRoleAssignedTo`, {
      principalId,
      resourceId: sp.id,
      appRoleId: role.id,
    });
    assert.equal(granted.status, 201, JSON.stringify(granted.body));
  };

  before(async () => {
    let identityUrl = "";
    backend = await startBackend(() => `${identityUrl}/${EXAMPLE.tenantId}`);
    const inventory = `api://${INVENTORY}`;
    const apis = [
      api("inventory", `${backend.url}/inventory`, `<authentication-managed-identity resource="${inventory}" />`),
      api("payroll", `${backend.url}/payroll`, `<authentication-managed-identity resource="api://${PAYROLL}" />`),
      api(
        "variable",
        `${backend.url}/inventory`,
        `<authentication-managed-identity resource="${inventory}" output-token-variable-name="msi-access-token" />` +
          `<set-header name="X-Had-Authorization" exists-action="override"><value>@(context.Request.Headers.ContainsKey("Authorization") ? "yes" : "no")</value></set-header>` +
          `<set-header name="Authorization" exists-action="override"><value>@("Bearer " + (string)context.Variables["msi-access-token"])</value></set-header>`,
      ),
      api(
        "user-assigned",
        `${backend.url}/inventory`,
        `<authentication-managed-identity resource="${inventory}" client-id="{{ua-client-id}}" />`,
      ),
      api(
        "lookup",
        `${backend.url}/open`,
        `<send-request mode="new" response-variable-name="stock"><set-url>${backend.url}/inventory</set-url>` +
          `<authentication-managed-identity resource="${inventory}" /></send-request>` +
          `<return-response><set-status code="200" reason="OK" /><set-body>@(((IResponse)context.Variables["stock"]).StatusCode + " " + ((IResponse)context.Variables["stock"]).Body.As&lt;string&gt;())</set-body></return-response>`,
      ),
      api("unknown", `${backend.url}/open`, `<authentication-managed-identity resource="api://no-such-resource" />`),
      api(
        "optional",
        `${backend.url}/open`,
        `<authentication-managed-identity resource="api://no-such-resource" ignore-error="true" />`,
      ),
    ];
    const config = [
      EXAMPLE_CONFIG.trimEnd(),
      RESOURCES.trimEnd(),
      "gateway:",
      "  namedValues:",
      "    - { name: ua-client-id, value: 00000000-0000-0000-0000-000000000000 }",
      "  apis:",
      ...apis,
    ].join("\n");
    gh = await startTestGatehouse({
      config,
      overrides: { tls: { mode: "insecure" }, logLevel: "info", logDestination: logs },
    });
    identityUrl = gh.identityUrl;
    admin = await gh.adminToken();
  });
  after(async () => {
    await gh?.stop();
    await backend?.close();
  });

  it("with the role granted to the gateway's identity, the backend answers 200 to the gateway as itself", async () => {
    const identity = gh.gatewayIdentity;
    assert.ok(identity);
    await grant(identity.principalId, INVENTORY, "Inventory.Read");
    const reply = await get("inventory");
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.json(), { oid: identity.principalId, azp: identity.clientId, roles: ["Inventory.Read"] });
  });

  it("caches the token: the identity endpoint is asked once for many requests", async () => {
    const identity = gh.gatewayIdentity;
    assert.ok(identity);
    const before = logs.tokensIssued(identity.clientId);
    const replies = await Promise.all(Array.from({ length: 5 }, () => get("inventory")));
    for (const reply of replies) assert.equal(reply.status, 200, reply.text);
    for (let i = 0; i < 3; i++) assert.equal((await get("inventory")).status, 200);
    assert.equal(logs.tokensIssued(identity.clientId), before, "no new token: the cached one is used");
    assert.ok(before >= 1);
  });

  it("without the grant of the role the backend requires, its 403 reaches the caller unchanged", async () => {
    const identity = gh.gatewayIdentity;
    assert.ok(identity);
    // A token with roles, but not Payroll.Read (one without any role is the middleware's 401).
    await grant(identity.principalId, PAYROLL, "Payroll.Summary");
    const reply = await get("payroll");
    assert.equal(reply.status, 403, reply.text);
    assert.match(String(reply.headers["www-authenticate"]), /insufficient_scope|Bearer/);
    const body = reply.json<{ status: number; detail: string }>();
    assert.equal(body.status, 403);
    assert.match(body.detail, /Payroll\.Read/);
  });

  it("output-token-variable-name keeps the token in a variable and leaves Authorization unset", async () => {
    const reply = await get("variable");
    assert.equal(reply.status, 200, reply.text);
    const body = reply.json<{ hadAuthorization: string; roles: string[] }>();
    assert.equal(body.hadAuthorization, "no");
    assert.deepEqual(body.roles, ["Inventory.Read"]);
  });

  it("client-id: a user-assigned identity attached to the gateway's host, with its own grant", async () => {
    const { identity } = await gh.registry.managedIdentities.putUserAssigned({
      tenantId: EXAMPLE.tenantId,
      name: "inventory-reader",
    });
    await gh.registry.managedIdentities.attach(GATEWAY_HOST, identity.resourceId);
    await grant(identity.principalId, INVENTORY, "Inventory.Read");
    const named = await arm(gh, "PUT", "/namedValues/ua-client-id", {
      properties: { displayName: "ua-client-id", value: identity.clientId },
    });
    assert.ok(named.status === 200 || named.status === 201, JSON.stringify(named.body));
    await gh.reloadGateway();
    const reply = await get("user-assigned");
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.json(), { oid: identity.principalId, azp: identity.clientId, roles: ["Inventory.Read"] });
  });

  it("inside send-request, the request the policy sends carries the token", async () => {
    const reply = await get("lookup");
    assert.equal(reply.status, 200, reply.text);
    assert.match(reply.text, /^200 \{.*"roles":\["Inventory\.Read"\]/);
  });

  it("an unknown resource fails the request as API Management does: 500 with the gateway's error body", async () => {
    const reply = await get("unknown");
    assert.equal(reply.status, 500, reply.text);
    const body = reply.json<{ statusCode: number; message: string; activityId: string }>();
    assert.equal(body.statusCode, 500);
    assert.equal(body.message, "Internal server error");
    assert.match(body.activityId, /^[0-9a-f-]{36}$/);
    assert.doesNotMatch(reply.text, /no-such-resource/, "the reason stays in the trace and the log");
  });

  it("ignore-error: the request goes on without a token", async () => {
    const reply = await get("optional");
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.json(), { authorization: null });
  });
});

describe("authentication-managed-identity in gateway worker processes", () => {
  it("each worker reads the gateway's header from the data folder and calls the backend as the gateway", async () => {
    let identityUrl = "";
    const backend = await startBackend(() => `${identityUrl}/${EXAMPLE.tenantId}`);
    const config = [
      EXAMPLE_CONFIG.trimEnd(),
      RESOURCES.trimEnd(),
      "gateway:",
      "  apis:",
      api("inventory", `${backend.url}/inventory`, `<authentication-managed-identity resource="api://${INVENTORY}" />`),
    ].join("\n");
    const gh = await startTestGatehouse({ config, overrides: { tls: { mode: "insecure" }, gatewayWorkers: 2 } });
    try {
      identityUrl = gh.identityUrl;
      const identity = gh.gatewayIdentity;
      assert.ok(identity);
      const admin = await gh.adminToken();
      const tenant = `/${EXAMPLE.tenantId}/v1.0`;
      const sp = (await adminCall(gh, admin, "GET", `${tenant}/servicePrincipals(appId='${INVENTORY}')`)).body as {
        id: string;
        appRoles: { id: string }[];
      };
      const granted = await adminCall(gh, admin, "POST", `${tenant}/servicePrincipals/${sp.id}/appRoleAssignedTo`, {
        principalId: identity.principalId,
        resourceId: sp.id,
        appRoleId: sp.appRoles[0]?.id,
      });
      assert.equal(granted.status, 201, JSON.stringify(granted.body));
      // Several connections, so both workers answer some of them.
      const replies = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          call(gh, `${gh.gatewayUrl}/inventory`, { localAddress: `127.0.0.${i + 2}` }),
        ),
      );
      for (const reply of replies) {
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.json<{ oid: string }>().oid, identity.principalId);
      }
    } finally {
      await gh.stop();
      await backend.close();
    }
  });
});
