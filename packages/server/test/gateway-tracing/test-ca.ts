/** Certificate authorities and client certificates made on the spot, for validate-client-certificate's tests. */
import { X509Certificate, type webcrypto } from "node:crypto";
import { generateRsaKeyPair, randomSerialNumber, x509 } from "../../src/crypto/certificates.js";

const RSA_SIGN = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
const DAY = 24 * 60 * 60 * 1000;

export interface Issued {
  /** PEM of the certificate. */
  cert: string;
  /** PKCS#8 PEM of its private key. */
  key: string;
  x509: X509Certificate;
  /** SHA-1 thumbprint, upper-case hex, as APIM writes it. */
  thumbprint: string;
}

export interface TestCa extends Issued {
  issue(options: IssueOptions): Promise<TestCa>;
}

export interface IssueOptions {
  /** A distinguished name, e.g. `CN=client1, O=Contoso`. */
  subject: string;
  dnsNames?: string[];
  /** Milliseconds from now; defaults to a day ago and a day ahead. */
  notBefore?: number;
  notAfter?: number;
  /** Issue a CA (an intermediate). */
  ca?: boolean;
}

type Signer = { subject: string; privateKey: webcrypto.CryptoKey };

async function issue(signer: Signer | undefined, options: IssueOptions): Promise<TestCa> {
  const keys = await generateRsaKeyPair();
  const now = Date.now();
  const extensions: InstanceType<typeof x509.Extension>[] = [
    new x509.BasicConstraintsExtension(options.ca ?? false, undefined, true),
  ];
  if (options.dnsNames) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(options.dnsNames.map((value) => ({ type: "dns", value }))),
    );
  }
  const common = {
    serialNumber: randomSerialNumber(),
    notBefore: new Date(now + (options.notBefore ?? -DAY)),
    notAfter: new Date(now + (options.notAfter ?? DAY)),
    signingAlgorithm: RSA_SIGN,
    extensions,
  };
  const generated = signer
    ? await x509.X509CertificateGenerator.create({
        ...common,
        subject: options.subject,
        issuer: signer.subject,
        publicKey: keys.webKeys.publicKey,
        signingKey: signer.privateKey,
      })
    : await x509.X509CertificateGenerator.createSelfSigned({ ...common, name: options.subject, keys: keys.webKeys });
  const cert = generated.toString("pem");
  const parsed = new X509Certificate(cert);
  const self: Signer = { subject: generated.subject, privateKey: keys.webKeys.privateKey };
  return {
    cert,
    key: keys.privateKeyPem,
    x509: parsed,
    thumbprint: parsed.fingerprint.replaceAll(":", ""),
    issue: (next) => issue(self, next),
  };
}

/** A self-signed root CA. */
export function createTestCa(subject = "CN=Gatehouse Test Root CA, O=Gatehouse Tests"): Promise<TestCa> {
  return issue(undefined, { subject, ca: true, notAfter: 30 * DAY });
}

/** A self-signed certificate that is no CA: trusted by nobody. */
export function selfSigned(subject: string): Promise<Issued> {
  return issue(undefined, { subject });
}
