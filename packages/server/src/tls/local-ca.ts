import { createPrivateKey, createPublicKey, randomBytes, X509Certificate } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { chmod, open, readFile, rename, rm } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import { domainToASCII } from "node:url";
import {
  CertificateError,
  generateRsaKeyPair,
  parseCertificate,
  randomSerialNumber,
  validityWindow,
  webCryptoKeyPair,
  x509,
} from "../crypto/certificates.js";
import type { ParsedCertificate } from "../crypto/certificates.js";
import type { MasterKey } from "../crypto/master-key.js";
import { withFileLock } from "../util/file-lock.js";
import { makePrivateDir, restrict } from "../util/private-files.js";

export interface LocalTls {
  /** Path to hand to clients as NODE_EXTRA_CA_CERTS. */
  caPath: string;
  /** Leaf certificate PEM. */
  cert: string;
  /** Decrypted leaf private key PEM (PKCS#8); kept in memory only. */
  key: string;
  /** CA certificate PEM. */
  ca: string;
}

export class LocalTlsError extends Error {
  override name = "LocalTlsError";
}

const CA_DAYS = 3650;
const LEAF_DAYS = 825;
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;
const DEFAULT_HOSTS = ["localhost", "127.0.0.1", "::1"];
const KEY_LABEL = "tls-private-key";
const RSA_SIGN = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
const LOCK_WAIT_MS = 30_000;
// Key generation takes well under a second; a lock this old was left by a crashed process.
const LOCK_STALE_MS = 60_000;
const DNS_NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

interface Paths {
  dir: string;
  caCert: string;
  caKey: string;
  leafCert: string;
  leafKey: string;
  lock: string;
}

interface Hosts {
  dns: string[];
  ips: string[];
}

interface Ca {
  cert: ParsedCertificate;
  privateKey: KeyObject;
}

interface Leaf {
  cert: ParsedCertificate;
  privateKey: KeyObject;
}

function tlsPaths(dataDir: string): Paths {
  const dir = join(dataDir, "tls");
  return {
    dir,
    caCert: join(dir, "ca.pem"),
    caKey: join(dir, "ca-key.pem"),
    leafCert: join(dir, "server.pem"),
    leafKey: join(dir, "server-key.pem"),
    lock: join(dir, ".lock"),
  };
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

function normalizeHosts(extraHosts: string[]): Hosts {
  const dns = new Set<string>();
  const ips = new Set<string>();
  for (const raw of [...DEFAULT_HOSTS, ...extraHosts]) {
    const host = raw.trim().replace(/^\[(.*)\]$/, "$1");
    if (host === "") continue;
    if (isIP(host) !== 0) {
      // Zone ids ("fe80::1%eth0") cannot be expressed in a SAN.
      if (host.includes("%")) throw new LocalTlsError(`invalid host for TLS certificate: ${raw}`);
      ips.add(host.toLowerCase());
      continue;
    }
    const wildcard = host.startsWith("*.");
    const ascii = domainToASCII((wildcard ? host.slice(2) : host).replace(/\.$/, "")).toLowerCase();
    const name = wildcard ? `*.${ascii}` : ascii;
    if (ascii === "" || name.length > 253 || !DNS_NAME.test(name)) {
      throw new LocalTlsError(`invalid host for TLS certificate: ${raw}`);
    }
    dns.add(name);
  }
  return { dns: [...dns], ips: [...ips] };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
  }
}

/** Write to a temp file then rename, so readers never see a half-written PEM. */
async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const handle = await open(tmp, "wx", mode);
    try {
      await handle.writeFile(data, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    // The create mode is filtered by umask; set it exactly so ca.pem stays world-readable for clients.
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

function encryptKey(privateKeyPem: string, passphrase: string): string {
  return createPrivateKey(privateKeyPem)
    .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase })
    .toString();
}

/** undefined when the file is not an encrypted key; throws LocalTlsError when it cannot be decrypted. */
function decryptKey(pem: string, passphrase: string, path: string): KeyObject | undefined {
  // Plaintext keys are not accepted: createPrivateKey would silently ignore the passphrase.
  if (!pem.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----")) return undefined;
  try {
    return createPrivateKey({ key: pem, format: "pem", passphrase });
  } catch {
    // Any failure counts: about 1 in 256 wrong passphrases pass the CBC padding check and then fail as a
    // decoder error, so matching only "bad decrypt" would let a wrong master key silently replace the CA.
    throw new LocalTlsError(
      `${path} cannot be decrypted with the current master key (or is damaged); restore the previous master key or delete ${path} and its certificate to start over`,
    );
  }
}

function keyMatches(privateKey: KeyObject, cert: ParsedCertificate): boolean {
  const fromKey = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  const fromCert = cert.publicKey.export({ type: "spki", format: "der" });
  return fromKey.equals(fromCert);
}

function tryParse(pem: string | undefined): ParsedCertificate | undefined {
  if (pem === undefined) return undefined;
  try {
    return parseCertificate(pem);
  } catch (err) {
    if (err instanceof CertificateError) return undefined;
    throw err;
  }
}

/** The existing CA, or undefined when it is missing, damaged or near expiry and must be recreated. */
async function loadCa(paths: Paths, passphrase: string): Promise<Ca | undefined> {
  const [certPem, keyPem] = await Promise.all([readOptional(paths.caCert), readOptional(paths.caKey)]);
  const cert = tryParse(certPem);
  if (!cert || keyPem === undefined) return undefined;
  const privateKey = decryptKey(keyPem, passphrase, paths.caKey);
  if (!privateKey || !keyMatches(privateKey, cert)) return undefined;
  if (cert.notAfter.getTime() - Date.now() < RENEW_BEFORE_MS) return undefined;
  return { cert, privateKey };
}

function covers(cert: ParsedCertificate, hosts: Hosts): boolean {
  const san = new x509.X509Certificate(cert.der).getExtension(x509.SubjectAlternativeNameExtension);
  const dnsNames = new Set((san?.names.items ?? []).filter((n) => n.type === "dns").map((n) => n.value.toLowerCase()));
  // checkIP compares addresses, so "::1" matches however the SAN spells it.
  const nodeCert = new X509Certificate(cert.der);
  return hosts.dns.every((h) => dnsNames.has(h)) && hosts.ips.every((ip) => nodeCert.checkIP(ip) !== undefined);
}

/** The existing leaf if it is usable with this CA for these hosts; undefined means re-issue. */
async function loadLeaf(paths: Paths, passphrase: string, ca: Ca, hosts: Hosts): Promise<Leaf | undefined> {
  const [certPem, keyPem] = await Promise.all([readOptional(paths.leafCert), readOptional(paths.leafKey)]);
  const cert = tryParse(certPem);
  if (!cert || keyPem === undefined) return undefined;
  const nodeCert = new X509Certificate(cert.der);
  const caNodeCert = new X509Certificate(ca.cert.der);
  if (!nodeCert.checkIssued(caNodeCert) || !nodeCert.verify(ca.cert.publicKey)) return undefined;
  if (cert.notAfter.getTime() - Date.now() < RENEW_BEFORE_MS || cert.notBefore.getTime() > Date.now()) return undefined;
  if (!covers(cert, hosts)) return undefined;
  let privateKey: KeyObject | undefined;
  try {
    privateKey = decryptKey(keyPem, passphrase, paths.leafKey);
  } catch (err) {
    // Unlike the CA, a leaf that the current master key cannot open is simply replaced.
    if (err instanceof LocalTlsError) return undefined;
    throw err;
  }
  if (!privateKey || !keyMatches(privateKey, cert)) return undefined;
  return { cert, privateKey };
}

async function createCa(paths: Paths, passphrase: string): Promise<Ca> {
  const keys = await generateRsaKeyPair();
  const generated = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    // A per-install id keeps different machines' CAs distinguishable in trust stores.
    name: [{ CN: [`Gatehouse Local CA ${randomBytes(4).toString("hex")}`] }],
    ...validityWindow(CA_DAYS),
    keys: keys.webKeys,
    signingAlgorithm: RSA_SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.webKeys.publicKey),
    ],
  });
  const cert = parseCertificate(Buffer.from(generated.rawData));
  // Key first: a crash between the writes leaves a key/cert mismatch, which the next run treats as "recreate".
  await writeAtomic(paths.caKey, encryptKey(keys.privateKeyPem, passphrase), 0o600);
  await writeAtomic(paths.caCert, cert.pem, 0o644);
  return { cert, privateKey: createPrivateKey(keys.privateKeyPem) };
}

async function issueLeaf(paths: Paths, passphrase: string, ca: Ca, hosts: Hosts): Promise<Leaf> {
  const keys = await generateRsaKeyPair();
  const caKeys = await webCryptoKeyPair(ca.privateKey);
  const caCert = new x509.X509Certificate(ca.cert.der);
  const caSki = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  const window = validityWindow(LEAF_DAYS);
  // Never outlive the issuer: clients reject a chain as soon as the CA expires anyway.
  const notAfter = window.notAfter < ca.cert.notAfter ? window.notAfter : ca.cert.notAfter;
  const generated = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: [{ CN: ["localhost"] }],
    // The CA's own encoded name, so issuer and subject match byte for byte during chain building.
    issuer: caCert.subjectName,
    notBefore: window.notBefore,
    notAfter,
    publicKey: keys.webKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: RSA_SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...hosts.dns.map((value) => ({ type: "dns" as const, value })),
        ...hosts.ips.map((value) => ({ type: "ip" as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.webKeys.publicKey),
      caSki
        ? new x509.AuthorityKeyIdentifierExtension(caSki.keyId)
        : await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const cert = parseCertificate(Buffer.from(generated.rawData));
  await writeAtomic(paths.leafKey, encryptKey(keys.privateKeyPem, passphrase), 0o600);
  await writeAtomic(paths.leafCert, cert.pem, 0o644);
  return { cert, privateKey: createPrivateKey(keys.privateKeyPem) };
}

function toLocalTls(paths: Paths, ca: Ca, leaf: Leaf): LocalTls {
  return {
    caPath: paths.caCert,
    cert: leaf.cert.pem,
    key: leaf.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    ca: ca.cert.pem,
  };
}

/**
 * Ensures <dataDir>/tls holds a local CA and a leaf for localhost, 127.0.0.1, ::1 and extraHosts, creating or
 * re-issuing as needed, and returns the leaf for https.createServer. Private keys on disk are encrypted with a
 * passphrase derived from the master key.
 */
export async function ensureLocalTls(
  dataDir: string,
  masterKey: MasterKey,
  extraHosts: string[] = [],
): Promise<LocalTls> {
  const hosts = normalizeHosts(extraHosts);
  const paths = tlsPaths(dataDir);
  const passphrase = masterKey.derive(KEY_LABEL).toString("base64url");
  makePrivateDir(paths.dir);
  for (const key of [paths.caKey, paths.leafKey]) restrict(key);

  // Fast path without the lock (works on a read-only directory once provisioned); any doubt is settled under it.
  try {
    const ca = await loadCa(paths, passphrase);
    const leaf = ca && (await loadLeaf(paths, passphrase, ca, hosts));
    if (ca && leaf) return toLocalTls(paths, ca, leaf);
  } catch {
    // Possibly a concurrent writer mid-update; retried authoritatively below.
  }

  // A cross-process lock, so racing starts do not pair one process's CA key with another's certificate.
  return withFileLock(paths.lock, { waitMs: LOCK_WAIT_MS, staleMs: LOCK_STALE_MS }, async () => {
    const ca = (await loadCa(paths, passphrase)) ?? (await createCa(paths, passphrase));
    const leaf = (await loadLeaf(paths, passphrase, ca, hosts)) ?? (await issueLeaf(paths, passphrase, ca, hosts));
    return toLocalTls(paths, ca, leaf);
  });
}
