import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createPrivateKey, randomUUID } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, SignJWT } from "jose";
import {
  ClientCredentials,
  DiscoveryError,
  MemoryTokenStore,
  TokenRequestError,
  type ClientCredentialsOptions,
} from "../src/index.js";
import { createSelfSignedCertificate, type KeyAndCertificate } from "../../server/src/crypto/certificates.js";
import {
  EXAMPLE,
  EXAMPLE_CONFIG,
  startTestGatehouse,
  type TestGatehouse,
} from "../../server/test/helpers/gatehouse.js";
import { DISCOVERY_PATH, TOKEN_PATH, formOf, recordingFetch, trustingFetch } from "./helpers/fetch.js";
import { startLocalServer } from "./helpers/local-server.js";

const CERT_CLIENT_ID = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The example configuration plus a client that authenticates with a certificate, registered as keyCredentials. */
const configWithCertificateClient = (cert: KeyAndCertificate) => `${EXAMPLE_CONFIG}        - displayName: CertClient
          appId: ${CERT_CLIENT_ID}
          keyCredentials: [{ displayName: test, key: "${cert.certificate.der.toString("base64")}" }]
          requiredResourceAccess:
            - resourceAppId: ${EXAMPLE.resourceAppId}
              resourceAccess: [{ type: Role, value: APIAccess }]
          grantAdminConsent: true
`;

describe("ClientCredentials against Gatehouse", () => {
  let gh: TestGatehouse;
  let cert: KeyAndCertificate;
  let trusted: Awaited<ReturnType<typeof trustingFetch>>;

  before(async () => {
    cert = await createSelfSignedCertificate("client-package-test", 30);
    gh = await startTestGatehouse({ config: configWithCertificateClient(cert) });
    trusted = await trustingFetch(gh.caPath as string);
  });
  after(async () => {
    await trusted.close();
    await gh.stop();
  });

  const authority = () => `${gh.identityUrl}/${EXAMPLE.tenantId}`;
  const tokenEndpoint = () => `${gh.identityUrl}/${EXAMPLE.tenantId}/oauth2/v2.0/token`;
  /** A client of the example app with a recording fetch; options override the secret-in-body defaults. */
  const client = (options: Partial<ClientCredentialsOptions> = {}) => {
    const recorder = recordingFetch(trusted.fetch);
    const cc = new ClientCredentials({
      authority: authority(),
      clientId: EXAMPLE.clientAppId,
      clientSecret: EXAMPLE.secret,
      scope: EXAMPLE.scope,
      fetch: recorder.fetch,
      ...options,
    });
    return { cc, ...recorder };
  };
  const verifyV2 = (token: string) =>
    gh.verify(token, { issuer: `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0`, audience: EXAMPLE.resourceAppId });

  it("a secret in the body gets a verifiable token; the next call is served from the cache", async () => {
    const { cc, to } = client();
    const before = Date.now();
    const first = await cc.getToken();
    const second = await cc.getToken();
    assert.equal(second.accessToken, first.accessToken);
    assert.equal(to(DISCOVERY_PATH).length, 1);
    assert.equal(to(TOKEN_PATH).length, 1);
    const [request] = to(TOKEN_PATH);
    assert.equal(request?.url, tokenEndpoint(), "the v2 token endpoint from discovery");
    assert.equal(formOf(request).get("client_secret"), EXAMPLE.secret);
    assert.equal(formOf(request).get("scope"), EXAMPLE.scope);

    const { payload } = await verifyV2(first.accessToken);
    assert.equal(payload.azp, EXAMPLE.clientAppId);
    assert.equal(payload.azpacr, "1");
    assert.equal(first.tokenType, "Bearer");
    assert.equal(first.scope, EXAMPLE.scope);
    assert.equal(first.response.expires_in, 3599);
    // Lifetimes count from when the request was sent.
    const lifetime = first.expiresOn.getTime() - before;
    assert.ok(lifetime >= 3599_000 && lifetime < 3659_000, `expires in ${lifetime} ms`);
    assert.equal(first.expiresOn.getTime() - first.refreshOn.getTime(), 1799_500, "refreshes at half-life");
  });

  it("a secret with HTTP Basic authentication keeps the secret out of the body", async () => {
    const { cc, to } = client({ clientAuthentication: "basic" });
    const { accessToken } = await cc.getToken();
    await verifyV2(accessToken);
    const [request] = to(TOKEN_PATH);
    assert.equal(formOf(request).get("client_secret"), null);
    const basic = request?.headers.get("authorization") ?? "";
    assert.match(basic, /^Basic /);
    assert.equal(
      Buffer.from(basic.slice(6), "base64").toString(),
      `${EXAMPLE.clientAppId}:${encodeURIComponent(EXAMPLE.secret)}`,
      "id and secret are form-encoded inside Basic (RFC 6749 §2.3.1)",
    );
  });

  it("a certificate sends a PS256 assertion with x5t#S256 and x5t, for the discovered token endpoint", async () => {
    const { cc, to } = client({
      clientId: CERT_CLIENT_ID,
      clientSecret: undefined,
      certificate: { privateKey: cert.privateKeyPem, certificate: cert.certificatePem },
    });
    const { accessToken } = await cc.getToken();
    const { payload } = await verifyV2(accessToken);
    assert.equal(payload.azp, CERT_CLIENT_ID);
    assert.equal(payload.azpacr, "2", "authenticated with a certificate");
    assert.deepEqual(payload.roles, ["APIAccess"]);

    const form = formOf(to(TOKEN_PATH)[0]);
    assert.equal(form.get("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    const assertion = form.get("client_assertion") ?? "";
    const header = decodeProtectedHeader(assertion);
    assert.equal(header.alg, "PS256");
    assert.equal(header["x5t#S256"], cert.certificate.thumbprints.sha256);
    assert.equal(header.x5t, cert.certificate.thumbprints.sha1);
    const claims = decodeJwt(assertion);
    assert.equal(claims.aud, tokenEndpoint());
    assert.equal(claims.iss, CERT_CLIENT_ID);
    assert.equal(claims.sub, CERT_CLIENT_ID);
    assert.match(String(claims.jti), GUID);
    assert.equal((claims.exp ?? 0) - (claims.nbf ?? 0), 600);
  });

  it("a caller's assertion function is asked for each request, with the token endpoint", async () => {
    const contexts: { clientId: string; tokenEndpoint: string }[] = [];
    const key = createPrivateKey(cert.privateKeyPem);
    const { cc } = client({
      clientId: CERT_CLIENT_ID,
      clientSecret: undefined,
      // A key held elsewhere signs the assertion: here RS256 with the SHA-1 thumbprint, the older form.
      clientAssertion: async (context) => {
        contexts.push(context);
        return new SignJWT({})
          .setProtectedHeader({ alg: "RS256", typ: "JWT", x5t: cert.certificate.thumbprints.sha1 })
          .setIssuer(context.clientId)
          .setSubject(context.clientId)
          .setAudience(context.tokenEndpoint)
          .setJti(randomUUID())
          .setIssuedAt()
          .setExpirationTime("5m")
          .sign(key);
      },
    });
    const first = await cc.getToken();
    const second = await cc.getToken({ forceRefresh: true });
    assert.notEqual(second.accessToken, first.accessToken);
    const { payload } = await verifyV2(second.accessToken);
    assert.equal(payload.azp, CERT_CLIENT_ID);
    assert.deepEqual(contexts, [
      { clientId: CERT_CLIENT_ID, tokenEndpoint: tokenEndpoint() },
      { clientId: CERT_CLIENT_ID, tokenEndpoint: tokenEndpoint() },
    ]);
  });

  it("a domain authority and a resource use the v1 documents and endpoint", async () => {
    const { cc, to } = client({
      authority: `${gh.identityUrl}/${EXAMPLE.domain}`,
      scope: undefined,
      resource: `api://${EXAMPLE.resourceAppId}`,
    });
    const token = await cc.getToken();
    assert.equal(
      new URL(to(DISCOVERY_PATH)[0]?.url ?? "").pathname,
      `/${EXAMPLE.domain}/.well-known/openid-configuration`,
    );
    assert.equal(to(TOKEN_PATH)[0]?.url, `${gh.identityUrl}/${EXAMPLE.tenantId}/oauth2/token`);
    assert.equal(formOf(to(TOKEN_PATH)[0]).get("resource"), `api://${EXAMPLE.resourceAppId}`);
    assert.equal(typeof token.response.expires_on, "string", "v1 answers carry strings");
    assert.equal(token.scope, `api://${EXAMPLE.resourceAppId}`);
    assert.ok(token.expiresOn.getTime() > Date.now() + 3000_000);
    await verifyV2(token.accessToken);
  });

  it("tokens are cached per (authority, client, scope) in a shared store", async () => {
    const tokenStore = new MemoryTokenStore();
    const a = client({ tokenStore });
    const sameKey = client({ tokenStore, authority: `${authority().toUpperCase().replace("HTTPS", "https")}/` });
    const otherScope = client({ tokenStore, scope: `${EXAMPLE.resourceAppId}/.default` });
    const otherClient = client({
      tokenStore,
      clientId: CERT_CLIENT_ID,
      clientSecret: undefined,
      certificate: { privateKey: cert.privateKeyPem, certificate: cert.certificatePem },
    });

    const tokenA = await a.cc.getToken();
    assert.equal(sameKey.cc.cacheKey, a.cc.cacheKey);
    assert.equal((await sameKey.cc.getToken()).accessToken, tokenA.accessToken);
    assert.equal(sameKey.sent.length, 0, "served from the store without a request");

    const tokenB = await otherScope.cc.getToken();
    const tokenC = await otherClient.cc.getToken();
    assert.equal(new Set([a.cc.cacheKey, otherScope.cc.cacheKey, otherClient.cc.cacheKey]).size, 3);
    assert.equal(new Set([tokenA.accessToken, tokenB.accessToken, tokenC.accessToken]).size, 3);
    assert.equal(otherScope.to(TOKEN_PATH).length, 1);
    assert.equal(otherClient.to(TOKEN_PATH).length, 1);
    assert.equal(tokenStore.get(otherScope.cc.cacheKey)?.accessToken, tokenB.accessToken);
    assert.equal(tokenStore.get(a.cc.cacheKey)?.accessToken, tokenA.accessToken);
  });

  it("100 concurrent calls cause one token request", async () => {
    const { cc, to } = client();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => cc.getToken()));
    assert.equal(new Set(tokens.map((t) => t.accessToken)).size, 1);
    assert.equal(to(DISCOVERY_PATH).length, 1);
    assert.equal(to(TOKEN_PATH).length, 1);
  });

  it("a wrong secret fails with Entra's typed error fields, without the secret, and is not cached", async () => {
    const secret = "wrong-Secret-value~1234567890";
    const { cc, to } = client({ clientSecret: secret });
    const error = await cc.getToken().catch((e: unknown) => e);
    assert.ok(error instanceof TokenRequestError, String(error));
    assert.equal(error.status, 401);
    assert.equal(error.error, "invalid_client");
    assert.deepEqual(error.errorCodes, [7000215]);
    assert.equal(error.aadsts, "AADSTS7000215");
    assert.match(error.message, /^AADSTS7000215: Invalid client secret provided/);
    assert.equal(error.errorDescription, error.message);
    assert.doesNotMatch(error.message, /[\r\n]/);
    assert.equal(error.correlationId, to(TOKEN_PATH)[0]?.headers.get("client-request-id"), "echoed client-request-id");
    assert.match(error.correlationId ?? "", GUID);
    assert.match(error.traceId ?? "", GUID);
    assert.match(error.timestamp ?? "", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    assert.equal(error.url, tokenEndpoint());
    assert.ok(!JSON.stringify({ ...error, message: error.message, stack: error.stack }).includes(secret));

    await assert.rejects(cc.getToken(), TokenRequestError);
    assert.equal(to(TOKEN_PATH).length, 2, "a 4xx is not retried, and the failure is not cached");
  });

  it("an unknown tenant is a DiscoveryError with AADSTS90002", async () => {
    const { cc, to } = client({ authority: `${gh.identityUrl}/no-such-tenant.example` });
    const error = await cc.getToken().catch((e: unknown) => e);
    assert.ok(error instanceof DiscoveryError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.aadsts, "AADSTS90002");
    assert.match(
      error.message,
      /^cannot discover the token endpoint from .*: AADSTS90002: Tenant 'no-such-tenant.example'/,
    );
    assert.equal(to(DISCOVERY_PATH).length, 1, "a 400 is not retried");
  });

  describe("fetch", () => {
    it("adds the bearer token and subscription key, and retries once on a 401 with a new token", async () => {
      const api = await startLocalServer((_request, index) =>
        index === 0 ? { status: 401 } : { status: 200, body: { ok: true } },
      );
      try {
        const { cc, to } = client({ subscriptionKey: "sub-key-1", subscriptionKeyHeader: "X-Sub-Key" });
        const response = await cc.fetch(`${api.url}/records`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-caller": "kept" },
          body: JSON.stringify({ n: 1 }),
        });
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { ok: true });
        assert.equal(api.received.length, 2);
        const [refused, accepted] = api.received;
        const bearer = (i: number) => /^Bearer (.+)$/.exec(String(api.received[i]?.headers.authorization))?.[1];
        assert.ok(bearer(0) && bearer(1) && bearer(0) !== bearer(1), "the retry carries a new token");
        await verifyV2(bearer(1) as string);
        assert.equal(to(TOKEN_PATH).length, 2);
        for (const request of [refused, accepted]) {
          assert.equal(request?.headers["x-sub-key"], "sub-key-1");
          assert.equal(request?.headers["x-caller"], "kept");
          assert.equal(request?.body, '{"n":1}');
        }
        assert.equal((await cc.getToken()).accessToken, bearer(1), "the new token replaced the refused one");
      } finally {
        await api.close();
      }
    });

    it("retries a 401 only once, and never a request whose body is a stream", async () => {
      const api = await startLocalServer(() => ({ status: 401 }));
      try {
        const { cc } = client();
        const response = await cc.fetch(new URL(`${api.url}/records`));
        assert.equal(response.status, 401);
        assert.equal(api.received.length, 2);
        assert.equal(api.received[0]?.headers["ocp-apim-subscription-key"], undefined, "no key configured");

        const stream = new Blob(["streamed"]).stream();
        const streamed = await cc.fetch(`${api.url}/upload`, {
          method: "PUT",
          body: stream,
          duplex: "half",
        } as RequestInit);
        assert.equal(streamed.status, 401);
        assert.equal(api.received.length, 3);
      } finally {
        await api.close();
      }
    });
  });
});

describe("ClientCredentials refresh ahead, against Gatehouse with 10 s tokens", () => {
  let gh: TestGatehouse;
  let trusted: Awaited<ReturnType<typeof trustingFetch>>;
  before(async () => {
    gh = await startTestGatehouse({ config: EXAMPLE_CONFIG, overrides: { tokenLifetimeSeconds: 10 } });
    trusted = await trustingFetch(gh.caPath as string);
  });
  after(async () => {
    await trusted.close();
    await gh.stop();
  });

  it("after half the lifetime the cached token is returned at once and a new one follows in the background", async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let reachedRefresh: () => void = () => undefined;
    const refreshSent = new Promise<void>((resolve) => (reachedRefresh = resolve));
    // The second token request (the refresh) is held until the test has seen callers served without it.
    const { fetch, to } = recordingFetch(trusted.fetch, (request) => {
      if (!TOKEN_PATH.test(new URL(request.url).pathname) || to(TOKEN_PATH).length !== 2) return undefined;
      reachedRefresh();
      return released;
    });
    const refreshErrors: unknown[] = [];
    const cc = new ClientCredentials({
      authority: `${gh.identityUrl}/${EXAMPLE.tenantId}`,
      clientId: EXAMPLE.clientAppId,
      clientSecret: EXAMPLE.secret,
      scope: EXAMPLE.scope,
      fetch,
      skewSeconds: 1,
      onRefreshError: (error) => refreshErrors.push(error),
    });
    const first = await cc.getToken();
    assert.ok(first.expiresOn.getTime() - first.refreshOn.getTime() >= 4900, "refresh at half of 10 s");
    await new Promise((resolve) => setTimeout(resolve, first.refreshOn.getTime() - Date.now() + 50));

    const stale = await cc.getToken();
    assert.equal(stale.accessToken, first.accessToken, "the caller gets the cached token at once");
    await refreshSent;
    const meanwhile = await Promise.all(Array.from({ length: 10 }, () => cc.getToken()));
    assert.ok(meanwhile.every((t) => t.accessToken === first.accessToken));
    assert.equal(to(TOKEN_PATH).length, 2, "one refresh, shared by every call past the refresh time");

    release();
    let renewed = stale;
    for (let i = 0; i < 100 && renewed.accessToken === first.accessToken; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      renewed = await cc.getToken();
    }
    assert.notEqual(renewed.accessToken, first.accessToken);
    assert.ok(renewed.expiresOn > first.expiresOn);
    await gh.verify(renewed.accessToken, {
      issuer: `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0`,
      audience: EXAMPLE.resourceAppId,
    });
    assert.equal(to(TOKEN_PATH).length, 2);
    assert.deepEqual(refreshErrors, []);
  });
});
