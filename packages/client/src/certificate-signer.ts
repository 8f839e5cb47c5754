import { createHash, createPrivateKey, randomUUID, X509Certificate, type KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import { ConfigurationError } from "./errors.js";

/** A certificate registered on the application (its `keyCredentials`) and its private key, both PEM. */
export interface CertificateCredential {
  /** PEM private key, PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`), unencrypted, RSA. */
  privateKey: string;
  /** PEM X.509 certificate. */
  certificate: string;
}

const ASSERTION_LIFETIME = "10m";

/**
 * Signs `private_key_jwt` client assertions as MSAL and @azure/identity do: PS256, with the SHA-256 thumbprint of
 * the certificate (`x5t#S256`) and, for servers that only know SHA-1 thumbprints, `x5t`.
 */
export class CertificateSigner {
  private readonly key: KeyObject;
  private readonly header: { alg: "PS256"; typ: "JWT"; x5t: string; "x5t#S256": string };

  constructor(credential: CertificateCredential) {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(credential.certificate);
    } catch {
      throw new ConfigurationError("certificate.certificate is not a PEM X.509 certificate");
    }
    try {
      this.key = createPrivateKey(credential.privateKey);
    } catch {
      throw new ConfigurationError("certificate.privateKey is not an unencrypted PEM private key");
    }
    if (this.key.asymmetricKeyType !== "rsa") {
      throw new ConfigurationError("certificate.privateKey must be an RSA key (assertions are signed with PS256)");
    }
    if (!certificate.checkPrivateKey(this.key)) {
      throw new ConfigurationError("certificate.privateKey is not the key of certificate.certificate");
    }
    const thumbprint = (algorithm: string) => createHash(algorithm).update(certificate.raw).digest("base64url");
    this.header = { alg: "PS256", typ: "JWT", x5t: thumbprint("sha1"), "x5t#S256": thumbprint("sha256") };
  }

  /** An assertion for one token request: `aud` is the token endpoint the request goes to. */
  sign(clientId: string, tokenEndpoint: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader(this.header)
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(tokenEndpoint)
      .setJti(randomUUID())
      .setNotBefore("0s")
      .setIssuedAt()
      .setExpirationTime(ASSERTION_LIFETIME)
      .sign(this.key);
  }
}
