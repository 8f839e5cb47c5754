import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { ClientCredentials, ConfigurationError, type ClientCredentialsOptions } from "../src/index.js";
import { createSelfSignedCertificate, type KeyAndCertificate } from "../../server/src/crypto/certificates.js";

const SECRET = "secret-Value_0123456789~abc";
const base: ClientCredentialsOptions = {
  authority: "https://login.microsoftonline.com/7d3c5e0a-1b2c-4d5e-8f90-0a1b2c3d4e5f",
  clientId: "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d",
  clientSecret: SECRET,
  scope: "api://5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f/.default",
};

/** The constructor's ConfigurationError for these options, checked to name the problem and never the secret. */
function refused(options: Partial<ClientCredentialsOptions>, message: RegExp) {
  assert.throws(
    () => new ClientCredentials({ ...base, ...options }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigurationError, String(error));
      assert.match(error.message, message);
      assert.ok(!error.message.includes(SECRET));
      return true;
    },
  );
}

describe("ClientCredentials options", () => {
  let cert: KeyAndCertificate;
  let other: KeyAndCertificate;
  before(async () => {
    [cert, other] = await Promise.all([
      createSelfSignedCertificate("options-a", 1),
      createSelfSignedCertificate("options-b", 1),
    ]);
  });

  it("the authority is an https tenant URL, or http on loopback", () => {
    refused({ authority: "not a url" }, /authority is not a URL/);
    refused({ authority: "http://login.example/contoso" }, /must use https/);
    refused({ authority: "http://10.0.0.1:8443/contoso" }, /must use https/);
    refused({ authority: "https://login.microsoftonline.com" }, /must name the tenant/);
    refused({ authority: "https://login.microsoftonline.com/common" }, /'common' cannot be used/);
    refused({ authority: "https://login.microsoftonline.com/Organizations/" }, /cannot be used/);
    refused({ authority: "https://login.microsoftonline.com/t?x=1" }, /query/);
    for (const authority of ["http://localhost:8443/t", "http://127.0.0.1:1/t", "http://[::1]:8443/t/"]) {
      assert.ok(new ClientCredentials({ ...base, authority }), authority);
    }
  });

  it("exactly one credential, and Basic only for a secret", () => {
    refused({ clientSecret: undefined }, /exactly one of clientSecret, certificate and clientAssertion/);
    refused({ clientAssertion: () => "a" }, /exactly one/);
    refused({ clientSecret: "  " }, /clientSecret is empty/);
    refused(
      { clientSecret: undefined, clientAssertion: () => "a", clientAuthentication: "basic" },
      /applies to clientSecret only/,
    );
    refused({ clientAuthentication: "header" as "basic" }, /"post" or "basic"/);
    refused({ clientId: "" }, /clientId is required/);
  });

  it("a certificate must parse, be RSA and match its key", () => {
    const certificate = (privateKey: string, pem = cert.certificatePem) => ({
      clientSecret: undefined,
      certificate: { privateKey, certificate: pem },
    });
    refused(
      certificate(cert.privateKeyPem, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"),
      /not a PEM X.509/,
    );
    refused(certificate("not a key"), /not an unencrypted PEM private key/);
    refused(certificate(other.privateKeyPem), /not the key of certificate/);
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" });
    refused(certificate(ec.toString()), /must be an RSA key/);
    const pkcs1 = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs1",
      format: "pem",
    });
    refused(certificate(pkcs1.toString()), /not the key of certificate/);
    assert.ok(new ClientCredentials({ ...base, ...certificate(cert.privateKeyPem) }));
  });

  it("exactly one of scope and resource; scopes are normalised into the cache key", () => {
    refused({ resource: "https://graph.microsoft.com" }, /exactly one of scope .* and resource/);
    refused({ scope: undefined }, /exactly one of scope/);
    refused({ scope: [" ", ""] }, /scope is empty/);
    const spaced = new ClientCredentials({ ...base, scope: "  a/.default   b  " });
    const listed = new ClientCredentials({ ...base, scope: ["a/.default", "b"] });
    assert.equal(spaced.cacheKey, listed.cacheKey);
    const asResource = new ClientCredentials({ ...base, scope: undefined, resource: "a/.default b" });
    assert.notEqual(asResource.cacheKey, spaced.cacheKey, "a v1 resource is its own key");
  });

  it("numbers and the subscription key header are checked", () => {
    refused({ retry: { attempts: 0 } }, /retry.attempts must be an integer of at least 1/);
    refused({ retry: { attempts: 1.5 } }, /retry.attempts/);
    refused({ retry: { maxDelayMs: -1 } }, /retry.maxDelayMs/);
    refused({ skewSeconds: Number.NaN }, /skewSeconds/);
    refused({ timeoutMs: 0 }, /timeoutMs/);
    refused({ subscriptionKey: "k", subscriptionKeyHeader: "bad header" }, /not a header name/);
    refused({ subscriptionKeyHeader: "X-Key" }, /needs subscriptionKey/);
    refused({ fetch: "fetch" as unknown as typeof fetch }, /fetch is not a function/);
  });
});
