import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Jwt } from "../../src/gateway/jwt/jwt.js";
import type { KeySources } from "../../src/gateway/jwt/key-sources.js";
import { validateAzureAdToken } from "../../src/gateway/policy/policies/validate-azure-ad-token.js";
import {
  compile,
  documentServer,
  el,
  keySources,
  loadError,
  requestContext,
  runStep,
  services,
  sign,
  signingKey,
  verdict,
  type DocumentServer,
  type ElementSpec,
  type TestKey,
} from "./helpers.js";

const TENANT = "7d3c5e0a-1b2c-4d5e-8f90-0a1b2c3d4e5f";
const CLIENT = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";
const BACKEND = "5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f";
const V1_ISSUER = `https://sts.example/${TENANT}/`;

let key: TestKey;
let authority: DocumentServer;
let sources: KeySources;
let v2Issuer: string;

/** An Entra-shaped authority: the tenant's v2.0 and v1.0 discovery documents, each with its own JWKS URL. */
before(async () => {
  key = await signingKey("RS256", "entra-1");
  authority = await documentServer();
  v2Issuer = authority.url(`/${TENANT}/v2.0`);
  authority.set(`/${TENANT}/v2.0/.well-known/openid-configuration`, {
    issuer: v2Issuer,
    jwks_uri: authority.url(`/${TENANT}/discovery/v2.0/keys`),
  });
  authority.set(`/${TENANT}/.well-known/openid-configuration`, {
    issuer: V1_ISSUER,
    jwks_uri: authority.url("/common/discovery/keys"),
  });
  authority.set(`/${TENANT}/discovery/v2.0/keys`, { keys: [key.jwk] });
  authority.set("/common/discovery/keys", { keys: [key.jwk] });
  sources = keySources();
});

after(async () => {
  await sources.close();
  await authority.close();
});

function policy(attributes: Record<string, string> = {}, ...children: ElementSpec[]): ElementSpec {
  return el(
    "validate-azure-ad-token",
    { "tenant-id": TENANT, ...attributes },
    el("client-application-ids", {}, el("application-id", {}, CLIENT.toUpperCase())),
    ...children,
  );
}

const backendIds = () => el("backend-application-ids", {}, el("application-id", {}, BACKEND));
const step = (spec: ElementSpec) => compile(validateAzureAdToken, spec, services(sources, `${authority.base}/`));
const v2 = (extra: Record<string, unknown> = {}) =>
  sign(key, { ver: "2.0", iss: v2Issuer, aud: BACKEND, azp: CLIENT, tid: TENANT, ...extra });
const v1 = (extra: Record<string, unknown> = {}) =>
  sign(key, { ver: "1.0", iss: V1_ISSUER, aud: `api://${BACKEND}`, appid: CLIENT, tid: TENANT, ...extra });

describe("validate-azure-ad-token", () => {
  test("v2 and v1 tokens of the tenant from an allowed client pass, from Authorization by default", async () => {
    const validator = step(policy({}, backendIds()));
    assert.equal(await verdict(validator, await v2()), "ok");
    assert.equal(await verdict(validator, await v1()), "ok");
  });

  test("a caller application not in client-application-ids is refused", async () => {
    const validator = step(policy());
    const other = "11111111-2222-3333-4444-555555555555";
    const { failure } = await runStep(
      validator,
      requestContext({ headers: { Authorization: `Bearer ${await v2({ azp: other })}` } }),
    );
    assert.equal(failure?.status, 401);
    assert.equal(failure?.clientMessage, "Invalid JWT.");
    assert.equal(failure?.source, "validate-azure-ad-token");
    assert.equal(failure?.reason, "TokenClaimValueNotAllowed");
    assert.equal(failure?.message, `Claim azp value of ${other} is not allowed. Access denied.`);
    assert.equal(await verdict(validator, await v1({ appid: other })), "TokenClaimValueNotAllowed");
    assert.equal(await verdict(validator, await v2({ azp: undefined })), "TokenClaimNotFound");
  });

  test("backend-application-ids and audiences restrict aud", async () => {
    const validator = step(policy({}, backendIds(), el("audiences", {}, el("audience", {}, "https://api.example"))));
    assert.equal(await verdict(validator, await v2({ aud: "https://api.example" })), "ok");
    assert.equal(await verdict(validator, await v2({ aud: "api://someone-else" })), "TokenAudienceNotAllowed");
  });

  test("tokens of another issuer or signed by another key are refused", async () => {
    const validator = step(policy());
    assert.equal(
      await verdict(validator, await v2({ iss: "https://sts.example/another-tenant/" })),
      "TokenIssuerNotAllowed",
    );
    const foreign = await signingKey("RS256", "entra-1");
    const token = await sign(foreign, { iss: v2Issuer, aud: BACKEND, azp: CLIENT });
    assert.equal(await verdict(validator, token), "TokenSignatureInvalid");
  });

  test("a custom header carries the bare token", async () => {
    const validator = step(policy({ "header-name": "X-Entra-Token" }));
    const token = await v2();
    assert.equal(
      (await runStep(validator, requestContext({ headers: { "X-Entra-Token": token } }))).failure,
      undefined,
    );
    const prefixed = await runStep(validator, requestContext({ headers: { "X-Entra-Token": `Bearer ${token}` } }));
    assert.equal(prefixed.failure?.reason, "JwtInvalid");
    const absent = await runStep(validator, requestContext({ headers: { Authorization: `Bearer ${token}` } }));
    assert.equal(absent.failure?.clientMessage, "JWT not present.");
  });

  test("required-claims, output-token-variable-name and the failure attributes work as in validate-jwt", async () => {
    const validator = step(
      policy(
        {
          "output-token-variable-name": "token",
          "failed-validation-httpcode": "403",
          "failed-validation-error-message": "No.",
        },
        el("required-claims", {}, el("claim", { name: "roles", match: "any" }, el("value", {}, "APIAccess"))),
      ),
    );
    const context = requestContext({ headers: { Authorization: `Bearer ${await v2({ roles: ["APIAccess"] })}` } });
    assert.equal((await runStep(validator, context)).failure, undefined);
    assert.ok(context.variables.get("token") instanceof Jwt);
    const { failure } = await runStep(
      validator,
      requestContext({ headers: { Authorization: `Bearer ${await v2({ roles: ["Other"] })}` } }),
    );
    assert.equal(failure?.status, 403);
    assert.equal(failure?.clientMessage, "No.");
    assert.equal(failure?.reason, "TokenClaimValueNotAllowed");
  });

  test("refused at load: no tenant, no or empty client-application-ids, a bad tenant", () => {
    const refused = (spec: ElementSpec) => loadError(validateAzureAdToken, spec, services(sources));
    assert.match(refused(el("validate-azure-ad-token", { "tenant-id": TENANT })), /client-application-ids/);
    assert.match(
      refused(el("validate-azure-ad-token", { "tenant-id": TENANT }, el("client-application-ids"))),
      /at least one 'application-id'/,
    );
    assert.match(
      refused(el("validate-azure-ad-token", {}, el("client-application-ids", {}, el("application-id", {}, CLIENT)))),
      /tenant-id/,
    );
    assert.match(refused(policy({ "tenant-id": "../common" })), /tenant-id/);
  });
});
