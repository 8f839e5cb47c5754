/** A backend, with API Management's names (reference apim.md §6.2). */

export interface BackendCredentials {
  header?: Record<string, string[]>;
  query?: Record<string, string[]>;
  authorization?: { scheme: string; parameter: string };
  /** Certificate entities presented as the TLS client certificate to the backend (the first usable one). */
  certificateIds?: string[];
  /** The same by thumbprint (API Management's older form). */
  certificate?: string[];
}

export interface Backend {
  name: string;
  url: string;
  protocol: "http" | "soap";
  title: string | null;
  description: string | null;
  credentials: BackendCredentials | null;
  tls: { validateCertificateChain: boolean; validateCertificateName: boolean };
}

export interface BackendInput {
  url: string;
  /** Default "http". */
  protocol?: Backend["protocol"];
  title?: string | null;
  description?: string | null;
  credentials?: BackendCredentials | null;
  /** Both default true. */
  tls?: Partial<Backend["tls"]>;
}
