import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { createSelfSignedCertificate } from "../../src/crypto/certificates.js";
import { EXAMPLE, EXAMPLE_CONFIG, startTestGatehouse, type TestGatehouse } from "../helpers/gatehouse.js";
import { runClient } from "../helpers/run-client.js";

interface ClientResult {
  ok: boolean;
  accessToken?: string;
  errorCode?: string;
  errorNo?: string;
  message?: string;
  secondFromCache?: boolean;
  sameToken?: boolean;
  tokenType?: string;
}

/** Real client libraries, unmodified, in their own processes trusting the local CA via NODE_EXTRA_CA_CERTS. */
describe("real clients get tokens over HTTPS", () => {
  let gh: TestGatehouse;
  let certificatePath: string;
  let certificate: { thumbprintSha256: string; privateKey: string };
  let certClientId: string;
  const host = () => new URL(gh.identityUrl).host;
  const verifyV2 = (token: string | undefined, azp: string) =>
    gh
      .verify(token as string, {
        issuer: `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0`,
        audience: EXAMPLE.resourceAppId,
      })
      .then(({ payload }) => {
        assert.equal(payload.azp, azp);
        return payload;
      });

  before(async () => {
    gh = await startTestGatehouse({ config: EXAMPLE_CONFIG });
    const cert = await createSelfSignedCertificate("cert-client", 30);
    const app = await gh.registry.createApplication(EXAMPLE.tenantId, { displayName: "CertClient" });
    await gh.registry.addKey(app.id, { key: cert.certificatePem });
    const sp = await gh.registry.createServicePrincipal(EXAMPLE.tenantId, app.appId);
    const resourceSp = await gh.registry.read((repos) =>
      repos.servicePrincipals.findByAppId(EXAMPLE.tenantId, EXAMPLE.resourceAppId),
    );
    const resource = await gh.registry.read((repos) => repos.applications.getByAppId(EXAMPLE.resourceAppId));
    const role = resource?.appRoles[0];
    assert.ok(resourceSp && role, "the example configuration registers ResourceApp with a role");
    await gh.registry.grantAppRole({ principalId: sp.id, resourceId: resourceSp.id, appRoleId: role.id });
    certClientId = app.appId;
    const dir = await mkdtemp(join(tmpdir(), "gatehouse-cert-"));
    certificatePath = join(dir, "client.pem");
    await writeFile(certificatePath, `${cert.privateKeyPem}\n${cert.certificatePem}`);
    certificate = {
      thumbprintSha256: createHash("sha256").update(cert.certificate.der).digest("hex"),
      privateKey: cert.privateKeyPem,
    };
  });
  after(() => gh.stop());

  it("@azure/msal-node with knownAuthorities (secret), cached on the second call", async () => {
    const result = await runClient<ClientResult>(
      "msal",
      {
        authority: `${gh.identityUrl}/${EXAMPLE.tenantId}`,
        clientId: EXAMPLE.clientAppId,
        clientSecret: EXAMPLE.secret,
        scopes: [EXAMPLE.scope],
        knownAuthorities: [host()],
        twice: true,
      },
      gh.caPath,
    );
    assert.equal(result.ok, true, result.message);
    assert.equal(result.secondFromCache, true);
    assert.equal(result.sameToken, true);
    const payload = await verifyV2(result.accessToken, EXAMPLE.clientAppId);
    assert.deepEqual(payload.roles, ["APIAccess"]);
  });

  it("@azure/msal-node with a domain authority and a certificate (PS256 + x5t#S256)", async () => {
    const result = await runClient<ClientResult>(
      "msal",
      {
        authority: `${gh.identityUrl}/${EXAMPLE.domain}`,
        clientId: certClientId,
        certificate,
        scopes: [EXAMPLE.scope],
        knownAuthorities: [host()],
      },
      gh.caPath,
    );
    assert.equal(result.ok, true, result.message);
    const payload = await verifyV2(result.accessToken, certClientId);
    assert.equal(payload.azpacr, "2");
  });

  it("@azure/msal-node surfaces Entra's error code for a wrong secret", async () => {
    const result = await runClient<ClientResult>(
      "msal",
      {
        authority: `${gh.identityUrl}/${EXAMPLE.tenantId}`,
        clientId: EXAMPLE.clientAppId,
        clientSecret: "definitely-not-the-secret",
        scopes: [EXAMPLE.scope],
        knownAuthorities: [host()],
      },
      gh.caPath,
    );
    assert.equal(result.ok, false);
    assert.equal(result.errorCode, "invalid_client");
    assert.equal(String(result.errorNo), "7000215");
  });

  it("@azure/identity ClientSecretCredential (authorityHost, disableInstanceDiscovery)", async () => {
    const result = await runClient<ClientResult>(
      "azure-identity",
      {
        kind: "secret",
        tenantId: EXAMPLE.tenantId,
        clientId: EXAMPLE.clientAppId,
        clientSecret: EXAMPLE.secret,
        authorityHost: gh.identityUrl,
        scope: EXAMPLE.scope,
      },
      gh.caPath,
    );
    assert.equal(result.ok, true, result.message);
    await verifyV2(result.accessToken, EXAMPLE.clientAppId);
  });

  it("@azure/identity ClientCertificateCredential", async () => {
    const result = await runClient<ClientResult>(
      "azure-identity",
      {
        kind: "certificate",
        tenantId: EXAMPLE.tenantId,
        clientId: certClientId,
        certificatePath,
        authorityHost: gh.identityUrl,
        scope: EXAMPLE.scope,
      },
      gh.caPath,
    );
    assert.equal(result.ok, true, result.message);
    const payload = await verifyV2(result.accessToken, certClientId);
    assert.equal(payload.azpacr, "2");
  });

  for (const method of ["basic", "post"] as const) {
    it(`openid-client discovery + client_secret_${method}`, async () => {
      const result = await runClient<ClientResult>(
        "openid-client",
        {
          issuer: `${gh.identityUrl}/${EXAMPLE.tenantId}/v2.0`,
          clientId: EXAMPLE.clientAppId,
          clientSecret: EXAMPLE.secret,
          method,
          scope: EXAMPLE.scope,
        },
        gh.caPath,
      );
      assert.equal(result.ok, true, result.message);
      assert.equal(result.tokenType, "bearer");
      await verifyV2(result.accessToken, EXAMPLE.clientAppId);
    });
  }
});
