import type * as X509 from "@peculiar/x509";
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  randomBytes,
  webcrypto,
  X509Certificate,
} from "node:crypto";
import type { KeyObject } from "node:crypto";
import { promisify } from "node:util";

// @peculiar/x509 loads tsyringe, which needs the Reflect metadata API at import time: load it first.
await import("reflect-metadata");
export const x509: typeof X509 = await import("@peculiar/x509");
x509.cryptoProvider.set(webcrypto);

export class CertificateError extends Error {
  override name = "CertificateError";
}

export interface Thumbprints {
  /** base64url SHA-1 of the DER: JWK x5t and the Entra kid. */
  sha1: string;
  /** base64url SHA-256 of the DER: JWK x5t#S256. */
  sha256: string;
  /** Upper-case hex SHA-1: Graph keyCredential customKeyIdentifier. */
  sha1Hex: string;
}

export interface ParsedCertificate {
  der: Buffer;
  pem: string;
  publicKey: KeyObject;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  thumbprints: Thumbprints;
}

export interface KeyAndCertificate {
  /** Unencrypted PKCS#8 PEM. */
  privateKeyPem: string;
  certificatePem: string;
  certificate: ParsedCertificate;
}

export interface RsaKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  /** The same key imported into WebCrypto (RSASSA-PKCS1-v1_5 / SHA-256) for @peculiar/x509. */
  webKeys: webcrypto.CryptoKeyPair;
}

const RSA_SIGN = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
// Certificates are a few KiB; refusing large input bounds parser work on API-supplied keyCredentials.
const MAX_INPUT_BYTES = 64 * 1024;
const BACKDATE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const PEM_CERT = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*?)-----END CERTIFICATE-----/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

const generateKeyPairAsync = promisify(generateKeyPair);

export function thumbprints(der: Buffer): Thumbprints {
  const sha1 = createHash("sha1").update(der).digest();
  return {
    sha1: sha1.toString("base64url"),
    sha256: createHash("sha256").update(der).digest("base64url"),
    sha1Hex: sha1.toString("hex").toUpperCase(),
  };
}

export function derToPem(der: Buffer, label = "CERTIFICATE"): string {
  const body = der.toString("base64").replace(/.{1,64}/g, "$&\n");
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

function inputToDer(input: string | Buffer): Buffer {
  if (Buffer.isBuffer(input)) {
    if (input.length > MAX_INPUT_BYTES) throw new CertificateError("certificate input is too large");
    // 0x30 = ASN.1 SEQUENCE: raw DER; anything else is treated as PEM or base64 text.
    if (input[0] === 0x30) return input;
    return inputToDer(input.toString("utf8"));
  }
  if (input.length > MAX_INPUT_BYTES) throw new CertificateError("certificate input is too large");
  if (input.includes("-----BEGIN")) {
    const match = PEM_CERT.exec(input);
    if (!match) throw new CertificateError("PEM input does not contain a CERTIFICATE block");
    return Buffer.from((match[1] ?? "").replace(/\s+/g, ""), "base64");
  }
  const compact = input.replace(/\s+/g, "");
  if (!BASE64.test(compact)) throw new CertificateError("certificate must be PEM or base64-encoded DER");
  return Buffer.from(compact, "base64");
}

/** Accepts a PEM certificate or base64 DER (Graph keyCredential.key form). */
export function parseCertificate(input: string | Buffer): ParsedCertificate {
  const der = inputToDer(input);
  let nodeCert: X509Certificate;
  let peculiar: X509.X509Certificate;
  try {
    nodeCert = new X509Certificate(der);
    peculiar = new x509.X509Certificate(der);
  } catch {
    throw new CertificateError("input is not a valid X.509 certificate");
  }
  // OpenSSL stops at the end of the first structure; trailing bytes would make thumbprints ambiguous.
  if (nodeCert.raw.length !== der.length) throw new CertificateError("certificate has trailing data");
  let publicKey: KeyObject;
  try {
    publicKey = nodeCert.publicKey;
  } catch {
    throw new CertificateError("certificate public key is not supported");
  }
  const canonical = Buffer.from(nodeCert.raw);
  return {
    der: canonical,
    pem: derToPem(canonical),
    publicKey,
    subject: peculiar.subject,
    notBefore: peculiar.notBefore,
    notAfter: peculiar.notAfter,
    thumbprints: thumbprints(canonical),
  };
}

/** Imports a Node private key (and its public half) into WebCrypto for signing with @peculiar/x509. */
export async function webCryptoKeyPair(privateKey: KeyObject): Promise<webcrypto.CryptoKeyPair> {
  const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" });
  const spki = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  const [priv, pub] = await Promise.all([
    webcrypto.subtle.importKey("pkcs8", pkcs8, RSA_SIGN, false, ["sign"]),
    webcrypto.subtle.importKey("spki", spki, RSA_SIGN, true, ["verify"]),
  ]);
  return { privateKey: priv, publicKey: pub };
}

/**
 * RSA-2048 key pair. Generated with the async generateKeyPair: on Node 20 generateKeyPairSync followed by a JWK
 * export has been seen to hang the main thread, so the sync variant must not be used here.
 */
export async function generateRsaKeyPair(): Promise<RsaKeyPair> {
  const { privateKey, publicKey } = await generateKeyPairAsync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return {
    privateKeyPem: privateKey,
    publicKeyPem: publicKey,
    webKeys: await webCryptoKeyPair(createPrivateKey(privateKey)),
  };
}

/** Positive, 16-byte serial with a non-zero leading byte so its DER encoding is minimal and fixed-length. */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString("hex");
}

/** Validity window starting 5 minutes in the past (clock skew) and ending `days` from now, whole seconds. */
export function validityWindow(days: number, now = Date.now()): { notBefore: Date; notAfter: Date } {
  if (!Number.isFinite(days) || days <= 0) throw new CertificateError("validity days must be a positive number");
  const floorSeconds = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000);
  return { notBefore: floorSeconds(now - BACKDATE_MS), notAfter: floorSeconds(now + days * DAY_MS) };
}

/** RSA-2048 key + self-signed certificate (SHA-256 with RSA), CN=subject, valid `days` from now (minus 5 minutes backdate). */
export async function createSelfSignedCertificate(subject: string, days: number): Promise<KeyAndCertificate> {
  if (subject.trim() === "") throw new CertificateError("certificate subject must not be empty");
  const window = validityWindow(days);
  const keys = await generateRsaKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    // JSON name form so commas or '=' in the subject are encoded literally rather than parsed as RDNs.
    name: [{ CN: [subject] }],
    ...window,
    keys: keys.webKeys,
    signingAlgorithm: RSA_SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.webKeys.publicKey),
    ],
  });
  const certificate = parseCertificate(Buffer.from(cert.rawData));
  return { privateKeyPem: keys.privateKeyPem, certificatePem: certificate.pem, certificate };
}
