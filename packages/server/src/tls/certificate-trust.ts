/**
 * Which certificate authorities a client certificate may chain to (validate-client-certificate's validate-trust):
 * node's root store, NODE_EXTRA_CA_CERTS and the CAs the server is given (the local Gatehouse CA).
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";

/** Longer chains than this are refused rather than walked. */
const MAX_DEPTH = 8;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export interface ChainResult {
  /** Why no chain to a trusted authority was found; undefined when one was. */
  problem: string | undefined;
  /** The certificate that issued the leaf (a presented intermediate or a trusted authority), when known. */
  issuer: X509Certificate | undefined;
}

export class CertificateTrust {
  private anchors: Map<string, X509Certificate[]> | undefined;

  /** PEM text, one or more certificates each; parsed on first use, so an unused trust store costs nothing. */
  private constructor(private readonly pems: readonly string[]) {}

  /** Node's roots, NODE_EXTRA_CA_CERTS (when readable) and `extraCa` (PEM). */
  static withSystemRoots(extraCa: readonly string[]): CertificateTrust {
    const pems = [...rootCertificates, ...extraCa];
    const extraPath = process.env.NODE_EXTRA_CA_CERTS;
    if (extraPath) {
      try {
        pems.push(readFileSync(extraPath, "utf8"));
      } catch {
        // Node itself only warns about an unreadable file; the other authorities still apply.
      }
    }
    return new CertificateTrust(pems);
  }

  /** Only these authorities (tests, tools). */
  static only(pems: readonly string[]): CertificateTrust {
    return new CertificateTrust(pems);
  }

  /**
   * Walks from the leaf through the intermediates the client presented (`issuerCertificate`) to an authority in the
   * store, checking each signature and that every issuer is a CA. Validity dates are the policy's own checks.
   */
  chain(leaf: X509Certificate): ChainResult {
    let current = leaf;
    let issuer: X509Certificate | undefined;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      if (this.isAnchor(current)) return { problem: undefined, issuer: issuer ?? current };
      const anchor = this.anchorIssuing(current);
      if (anchor) return { problem: undefined, issuer: issuer ?? anchor };
      const presented = current.issuerCertificate;
      if (!presented || presented.fingerprint256 === current.fingerprint256 || !issues(presented, current)) {
        return {
          problem: `No trusted certificate authority issued '${oneLine(current.issuer)}'`,
          issuer: issuer ?? (presented && issues(presented, current) ? presented : undefined),
        };
      }
      issuer ??= presented;
      current = presented;
    }
    return { problem: `The certificate chain is longer than ${MAX_DEPTH}`, issuer };
  }

  private isAnchor(certificate: X509Certificate): boolean {
    return (this.index().get(certificate.subject) ?? []).some((a) => a.fingerprint256 === certificate.fingerprint256);
  }

  private anchorIssuing(certificate: X509Certificate): X509Certificate | undefined {
    return (this.index().get(certificate.issuer) ?? []).find((anchor) => issues(anchor, certificate));
  }

  private index(): Map<string, X509Certificate[]> {
    if (this.anchors) return this.anchors;
    const anchors = new Map<string, X509Certificate[]>();
    for (const pem of this.pems) {
      for (const block of pem.match(PEM_BLOCK) ?? []) {
        let certificate: X509Certificate;
        try {
          certificate = new X509Certificate(block);
        } catch {
          continue; // One damaged entry in a CA file must not disable the others.
        }
        const list = anchors.get(certificate.subject) ?? [];
        list.push(certificate);
        anchors.set(certificate.subject, list);
      }
    }
    this.anchors = anchors;
    return anchors;
  }
}

/** `issuer` is a CA whose name and key issued `certificate`. */
function issues(issuer: X509Certificate, certificate: X509Certificate): boolean {
  return issuer.ca && certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
}

/** node prints names one attribute per line. */
export const oneLine = (name: string): string => name.split("\n").join(", ");
