/** A certificate entity, with API Management's names (reference apim.md §6.2): what the ARM resource shows. */
export interface Certificate {
  name: string;
  /** The certificate's subject, e.g. `CN=orders-client, O=Contoso`. */
  subject: string;
  /** SHA-1 of the DER, upper-case hex, as API Management shows it. */
  thumbprint: string;
  /** notAfter, ISO 8601 in whole seconds. */
  expirationDate: string;
}

/** What the gateway presents and verifies with; stored sealed, never shown, logged or exported. */
export interface CertificateMaterial {
  /** PEM: the certificate first, then the rest of the chain the file held. */
  certificatePem: string;
  /** Unencrypted PKCS#8 PEM; null when the file held only certificates (validation, not client authentication). */
  privateKeyPem: string | null;
}

export type CertificateWithMaterial = Certificate & { material: CertificateMaterial };

export interface CertificateInput {
  /**
   * Base64 of a PFX (PKCS#12) file, as API Management takes it; or, a Gatehouse extension, PEM text with the
   * certificate (and its chain) and optionally its private key (`ENCRYPTED PRIVATE KEY` opened with `password`).
   */
  data: string;
  password?: string;
}

/** What the gateway presents as its TLS client certificate to a backend: made once per configuration version. */
export interface ClientCertificate {
  /** Tells apart the connection pools of different certificates. */
  readonly thumbprint: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}
