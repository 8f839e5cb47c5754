import assert from "node:assert/strict";
import { createPrivateKey, createSign, createVerify, X509Certificate } from "node:crypto";
import { describe, test } from "node:test";
import {
  CertificateError,
  createSelfSignedCertificate,
  parseCertificate,
  thumbprints,
} from "../../src/crypto/certificates.js";

/** "AB:CD:…" as printed by X509Certificate.fingerprint* → base64url. */
function fingerprintToBase64url(fp: string): string {
  return Buffer.from(fp.replaceAll(":", ""), "hex").toString("base64url");
}

describe("createSelfSignedCertificate", () => {
  // Guards the Node 20 hazard where sync RSA generation + JWK export hung the main thread.
  test("five certificates in a row complete", { timeout: 60_000 }, async () => {
    for (let i = 0; i < 5; i++) {
      const result = await createSelfSignedCertificate(`gatehouse-test-${i}`, 30);
      assert.match(result.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
      assert.match(result.certificatePem, /^-----BEGIN CERTIFICATE-----/);
    }
  });

  test("produces a self-signed RSA-2048 SHA-256 certificate with the requested subject and validity", async () => {
    const before = Date.now();
    const { privateKeyPem, certificatePem, certificate } = await createSelfSignedCertificate("my-app", 10);
    const node = new X509Certificate(certificatePem);
    assert.equal(node.subject, "CN=my-app");
    assert.equal(node.issuer, "CN=my-app");
    assert.ok(node.verify(node.publicKey));
    assert.equal(node.publicKey.asymmetricKeyType, "rsa");
    assert.equal(node.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(certificate.subject, "CN=my-app");
    const backdate = before - certificate.notBefore.getTime();
    assert.ok(backdate >= 4 * 60_000 && backdate <= 6 * 60_000, `backdate ${backdate}ms`);
    const lifetime = certificate.notAfter.getTime() - before;
    assert.ok(Math.abs(lifetime - 10 * 86_400_000) < 60_000, `lifetime ${lifetime}ms`);
    // The private key belongs to the certificate.
    const sig = createSign("sha256").update("x").sign(createPrivateKey(privateKeyPem));
    assert.ok(createVerify("sha256").update("x").verify(certificate.publicKey, sig));
  });

  test("rejects empty subject and non-positive days", async () => {
    await assert.rejects(createSelfSignedCertificate(" ", 10), CertificateError);
    await assert.rejects(createSelfSignedCertificate("x", 0), CertificateError);
  });
});

describe("thumbprints", () => {
  test("match X509Certificate fingerprints", async () => {
    const { certificate } = await createSelfSignedCertificate("thumbs", 1);
    const node = new X509Certificate(certificate.der);
    const t = thumbprints(certificate.der);
    assert.equal(t.sha1, fingerprintToBase64url(node.fingerprint));
    assert.equal(t.sha256, fingerprintToBase64url(node.fingerprint256));
    assert.equal(t.sha1Hex, node.fingerprint.replaceAll(":", ""));
    assert.match(t.sha1Hex, /^[0-9A-F]{40}$/);
    assert.deepEqual(certificate.thumbprints, t);
  });
});

describe("parseCertificate", () => {
  test("accepts PEM, base64 DER (string and with line breaks) and raw DER", async () => {
    const { certificatePem, certificate } = await createSelfSignedCertificate("parse-me", 5);
    const b64 = certificate.der.toString("base64");
    const inputs: (string | Buffer)[] = [
      certificatePem,
      `some preamble\n${certificatePem}trailing text`,
      b64,
      b64.replace(/.{1,76}/g, "$&\r\n"),
      certificate.der,
      Buffer.from(certificatePem),
    ];
    for (const input of inputs) {
      const parsed = parseCertificate(input);
      assert.deepEqual(parsed.der, certificate.der);
      assert.equal(parsed.pem, certificatePem);
      assert.equal(parsed.subject, "CN=parse-me");
      assert.deepEqual(parsed.thumbprints, certificate.thumbprints);
      assert.equal(parsed.notAfter.getTime(), certificate.notAfter.getTime());
      assert.equal(parsed.publicKey.type, "public");
    }
  });

  test("rejects garbage with CertificateError", async () => {
    const { certificate, privateKeyPem } = await createSelfSignedCertificate("garbage", 5);
    const garbage: (string | Buffer)[] = [
      "",
      "not a certificate",
      "aGVsbG8gd29ybGQ=",
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
      privateKeyPem,
      Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]),
      Buffer.concat([certificate.der, Buffer.from([0, 0])]),
      certificate.der.subarray(0, 100),
      "A".repeat(100_000),
    ];
    for (const input of garbage) {
      assert.throws(() => parseCertificate(input), CertificateError, String(input).slice(0, 40));
    }
  });
});
