/**
 * `validate-client-certificate` (reference apim.md §2.23): the TLS client certificate must pass every rule of the
 * element and match every attribute of at least one `identity`. Revocation is not checked: Gatehouse fetches no CRL or
 * OCSP response, so `validate-revocation` is accepted (it defaults to true in APIM, refusing it would refuse most
 * documents) and a traced request says it was skipped.
 */
import { X509Certificate } from "node:crypto";
import { CertificateReferenceError, type CertificateIndex } from "../../model/certificates/lookup.js";
import { oneLine, type CertificateTrust } from "../../../tls/certificate-trust.js";
import {
  commonNameOf,
  DistinguishedNameError,
  parseCertificateName,
  parsePolicyName,
  sameName,
  sameValue,
  type NameAttribute,
} from "../../../tls/distinguished-name.js";
import { PolicyFailure, type PolicyDefinition, type PolicyElement } from "../definition.js";

const POLICY = "validate-client-certificate";
const MAX_IDENTITIES = 10;
const NOT_PRESENT = "Client certificate not present.";
const INVALID = "Invalid client certificate.";

/** What one `identity` requires; each present attribute must match. */
interface Identity {
  thumbprint?: string;
  serialNumber?: string;
  commonName?: string;
  subject?: NameAttribute[];
  dnsName?: string;
  issuerSubject?: NameAttribute[];
  issuerThumbprint?: string;
  /** issuer-certificate-id: the certificate entity that must have issued (signed) the client's certificate. */
  issuerCertificate?: X509Certificate;
}

interface Rules {
  trust: boolean;
  notBefore: boolean;
  notAfter: boolean;
  revocation: boolean;
  identities: Identity[];
}

class CertificateRefusal {
  constructor(
    readonly reason: string,
    readonly detail: string,
    readonly clientMessage = INVALID,
  ) {}
}

export const validateClientCertificate: PolicyDefinition = {
  name: POLICY,
  sections: ["inbound"],
  compile(element, environment) {
    const rules: Rules = {
      revocation: element.booleanAttribute("validate-revocation", true),
      trust: element.booleanAttribute("validate-trust", true),
      notBefore: element.booleanAttribute("validate-not-before", true),
      notAfter: element.booleanAttribute("validate-not-after", true),
      identities: readIdentities(element, environment.certificates),
    };
    const ignoreError = element.booleanAttribute("ignore-error", false);
    return {
      policy: POLICY,
      id: element.id,
      run(context) {
        // Read once: the data plane asks the TLS socket each time.
        const { certificate } = context.request;
        const refusal = check(certificate, rules, context.services.certificateTrust, Date.now());
        if (rules.revocation && context.trace && certificate) {
          context.trace.message(POLICY, "information", "validate-revocation was not checked: no CRL or OCSP fetching");
        }
        if (refusal === undefined) return;
        if (ignoreError) {
          // APIM's ignore-error goes on to the next policy; only a trace keeps the reason.
          context.trace?.message(POLICY, "information", `Ignored (ignore-error): ${refusal.detail}`);
          return;
        }
        throw new PolicyFailure(401, refusal.clientMessage, POLICY, refusal.reason, refusal.detail);
      },
    };
  },
};

function readIdentities(element: PolicyElement, certificates: CertificateIndex): Identity[] {
  const lists = element.children("identities");
  const [list, extra] = lists;
  if (extra) throw extra.error("'identities' may appear only once");
  const identities = list?.children("identity") ?? [];
  if (identities.length > MAX_IDENTITIES) {
    throw (identities[MAX_IDENTITIES] as PolicyElement).error(`At most ${MAX_IDENTITIES} identities are allowed`);
  }
  return identities.map((identity) => readIdentity(identity, certificates));
}

function readIdentity(element: PolicyElement, certificates: CertificateIndex): Identity {
  const hex = (name: string) => {
    const value = element.attribute(name);
    if (value === undefined) return undefined;
    const digits = value.replace(/[\s:]/g, "").toUpperCase();
    if (!/^[0-9A-F]+$/.test(digits)) throw element.error(`Attribute '${name}' must be hexadecimal`, name);
    return digits;
  };
  const name = (attribute: string) => {
    const value = element.attribute(attribute);
    if (value === undefined) return undefined;
    try {
      return parsePolicyName(value);
    } catch (error) {
      if (error instanceof DistinguishedNameError) throw element.error(error.message, attribute);
      throw error;
    }
  };
  const identity: Identity = {
    thumbprint: hex("thumbprint"),
    // The serial number as node prints it: without leading zeros.
    serialNumber: hex("serial-number")?.replace(/^0+(?=.)/, ""),
    commonName: element.attribute("common-name"),
    subject: name("subject"),
    dnsName: element.attribute("dns-name"),
    issuerSubject: name("issuer-subject"),
    issuerThumbprint: hex("issuer-thumbprint"),
    issuerCertificate: issuerCertificate(element, certificates),
  };
  if (Object.values(identity).every((value) => value === undefined)) {
    throw element.error("An 'identity' needs at least one attribute to match");
  }
  return identity;
}

function check(
  certificate: X509Certificate | undefined,
  rules: Rules,
  trust: CertificateTrust,
  now: number,
): CertificateRefusal | undefined {
  if (!certificate) {
    return new CertificateRefusal("ClientCertificateNotPresent", "The client presented no certificate", NOT_PRESENT);
  }
  const subject = oneLine(certificate.subject);
  const validFrom = Date.parse(certificate.validFrom);
  const validTo = Date.parse(certificate.validTo);
  if (rules.notBefore && !(validFrom <= now)) {
    return new CertificateRefusal(
      "ClientCertificateNotYetValid",
      `The certificate '${subject}' is not valid before ${certificate.validFrom}`,
    );
  }
  if (rules.notAfter && !(now <= validTo)) {
    return new CertificateRefusal(
      "ClientCertificateExpired",
      `The certificate '${subject}' expired at ${certificate.validTo}`,
    );
  }
  const chain = trust.chain(certificate);
  if (rules.trust && chain.problem !== undefined) {
    return new CertificateRefusal("ClientCertificateNotTrusted", `The certificate '${subject}': ${chain.problem}`);
  }
  if (rules.identities.length > 0 && !rules.identities.some((i) => matches(i, certificate, chain.issuer))) {
    return new CertificateRefusal(
      "ClientCertificateIdentityNotAllowed",
      `The certificate '${subject}' (thumbprint ${thumbprintOf(certificate)}) matches none of the identities`,
    );
  }
  return undefined;
}

/** The certificate entity issuer-certificate-id names; exclusive with the other issuer attributes, as in APIM. */
function issuerCertificate(element: PolicyElement, certificates: CertificateIndex): X509Certificate | undefined {
  const id = element.attribute("issuer-certificate-id");
  if (id === undefined) return undefined;
  if (element.attribute("issuer-subject") !== undefined || element.attribute("issuer-thumbprint") !== undefined) {
    throw element.error(
      "Attribute 'issuer-certificate-id' cannot be combined with 'issuer-subject' or 'issuer-thumbprint'",
      "issuer-certificate-id",
    );
  }
  try {
    return new X509Certificate(certificates.named(id).material.certificatePem);
  } catch (error) {
    if (error instanceof CertificateReferenceError) throw element.error(error.message, "issuer-certificate-id");
    throw error;
  }
}

function matches(identity: Identity, certificate: X509Certificate, issuer: X509Certificate | undefined): boolean {
  const { thumbprint, serialNumber, commonName, subject, dnsName, issuerSubject, issuerThumbprint } = identity;
  if (thumbprint !== undefined && thumbprint !== thumbprintOf(certificate)) return false;
  if (serialNumber !== undefined && serialNumber !== certificate.serialNumber.toUpperCase()) return false;
  if (commonName !== undefined) {
    const actual = commonNameOf(certificate.subject);
    if (actual === undefined || !sameValue(commonName, actual)) return false;
  }
  if (subject !== undefined && !sameName(subject, parseCertificateName(certificate.subject))) return false;
  if (dnsName !== undefined && !dnsNamesOf(certificate).some((name) => sameValue(name, dnsName))) return false;
  if (issuerSubject !== undefined && !sameName(issuerSubject, parseCertificateName(certificate.issuer))) return false;
  if (issuerThumbprint !== undefined && (!issuer || thumbprintOf(issuer) !== issuerThumbprint)) return false;
  const { issuerCertificate } = identity;
  if (
    issuerCertificate &&
    !(certificate.checkIssued(issuerCertificate) && certificate.verify(issuerCertificate.publicKey))
  ) {
    return false;
  }
  return true;
}

/** SHA-1, as APIM's thumbprints are. */
const thumbprintOf = (certificate: X509Certificate): string => certificate.fingerprint.replaceAll(":", "");

/** `DNS:` entries of the subject alternative name (node quotes an entry holding a comma). */
function dnsNamesOf(certificate: X509Certificate): string[] {
  const names = certificate.subjectAltName;
  if (!names) return [];
  const entries = names.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? [];
  return entries
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith("DNS:"))
    .map((entry) => {
      const value = entry.slice(4);
      return value.startsWith('"') ? (JSON.parse(value) as string) : value;
    });
}
