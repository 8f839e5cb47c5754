import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import { CertificateError, derToPem, parseCertificate } from "../../../crypto/certificates.js";
import { MAX_PKCS12_BYTES, Pkcs12FormatError, Pkcs12PasswordError, readPkcs12 } from "../../../crypto/pkcs12.js";
import { checkName, invalid } from "../checks.js";
import { GatewayValidationError } from "../errors.js";
import type { Certificate, CertificateInput, CertificateWithMaterial } from "./types.js";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const PEM_BEGIN = "-----BEGIN ";

/** The wrong password, in the words of the Windows certificate loader API Management answers with. */
export const WRONG_PASSWORD = "The specified network password is not correct.";

/** A certificate file's content as `data`: PEM text as it is, a PFX file in base64. */
export function certificateDataOf(file: Buffer): string {
  const text = file.toString("latin1");
  return text.includes(PEM_BEGIN) ? text : file.toString("base64");
}

/** The certificate entity from its input: the file read, its key matched to its certificate. */
export function certificateFrom(name: string, input: CertificateInput): CertificateWithMaterial {
  checkName("Certificate", name);
  if (typeof input.data !== "string" || input.data.trim() === "") throw invalid("data", "is required.");
  if (input.password !== undefined && typeof input.password !== "string") {
    throw invalid("password", "must be a string.");
  }
  const password = input.password ?? "";
  const { certificates, privateKey } = input.data.trimStart().startsWith(PEM_BEGIN)
    ? readPem(input.data, password)
    : readPfx(input.data, password);
  return withLeafFirst(name, certificates, privateKey);
}

function readPfx(data: string, password: string): { certificates: Buffer[]; privateKey: KeyObject | undefined } {
  const compact = data.replace(/\s+/g, "");
  if (!BASE64.test(compact) || compact.length % 4 !== 0) {
    throw invalid("data", "must be a base64-encoded PFX (PKCS#12) file, or PEM text.");
  }
  if ((compact.length / 4) * 3 > MAX_PKCS12_BYTES + 2) throw invalid("data", "must be at most 256 KiB.");
  try {
    return readPkcs12(Buffer.from(compact, "base64"), password);
  } catch (error) {
    if (error instanceof Pkcs12PasswordError) {
      throw new GatewayValidationError(WRONG_PASSWORD, [{ target: "password", message: WRONG_PASSWORD }]);
    }
    if (error instanceof Pkcs12FormatError)
      throw invalid("data", `is not a PFX (PKCS#12) file Gatehouse can read: ${error.message}.`);
    throw error;
  }
}

/** PEM blocks found by position, not by a backtracking pattern: linear in the text. */
function pemBlocks(text: string): { label: string; pem: string }[] {
  const blocks: { label: string; pem: string }[] = [];
  let at = text.indexOf(PEM_BEGIN);
  while (at !== -1) {
    const labelEnd = text.indexOf("-----", at + PEM_BEGIN.length);
    if (labelEnd === -1) break;
    const label = text.slice(at + PEM_BEGIN.length, labelEnd);
    const endMarker = `-----END ${label}-----`;
    const end = text.indexOf(endMarker, labelEnd);
    if (end === -1) throw invalid("data", `has a PEM block '${label}' without its END line.`);
    blocks.push({ label, pem: text.slice(at, end + endMarker.length) });
    at = text.indexOf(PEM_BEGIN, end + endMarker.length);
  }
  return blocks;
}

function readPem(text: string, password: string): { certificates: Buffer[]; privateKey: KeyObject | undefined } {
  if (text.length > MAX_PKCS12_BYTES) throw invalid("data", "must be at most 256 KiB.");
  const blocks = pemBlocks(text);
  const certificates = blocks.filter((b) => b.label === "CERTIFICATE").map((b) => pemCertificate(b.pem));
  const keys = blocks.filter((b) => b.label.endsWith("PRIVATE KEY"));
  if (keys.length > 1) throw invalid("data", "must hold at most one private key.");
  const [key] = keys;
  if (!key) return { certificates, privateKey: undefined };
  try {
    return { certificates, privateKey: createPrivate(key.pem, password) };
  } catch (error) {
    if (/BAD_DECRYPT|bad decrypt/i.test(String((error as { code?: unknown }).code ?? (error as Error).message))) {
      throw new GatewayValidationError(WRONG_PASSWORD, [{ target: "password", message: WRONG_PASSWORD }]);
    }
    throw invalid("data", "holds a private key that cannot be read (or needs a password).");
  }
}

/** Node asks for the passphrase only when the key is encrypted. */
const createPrivate = (pem: string, password: string): KeyObject =>
  createPrivateKey({ key: pem, format: "pem", ...(password !== "" ? { passphrase: password } : {}) });

function pemCertificate(pem: string): Buffer {
  try {
    return parseCertificate(pem).der;
  } catch (error) {
    if (error instanceof CertificateError)
      throw invalid("data", `holds a certificate that cannot be read: ${error.message}.`);
    throw error;
  }
}

/** The certificate the key belongs to comes first; without a key, the file's first certificate is the entity's. */
function withLeafFirst(
  name: string,
  certificates: Buffer[],
  privateKey: KeyObject | undefined,
): CertificateWithMaterial {
  if (certificates.length === 0) throw invalid("data", "holds no X.509 certificate.");
  let leafIndex = 0;
  if (privateKey) {
    const spki = createPublicKey(privateKey).export({ type: "spki", format: "der" });
    leafIndex = certificates.findIndex((der) =>
      new X509Certificate(der).publicKey.export({ type: "spki", format: "der" }).equals(spki),
    );
    if (leafIndex === -1) throw invalid("data", "holds a private key that belongs to none of its certificates.");
  }
  const ordered = [certificates[leafIndex] as Buffer, ...certificates.filter((_, i) => i !== leafIndex)];
  const leaf = parseCertificate(ordered[0] as Buffer);
  const certificate: Certificate = {
    name,
    subject: leaf.subject,
    thumbprint: leaf.thumbprints.sha1Hex,
    expirationDate: leaf.notAfter.toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
  return {
    ...certificate,
    material: {
      certificatePem: ordered.map((der) => derToPem(der)).join(""),
      privateKeyPem: privateKey ? (privateKey.export({ type: "pkcs8", format: "pem" }) as string) : null,
    },
  };
}
