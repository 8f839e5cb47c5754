import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeProtectedHeader } from "jose";
import {
  EXAMPLE,
  EXAMPLE_CONFIG,
  exampleTokenForm,
  startTestGatehouse,
  type TestGatehouse,
} from "../helpers/gatehouse.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("token endpoint (example configuration, HTTPS)", () => {
  let gh: TestGatehouse;
  before(async () => {
    gh = await startTestGatehouse({ config: EXAMPLE_CONFIG });
  });
  after(() => gh.stop());

  const form = exampleTokenForm;

  it("issues a v2 token with Entra's claims, verifiable against the served JWKS", async () => {
    const res = await gh.postForm(`${gh.tokenUrl()}?client-request-id=${crypto.randomUUID()}`, {
      ...form(),
      "x-client-SKU": "msal.js.node",
      "x-client-VER": "7.2.1",
      "client-request-id": crypto.randomUUID(),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store, no-cache");
    const body = res.body as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ["access_token", "expires_in", "ext_expires_in", "token_type"]);
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.expires_in, 3599);
    assert.equal(body.ext_expires_in, 3599);
    const issuer = `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0`;
    const { payload, protectedHeader } = await gh.verify(body.access_token as string, {
      issuer,
      audience: EXAMPLE.resourceAppId,
    });
    assert.equal(protectedHeader.typ, "JWT");
    assert.equal(protectedHeader.x5t, undefined);
    assert.equal(payload.ver, "2.0");
    assert.equal(payload.azp, EXAMPLE.clientAppId);
    assert.equal(payload.azpacr, "1");
    assert.equal(payload.appid, undefined);
    assert.equal(payload.tid, EXAMPLE.tenantId);
    assert.equal(payload.idtyp, "app");
    assert.deepEqual(payload.roles, ["APIAccess"]);
    assert.match(payload.oid as string, GUID);
    assert.equal(payload.sub, payload.oid);
    assert.equal(typeof payload.uti, "string");
    assert.equal((payload.exp as number) - (payload.iat as number), 3599 + 300);
  });

  it("issues the same v2 token from the v1 endpoint with string fields and `resource`", async () => {
    const res = await gh.postForm(gh.tokenUrl(EXAMPLE.tenantId, "v1"), {
      grant_type: "client_credentials",
      client_id: EXAMPLE.clientAppId,
      client_secret: EXAMPLE.secret,
      resource: `api://${EXAMPLE.resourceAppId}`,
    });
    assert.equal(res.status, 200);
    const body = res.body as Record<string, unknown>;
    for (const field of ["expires_in", "ext_expires_in", "expires_on", "not_before"])
      assert.equal(typeof body[field], "string");
    assert.equal(body.resource, `api://${EXAMPLE.resourceAppId}`);
    const { payload } = await gh.verify(body.access_token as string, {
      issuer: `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0`,
      audience: EXAMPLE.resourceAppId,
    });
    assert.equal(payload.ver, "2.0");
    assert.equal(String(payload.exp), body.expires_on);
  });

  it("accepts HTTP Basic with form-urlencoded credentials (openid-client style) and the tenant's domain in any case", async () => {
    const basic = Buffer.from(
      `${encodeURIComponent(EXAMPLE.clientAppId).replace(/-/g, "%2D")}:${encodeURIComponent(EXAMPLE.secret).replace(/-/g, "%2D")}`,
    ).toString("base64");
    const res = await gh.postForm(
      gh.tokenUrl("CONTOSO.Example"),
      { grant_type: "client_credentials", scope: EXAMPLE.scope },
      { authorization: `Basic ${basic}` },
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  it("issues v1 tokens for a resource that accepts v1, with aud as requested", async () => {
    const token = await gh.adminToken();
    const app = await gh.registry.createApplication(EXAMPLE.tenantId, {
      displayName: "LegacyApi",
      identifierUris: ["https://legacy.contoso.example/"],
    });
    await gh.registry.createServicePrincipal(EXAMPLE.tenantId, app.appId);
    assert.ok(token);
    for (const [resource, aud] of [
      ["https://legacy.contoso.example/", "https://legacy.contoso.example/"],
      [app.appId, app.appId],
    ]) {
      const res = await gh.postForm(gh.tokenUrl(EXAMPLE.tenantId, "v1"), {
        grant_type: "client_credentials",
        client_id: EXAMPLE.clientAppId,
        client_secret: EXAMPLE.secret,
        resource: resource as string,
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const accessToken = (res.body as { access_token: string }).access_token;
      const { payload } = await gh.verify(accessToken, {
        issuer: `${gh.identityUrl}/${EXAMPLE.tenantId}/`,
        audience: aud as string,
      });
      assert.equal(payload.ver, "1.0");
      assert.equal(payload.appid, EXAMPLE.clientAppId);
      assert.equal(payload.appidacr, "1");
      assert.equal(payload.idp, payload.iss);
      assert.equal(payload.roles, undefined, "no role granted → no roles claim");
      const header = decodeProtectedHeader(accessToken);
      assert.equal(header.x5t, header.kid);
    }
  });

  it("serves v2 and v1 discovery documents whose issuers match the tokens, by GUID or domain", async () => {
    const v2 = (await gh.get(`${gh.identityUrl}/${EXAMPLE.domain}/v2.0/.well-known/openid-configuration`))
      .body as Record<string, string>;
    assert.equal(v2.issuer, `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0`);
    assert.equal(v2.token_endpoint, `${gh.identityUrl}/${EXAMPLE.tenantId}/oauth2/v2.0/token`);
    assert.equal(v2.jwks_uri, `${gh.identityUrl}/${EXAMPLE.tenantId}/discovery/v2.0/keys`);
    const v1 = (await gh.get(`${gh.identityUrl}/${EXAMPLE.tenantId}/.well-known/openid-configuration`)).body as Record<
      string,
      string
    >;
    assert.equal(v1.issuer, `${gh.identityUrl}/${EXAMPLE.tenantId}/`);
    assert.equal(v1.token_endpoint, `${gh.identityUrl}/${EXAMPLE.tenantId}/oauth2/token`);
    const common = (await gh.get(`${gh.identityUrl}/common/v2.0/.well-known/openid-configuration`)).body as Record<
      string,
      string
    >;
    assert.equal(common.issuer, `${gh.identityUrl}/{tenantid}/v2.0`);
    const keys = (await gh.get(v2.jwks_uri as string)).body as { keys: Record<string, unknown>[] };
    assert.ok(keys.keys.length >= 1);
    assert.equal(keys.keys[0]?.issuer, v2.issuer);
    assert.equal(keys.keys[0]?.kid, keys.keys[0]?.x5t);
    const v1Keys = (await gh.get(v1.jwks_uri as string)).body as { keys: Record<string, unknown>[] };
    assert.equal(v1Keys.keys[0]?.issuer, undefined);
    const instance = (
      await gh.get(
        `${gh.identityUrl}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${gh.identityUrl}/${EXAMPLE.tenantId}/oauth2/v2.0/authorize`)}`,
      )
    ).body as Record<string, unknown>;
    assert.equal(
      instance.tenant_discovery_endpoint,
      `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0/.well-known/openid-configuration`,
    );
  });
});
