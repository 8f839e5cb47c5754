import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from "jose";
import { AppTokenAuthorizer, type AppTokenDecision } from "../../src/gateway/app-token/authorizer.js";
import { APP_TOKEN_MESSAGES, appTokenFailure, missingTokenFailure } from "../../src/gateway/app-token/refusal.js";
import type { AppTokenTables } from "../../src/gateway/app-token/tables.js";
import type {
  ClientApplicationRegistration,
  EntraDirectory,
  ProductApplication,
} from "../../src/gateway/entra/directory.js";
import { KeySources } from "../../src/gateway/jwt/key-sources.js";
import { DEFAULT_ACCESS_ROLE_ID } from "../../src/identity/registry.js";
import { EXAMPLE, type TestGatehouse } from "../helpers/gatehouse.js";
import { adminCall, gatewayDirectory, managementToken, startEntraGatehouse } from "./helpers.js";

interface Client {
  registration: ClientApplicationRegistration;
  secret: string;
}

const OWNER = "dev-user-1";

describe("application-token authorisation with tokens of a real identity service", () => {
  let gh: TestGatehouse;
  let directory: EntraDirectory;
  let keySources: KeySources;
  let starter: ProductApplication;
  let unlimited: ProductApplication;
  /** Linked to starter (v1 tokens) and unlimited (v2 tokens). */
  let billing: Client;
  /** Linked to starter, holding only default access: its tokens have no roles. */
  let roleless: Client;
  /** Granted starter's role in the directory but unknown to the gateway. */
  let stranger: Client;
  let tables: AppTokenTables;
  let authorizer: AppTokenAuthorizer;

  const onlyStarter = new Set(["starter"]);
  const onlyUnlimited = new Set(["unlimited"]);

  const clientWith = async (name: string, products: ProductApplication[]): Promise<Client> => {
    const registration = await directory.createClientApplication(name);
    for (const product of products) await directory.grantProduct(registration, product);
    return { registration, secret: (await directory.addClientSecret(registration)).secret };
  };
  const tokenFor = async (client: Client, scope: string, tenant: string = EXAMPLE.tenantId): Promise<string> => {
    const response = await gh.postForm(gh.tokenUrl(tenant), {
      grant_type: "client_credentials",
      client_id: client.registration.appId,
      client_secret: client.secret,
      scope,
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return (response.body as { access_token: string }).access_token;
  };
  const bearer = (token: string) => `Bearer ${token}`;
  const decided = async (decision: AppTokenDecision | Promise<AppTokenDecision>) => decision;
  const refusal = async (decision: AppTokenDecision | Promise<AppTokenDecision>) => {
    const outcome = await decision;
    assert.equal(outcome.outcome, "refused", JSON.stringify(outcome));
    return (outcome as Extract<AppTokenDecision, { outcome: "refused" }>).refusal;
  };

  before(async () => {
    gh = await startEntraGatehouse();
    directory = await gatewayDirectory(gh);
    keySources = new KeySources({ extraCa: [await readFile(gh.caPath as string, "utf8")] });
    starter = await directory.ensureProductApplication("starter", "Starter");
    unlimited = await directory.ensureProductApplication("unlimited", "Unlimited");
    // Unlimited's application asks for v2 tokens: aud is its appId, iss the v2 issuer.
    const admin = await managementToken(gh, "admin");
    const patched = await adminCall(
      gh,
      admin,
      "PATCH",
      `/${EXAMPLE.tenantId}/v1.0/applications/${unlimited.objectId}`,
      {
        api: { requestedAccessTokenVersion: 2 },
      },
    );
    assert.equal(patched.status, 204);
    billing = await clientWith("billing", [starter, unlimited]);
    stranger = await clientWith("stranger", [starter]);
    roleless = await clientWith("roleless", []);
    const consent = await adminCall(
      gh,
      admin,
      "POST",
      `/${EXAMPLE.tenantId}/v1.0/servicePrincipals/${starter.servicePrincipalId}/appRoleAssignedTo`,
      {
        principalId: roleless.registration.servicePrincipalId,
        resourceId: starter.servicePrincipalId,
        appRoleId: DEFAULT_ACCESS_ROLE_ID,
      },
    );
    assert.equal(consent.status, 201, JSON.stringify(consent.body));
    const product = (p: ProductApplication, productName: string) => ({
      productName,
      applicationId: p.applicationId,
      roleValue: p.roleValue,
      tenantId: EXAMPLE.tenantId,
    });
    tables = {
      products: [product(starter, "starter"), product(unlimited, "unlimited")],
      clientApplications: [
        {
          entraApplicationId: billing.registration.appId,
          clientApplicationName: "billing",
          ownerUserId: OWNER,
          productNames: ["starter", "unlimited"],
        },
        {
          entraApplicationId: roleless.registration.appId,
          clientApplicationName: "roleless",
          ownerUserId: OWNER,
          productNames: ["starter"],
        },
      ],
    };
    authorizer = new AppTokenAuthorizer(tables, { keySources, authority: gh.identityUrl });
  });
  after(async () => {
    await keySources.close();
    await directory.close();
    await gh.stop();
  });

  test("a v1 token for api://<starter>/.default opens starter's APIs: product, client application and owner", async () => {
    const token = await tokenFor(billing, `${starter.audience}/.default`);
    assert.equal(decodeJwt(token).ver, "1.0");
    const decision = await decided(authorizer.authorize(bearer(token), onlyStarter));
    assert.equal(decision.outcome, "accepted", JSON.stringify(decision));
    if (decision.outcome !== "accepted") return;
    assert.equal(decision.product.productName, "starter");
    assert.equal(decision.clientApplication.clientApplicationName, "billing");
    assert.equal(decision.clientApplication.ownerUserId, OWNER);
    assert.equal(decision.token.payload.appid, billing.registration.appId);

    // Verified once: the same token is decided without a promise (no decoding, no signature check).
    const again = authorizer.authorize(bearer(token), new Set(["unlimited", "starter"]));
    assert.ok(!(again instanceof Promise));
    assert.equal(again.outcome, "accepted");
  });

  test("a token for product A never opens product B: 401 TokenAudienceNotAllowed", async () => {
    const token = await tokenFor(billing, `${starter.audience}/.default`);
    const refused = await refusal(authorizer.authorize(bearer(token), onlyUnlimited));
    assert.equal(refused.status, 401);
    assert.equal(refused.reason, "TokenAudienceNotAllowed");
    assert.match(refused.detail, /product 'starter'/);
  });

  test("a v1 token requested as <appId>/.default (aud is the appId) is accepted too", async () => {
    const token = await tokenFor(billing, `${starter.applicationId}/.default`);
    assert.equal(decodeJwt(token).aud, starter.applicationId);
    assert.equal((await decided(authorizer.authorize(bearer(token), onlyStarter))).outcome, "accepted");
  });

  test("a v2 token (aud = appId, v2 issuer, azp) opens unlimited", async () => {
    const token = await tokenFor(billing, `${unlimited.audience}/.default`);
    const claims = decodeJwt(token);
    assert.equal(claims.ver, "2.0");
    assert.equal(claims.aud, unlimited.applicationId);
    const decision = await decided(authorizer.authorize(bearer(token), onlyUnlimited));
    assert.equal(decision.outcome, "accepted", JSON.stringify(decision));
    if (decision.outcome === "accepted") assert.equal(decision.product.productName, "unlimited");
  });

  test("no bearer token: absent, for the caller to decide", async () => {
    for (const header of [undefined, "", "Basic Zm9vOmJhcg==", "Bearer"]) {
      assert.deepEqual(authorizer.authorize(header, onlyStarter), { outcome: "absent" });
    }
  });

  test("malformed, tampered and foreign-key tokens: 401", async () => {
    const token = await tokenFor(billing, `${starter.audience}/.default`);
    const malformed = await refusal(authorizer.authorize("Bearer not.a.jwt", onlyStarter));
    assert.deepEqual([malformed.status, malformed.reason], [401, "JwtInvalid"]);

    // The payload changed (another client id), the signature kept: it no longer verifies.
    const [header, , signature] = token.split(".") as [string, string, string];
    const claims = { ...decodeJwt(token), appid: roleless.registration.appId };
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    const bad = await refusal(authorizer.authorize(bearer(tampered), onlyStarter));
    assert.deepEqual([bad.status, bad.reason], [401, "TokenSignatureInvalid"]);

    // Signed with a key of our own, under the identity service's kid and under one it never published.
    const { privateKey } = await generateKeyPair("RS256");
    const kid = decodeProtectedHeader(token).kid as string;
    for (const forgedKid of [kid, "forged-kid"]) {
      const forged = await new SignJWT(decodeJwt(token))
        .setProtectedHeader({ alg: "RS256", kid: forgedKid })
        .sign(privateKey);
      const refused = await refusal(authorizer.authorize(bearer(forged), onlyStarter));
      assert.equal(refused.status, 401);
      assert.equal(refused.reason, forgedKid === kid ? "TokenSignatureInvalid" : "TokenSignatureKeyNotFound");
    }
    const unsigned = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${token.split(".")[1]}.`;
    const none = await refusal(authorizer.authorize(bearer(unsigned), onlyStarter));
    assert.deepEqual([none.status, none.reason], [401, "TokenSignatureInvalid"]);
  });

  test("a token for another resource is foreign (the key rules decide where keys are taken): 401 TokenAudienceNotAllowed", async () => {
    const response = await gh.postForm(gh.tokenUrl(), {
      grant_type: "client_credentials",
      client_id: EXAMPLE.clientAppId,
      client_secret: EXAMPLE.secret,
      scope: EXAMPLE.scope,
    });
    const token = (response.body as { access_token: string }).access_token;
    const decision = await authorizer.authorize(bearer(token), onlyStarter);
    assert.equal(decision.outcome, "foreign", JSON.stringify(decision));
    const { refusal: refused } = decision as Extract<AppTokenDecision, { outcome: "foreign" }>;
    assert.deepEqual([refused.status, refused.reason], [401, "TokenAudienceNotAllowed"]);
  });

  test("expired (past exp and the skew): 401 TokenExpired; within the skew it still passes", async () => {
    const token = await tokenFor(billing, `${starter.audience}/.default`);
    const exp = decodeJwt(token).exp as number;
    const expired = await refusal(authorizer.authorize(bearer(token), onlyStarter, exp + 61));
    assert.deepEqual([expired.status, expired.reason], [401, "TokenExpired"]);
    assert.equal((await decided(authorizer.authorize(bearer(token), onlyStarter, exp + 30))).outcome, "accepted");
    const strict = new AppTokenAuthorizer(tables, { keySources, authority: gh.identityUrl, clockSkewSeconds: 0 });
    assert.equal((await refusal(strict.authorize(bearer(token), onlyStarter, exp + 1))).reason, "TokenExpired");
  });

  test("an issuer other than the product tenant's: 401 TokenIssuerNotAllowed", async () => {
    // Gatehouse signs every tenant with the same keys (as Entra's common keys): only the issuer tells them apart.
    const elsewhere = new AppTokenAuthorizer(
      { ...tables, products: tables.products.map((p) => ({ ...p, tenantId: gh.management.tenantId })) },
      { keySources, authority: gh.identityUrl },
    );
    const token = await tokenFor(billing, `${starter.audience}/.default`);
    const refused = await refusal(elsewhere.authorize(bearer(token), onlyStarter));
    assert.deepEqual([refused.status, refused.reason], [401, "TokenIssuerNotAllowed"]);
  });

  test("a valid token without the product role: 403 ProductRoleNotFound", async () => {
    const token = await tokenFor(roleless, `${starter.audience}/.default`);
    assert.equal(decodeJwt(token).roles, undefined);
    const refused = await refusal(authorizer.authorize(bearer(token), onlyStarter));
    assert.deepEqual([refused.status, refused.reason], [403, "ProductRoleNotFound"]);
  });

  test("an application the gateway does not know, or not linked to the product: 403 ClientApplicationNotAllowed", async () => {
    const token = await tokenFor(stranger, `${starter.audience}/.default`);
    assert.deepEqual(decodeJwt(token).roles, [starter.roleValue], "the directory granted it");
    const unknown = await refusal(authorizer.authorize(bearer(token), onlyStarter));
    assert.deepEqual([unknown.status, unknown.reason], [403, "ClientApplicationNotAllowed"]);

    const unlinked = new AppTokenAuthorizer(
      {
        ...tables,
        clientApplications: tables.clientApplications.map((c) => ({ ...c, productNames: ["unlimited"] })),
      },
      { keySources, authority: gh.identityUrl },
    );
    const billingToken = await tokenFor(billing, `${starter.audience}/.default`);
    const refused = await refusal(unlinked.authorize(bearer(billingToken), onlyStarter));
    assert.deepEqual([refused.status, refused.reason], [403, "ClientApplicationNotAllowed"]);
    assert.equal(unlinked.accepts("starter"), true);
    assert.equal(unlinked.accepts("other"), false);
  });

  test("refusal answers: APIM's envelope texts, a Bearer challenge, the detail kept for LastError only", () => {
    const realm = "https://localhost:8080/echo";
    const missing = missingTokenFailure(realm);
    assert.equal(missing.status, 401);
    assert.equal(missing.statusText, "Access Denied");
    assert.equal(missing.clientMessage, APP_TOKEN_MESSAGES.missing);
    assert.deepEqual(missing.headers, { "WWW-Authenticate": `Bearer realm="${realm}"` });

    const invalid = appTokenFailure({ status: 401, reason: "TokenExpired", detail: "IDX10223: …" }, realm);
    assert.equal(invalid.status, 401);
    assert.equal(invalid.clientMessage, APP_TOKEN_MESSAGES.invalid);
    assert.equal(invalid.reason, "TokenExpired");
    assert.equal(invalid.message, "IDX10223: …");
    assert.equal(invalid.source, "authorization");
    assert.deepEqual(invalid.headers, { "WWW-Authenticate": `Bearer realm="${realm}", error="invalid_token"` });

    const forbidden = appTokenFailure({ status: 403, reason: "ProductRoleNotFound", detail: "no role" }, realm);
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.statusText, undefined);
    assert.equal(forbidden.clientMessage, APP_TOKEN_MESSAGES.forbidden);
    assert.deepEqual(forbidden.headers, { "WWW-Authenticate": `Bearer realm="${realm}", error="insufficient_scope"` });
  });
});
