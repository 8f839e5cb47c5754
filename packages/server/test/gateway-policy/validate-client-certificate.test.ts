import assert from "node:assert/strict";
import type { X509Certificate } from "node:crypto";
import { before, describe, it } from "node:test";
import { executePipeline } from "../../src/gateway/pipeline/executor.js";
import type { PipelineContext } from "../../src/gateway/pipeline/context.js";
import { CertificateTrust } from "../../src/tls/certificate-trust.js";
import { createTestCa, selfSigned, type Issued, type TestCa } from "../gateway-tracing/test-ca.js";
import { CertificateIndex } from "../../src/gateway/model/certificates/lookup.js";
import { certificateFrom } from "../../src/gateway/model/certificates/validation.js";
import type { DocumentEnvironment } from "../../src/gateway/policy/document.js";
import { harness, loadError, pipelineOf, policies } from "./helpers.js";

const DAY = 24 * 60 * 60 * 1000;

describe("validate-client-certificate", () => {
  let ca: TestCa;
  let trust: CertificateTrust;
  let client: Issued;
  let other: Issued;
  let expired: Issued;
  let notYet: Issued;
  let untrusted: Issued;

  before(async () => {
    ca = await createTestCa();
    trust = CertificateTrust.only([ca.cert]);
    client = await ca.issue({
      subject: 'C=US, ST=Illinois, O="Contoso, Inc.", CN=client1.contoso.com',
      dnsNames: ["client1.contoso.com", "api.contoso.com"],
    });
    other = await ca.issue({ subject: "CN=client2, O=Fabrikam" });
    expired = await ca.issue({ subject: "CN=old", notBefore: -3 * DAY, notAfter: -DAY });
    notYet = await ca.issue({ subject: "CN=early", notBefore: DAY, notAfter: 2 * DAY });
    untrusted = await selfSigned("CN=client1.contoso.com");
  });

  /** Runs an API-scope inbound with the certificate the client presented (or none). */
  async function run(
    inbound: string,
    certificate: X509Certificate | undefined,
    traced = false,
    overrides: Partial<DocumentEnvironment> = {},
  ) {
    const h = harness();
    const messages: string[] = [];
    const context: PipelineContext = {
      ...h.context,
      request: Object.assign(h.context.request, { certificate }),
      services: { ...h.context.services, certificateTrust: trust },
      trace: traced
        ? {
            step: () => undefined,
            input: () => undefined,
            swapInputs: () => [],
            message: (_source, _severity, text) => void messages.push(text),
          }
        : undefined,
    };
    await executePipeline(
      pipelineOf({ api: policies({ inbound, backend: "<forward-request/>" }) }, overrides),
      context,
    );
    return { context, forwarded: h.forwarded.length, messages };
  }

  const policy = (attributes = "", identities = "") =>
    `<validate-client-certificate ${attributes}>${identities ? `<identities>${identities}</identities>` : ""}</validate-client-certificate>`;

  it("passes a certificate the trusted CA issued, currently valid, matching an identity", async () => {
    const { context, forwarded } = await run(policy("", `<identity thumbprint="${client.thumbprint}"/>`), client.x509);
    assert.equal(context.lastError, undefined);
    assert.equal(forwarded, 1);
  });

  it("refuses a request without a certificate with 401", async () => {
    const { context, forwarded } = await run(policy(), undefined);
    assert.equal(forwarded, 0);
    assert.equal(context.response?.statusCode, 401);
    assert.equal(context.response?.body, '{ "statusCode": 401, "message": "Client certificate not present." }');
    assert.equal(context.lastError?.source, "validate-client-certificate");
    assert.equal(context.lastError?.reason, "ClientCertificateNotPresent");
  });

  it("refuses a certificate that matches none of the identities, saying why only in LastError", async () => {
    const { context } = await run(
      policy("", `<identity thumbprint="${other.thumbprint}"/><identity common-name="someone-else"/>`),
      client.x509,
    );
    assert.equal(context.response?.statusCode, 401);
    assert.equal(context.response?.body, '{ "statusCode": 401, "message": "Invalid client certificate." }');
    assert.equal(context.lastError?.reason, "ClientCertificateIdentityNotAllowed");
    assert.match(context.lastError?.message ?? "", new RegExp(client.thumbprint));
  });

  it("checks validity dates unless told not to", async () => {
    assert.equal((await run(policy(), expired.x509)).context.lastError?.reason, "ClientCertificateExpired");
    assert.equal((await run(policy(), notYet.x509)).context.lastError?.reason, "ClientCertificateNotYetValid");
    const lenient = 'validate-not-before="false" validate-not-after="false"';
    assert.equal((await run(policy(lenient), expired.x509)).context.lastError, undefined);
    assert.equal((await run(policy(lenient), notYet.x509)).context.lastError, undefined);
  });

  it("refuses a certificate no trusted authority issued, unless validate-trust is false", async () => {
    const refused = await run(policy(), untrusted.x509);
    assert.equal(refused.context.lastError?.reason, "ClientCertificateNotTrusted");
    assert.match(
      refused.context.lastError?.message ?? "",
      /No trusted certificate authority issued 'CN=client1\.contoso\.com'/,
    );
    const identity = `<identity thumbprint="${untrusted.thumbprint}"/>`;
    assert.equal((await run(policy('validate-trust="false"', identity), untrusted.x509)).context.lastError, undefined);
  });

  it("matches every attribute of an identity: subject in any order and case, issuer, serial, DNS name", async () => {
    const serial = client.x509.serialNumber;
    const identity =
      `<identity subject='cn=client1.contoso.com, O="Contoso, Inc.", S=Illinois, C=US' ` +
      `issuer-subject="O=Gatehouse Tests, CN=Gatehouse Test Root CA" issuer-thumbprint="${ca.thumbprint}" ` +
      `serial-number="00:${serial.match(/../g)?.join(":")}" dns-name="API.contoso.com" common-name="client1.contoso.com"/>`;
    assert.equal((await run(policy("", identity), client.x509)).context.lastError, undefined);
    for (const wrong of [
      `subject="CN=client1.contoso.com, O=Contoso"`,
      `issuer-thumbprint="${other.thumbprint}"`,
      `dns-name="www.contoso.com"`,
      `serial-number="01"`,
    ]) {
      const { context } = await run(policy("", `<identity ${wrong}/>`), client.x509);
      assert.equal(context.lastError?.reason, "ClientCertificateIdentityNotAllowed", wrong);
    }
  });

  it("goes on with ignore-error, leaving the reason to the trace", async () => {
    const { context, forwarded, messages } = await run(policy('ignore-error="true"'), untrusted.x509, true);
    assert.equal(context.lastError, undefined);
    assert.equal(forwarded, 1);
    assert.ok(messages.some((m) => m.startsWith("Ignored (ignore-error): ")));
    assert.ok(messages.some((m) => /validate-revocation was not checked/.test(m)));
  });

  it("matches issuer-certificate-id: the certificate entity must have signed the client's certificate", async () => {
    const certificates = new CertificateIndex([
      certificateFrom("issuing-ca", { data: ca.cert }),
      certificateFrom("other-ca", { data: (await createTestCa("CN=Other CA")).cert }),
    ]);
    const issuedBy = (id: string) => policy('validate-trust="false"', `<identity issuer-certificate-id="${id}"/>`);
    const passed = await run(issuedBy("issuing-ca"), client.x509, false, { certificates });
    assert.equal(passed.context.lastError, undefined);
    assert.equal(passed.forwarded, 1);
    const refused = await run(issuedBy("other-ca"), client.x509, false, { certificates });
    assert.equal(refused.context.lastError?.reason, "ClientCertificateIdentityNotAllowed");
    const selfIssued = await run(issuedBy("issuing-ca"), untrusted.x509, false, { certificates });
    assert.equal(selfIssued.forwarded, 0);
  });

  it("refuses at load what it cannot check or what is malformed", () => {
    const doc = (inner: string) => policies({ inbound: inner });
    assert.match(
      loadError(doc(policy("", '<identity issuer-certificate-id="ca1"/>'))),
      /^Certificate 'ca1' does not exist/,
    );
    assert.match(
      loadError(doc(policy("", '<identity issuer-certificate-id="ca1" issuer-thumbprint="AB"/>'))),
      /^Attribute 'issuer-certificate-id' cannot be combined with 'issuer-subject' or 'issuer-thumbprint'/,
    );
    assert.match(loadError(doc(policy("", "<identity/>"))), /^An 'identity' needs at least one attribute/);
    assert.match(
      loadError(doc(policy("", '<identity thumbprint="xyz"/>'))),
      /^Attribute 'thumbprint' must be hexadecimal/,
    );
    assert.match(loadError(doc(policy("", `<identity subject='CN="open'/>`))), /has an unclosed quote/);
    assert.match(
      loadError(doc(policy('validate-trust="maybe"'))),
      /^Attribute 'validate-trust' must be 'true' or 'false'/,
    );
    assert.match(
      loadError(policies({ outbound: policy() })),
      /^Policy 'validate-client-certificate' is not allowed in section 'outbound'/,
    );
  });
});
