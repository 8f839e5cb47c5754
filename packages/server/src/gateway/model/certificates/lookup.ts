/**
 * Finding the certificate a backend or a policy names, by name or thumbprint, in one configuration version; the
 * messages name what is missing and serve as load errors and validation errors alike.
 */
import type { BackendCredentials } from "../backends/types.js";
import type { CertificateWithMaterial, ClientCertificate } from "./types.js";

/** A certificate that is missing, or cannot serve as a client certificate. */
export class CertificateReferenceError extends Error {
  override name = "CertificateReferenceError";
}

/** Thumbprints are compared without case, spaces or colons. */
export const normalThumbprint = (thumbprint: string): string => thumbprint.replace(/[\s:]/g, "").toUpperCase();

/** The certificate entities of one configuration version, by name and by thumbprint. */
export class CertificateIndex {
  private readonly byName: ReadonlyMap<string, CertificateWithMaterial>;
  private readonly byThumbprint: ReadonlyMap<string, CertificateWithMaterial>;

  constructor(certificates: readonly CertificateWithMaterial[]) {
    this.byName = new Map(certificates.map((c) => [c.name, c]));
    // The same certificate may be uploaded twice, once without its key: a thumbprint then names the one with it.
    const withKeyLast = [...certificates].sort(
      (a, b) => Number(a.material.privateKeyPem !== null) - Number(b.material.privateKeyPem !== null),
    );
    this.byThumbprint = new Map(withKeyLast.map((c) => [c.thumbprint, c]));
  }

  named(name: string): CertificateWithMaterial {
    const certificate = this.byName.get(name);
    if (!certificate) throw new CertificateReferenceError(`Certificate '${name}' does not exist`);
    return certificate;
  }

  withThumbprint(thumbprint: string): CertificateWithMaterial {
    const certificate = this.byThumbprint.get(normalThumbprint(thumbprint));
    if (!certificate) throw new CertificateReferenceError(`No certificate entity has the thumbprint '${thumbprint}'`);
    return certificate;
  }
}

/** The certificate as a TLS client certificate: it needs its private key. */
export function clientCertificateOf(certificate: CertificateWithMaterial): ClientCertificate {
  const { privateKeyPem, certificatePem } = certificate.material;
  if (privateKeyPem === null) {
    throw new CertificateReferenceError(
      `Certificate '${certificate.name}' has no private key, so it cannot be presented as a client certificate`,
    );
  }
  return Object.freeze({ thumbprint: certificate.thumbprint, certificatePem, privateKeyPem });
}

/**
 * What a backend entity's credentials present: every certificate they name must exist; the first (of certificateIds,
 * then of the thumbprints) is presented, as a TLS client presents only one.
 */
export function backendClientCertificate(
  credentials: BackendCredentials | null,
  certificates: CertificateIndex,
): ClientCertificate | null {
  const named = (credentials?.certificateIds ?? []).map((name) => certificates.named(name));
  const byThumbprint = (credentials?.certificate ?? []).map((t) => certificates.withThumbprint(t));
  const [first] = [...named, ...byThumbprint];
  return first ? clientCertificateOf(first) : null;
}
