/**
 * Reading PKCS#12 (PFX) files, RFC 7292: the MAC checked with the password, encrypted bags opened (PBES2 with
 * PBKDF2 and AES or 3DES, as OpenSSL 3 and current Windows write them; PKCS#12's SHA-1 3DES, as older tools do), the
 * certificates and the private key returned. Keys are decrypted by node (OpenSSL) itself. RC2, which only legacy
 * exports use, is refused with a clear message: OpenSSL 3 does not offer it either.
 */
import { createDecipheriv, createHash, createHmac, createPrivateKey, pbkdf2Sync, timingSafeEqual } from "node:crypto";
import type { KeyObject } from "node:crypto";
import {
  DerError,
  elements,
  expect,
  objectIdentifier,
  octets,
  readDer,
  smallInteger,
  TAG,
  type Asn1Node,
} from "./der.js";

/** The file is not a PKCS#12 file Gatehouse can read. */
export class Pkcs12FormatError extends Error {
  override name = "Pkcs12FormatError";
}

/** The password does not open the file. */
export class Pkcs12PasswordError extends Error {
  override name = "Pkcs12PasswordError";
}

export interface Pkcs12Contents {
  /** DER, in the file's order. */
  certificates: Buffer[];
  privateKey: KeyObject | undefined;
}

const OID = {
  data: "1.2.840.113549.1.7.1",
  encryptedData: "1.2.840.113549.1.7.6",
  keyBag: "1.2.840.113549.1.12.10.1.1",
  shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
} as const;

/** Hashes by their OID as digest algorithm, and as PBKDF2's HMAC PRF. */
const DIGESTS: Readonly<Record<string, string>> = {
  "1.3.14.3.2.26": "sha1",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};
const PRFS: Readonly<Record<string, string>> = {
  "1.2.840.113549.2.7": "sha1",
  "1.2.840.113549.2.9": "sha256",
  "1.2.840.113549.2.10": "sha384",
  "1.2.840.113549.2.11": "sha512",
};
/** PBES2 ciphers: node's name and key length. */
const PBES2_CIPHERS: Readonly<Record<string, { cipher: string; keyLength: number }>> = {
  "2.16.840.1.101.3.4.1.2": { cipher: "aes-128-cbc", keyLength: 16 },
  "2.16.840.1.101.3.4.1.22": { cipher: "aes-192-cbc", keyLength: 24 },
  "2.16.840.1.101.3.4.1.42": { cipher: "aes-256-cbc", keyLength: 32 },
  "1.2.840.113549.3.7": { cipher: "des-ede3-cbc", keyLength: 24 },
};
/** PKCS#12's own password-based encryption (SHA-1 key derivation, appendix B). */
const PKCS12_PBE: Readonly<Record<string, { cipher: string; keyLength: number; ivLength: number } | "rc2">> = {
  "1.2.840.113549.1.12.1.3": { cipher: "des-ede3-cbc", keyLength: 24, ivLength: 8 },
  "1.2.840.113549.1.12.1.4": { cipher: "des-ede-cbc", keyLength: 16, ivLength: 8 },
  "1.2.840.113549.1.12.1.5": "rc2",
  "1.2.840.113549.1.12.1.6": "rc2",
};
const HASH_BLOCK: Readonly<Record<string, number>> = { sha1: 64, sha256: 64, sha384: 128, sha512: 128 };

/** Bounds the work a file can ask for: common files use 2048 to 10000 iterations. */
const MAX_ITERATIONS = 600_000;
/** PFX files are a few KiB; a certificate chain with a key stays far below this. */
export const MAX_PKCS12_BYTES = 256 * 1024;

/** The certificates and the key of a PKCS#12 file; throws Pkcs12FormatError or Pkcs12PasswordError. */
export function readPkcs12(data: Buffer, password: string): Pkcs12Contents {
  if (data.length > MAX_PKCS12_BYTES) throw new Pkcs12FormatError("the file is larger than 256 KiB");
  try {
    return read(data, password);
  } catch (error) {
    if (error instanceof DerError) throw new Pkcs12FormatError(`the file is not PKCS#12: ${error.message}`);
    throw error;
  }
}

function read(data: Buffer, password: string): Pkcs12Contents {
  const [version, authSafe, macData] = elements(readDer(data), "PFX");
  if (smallInteger(version, "PFX version") !== 3) throw new Pkcs12FormatError("the file is not a PKCS#12 v3 file");
  const [contentType, content] = elements(authSafe, "authSafe");
  if (objectIdentifier(contentType, "authSafe content type") !== OID.data) {
    throw new Pkcs12FormatError("files protected with public keys instead of a password are not supported");
  }
  const safe = octets(expect(content, TAG.CONTEXT_0, "authSafe content").children[0], "authSafe content");
  const passwords = macData
    ? verifiedPasswords(macData, safe, password)
    : (candidatePasswords(password)[0] as Passwords);
  const contents: Pkcs12Contents = { certificates: [], privateKey: undefined };
  for (const info of elements(readDer(safe), "AuthenticatedSafe")) {
    const [type, value] = elements(info, "ContentInfo");
    const explicit = expect(value, TAG.CONTEXT_0, "ContentInfo content").children[0];
    const oid = objectIdentifier(type, "ContentInfo type");
    if (oid === OID.data) readBags(readDer(octets(explicit, "SafeContents")), passwords, contents);
    else if (oid === OID.encryptedData) readBags(readDer(decryptData(explicit, passwords)), passwords, contents);
    else throw new Pkcs12FormatError("the file has content protected with public keys, which is not supported");
  }
  return contents;
}

interface Passwords {
  /** UTF-8: PBES2. */
  utf8: Buffer;
  /** BMPString with its terminating zero: PKCS#12's own derivations. */
  bmp: Buffer;
}

/** An empty password is written as no bytes by some tools and as the terminating zero by others. */
function candidatePasswords(password: string): Passwords[] {
  const utf8 = Buffer.from(password, "utf8");
  const bmp = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) bmp.writeUInt16BE(password.charCodeAt(i), i * 2);
  return password === ""
    ? [
        { utf8, bmp },
        { utf8, bmp: Buffer.alloc(0) },
      ]
    : [{ utf8, bmp }];
}

function verifiedPasswords(macData: Asn1Node, safe: Buffer, password: string): Passwords {
  const [digestInfo, saltNode, iterationsNode] = elements(macData, "MacData");
  const [algorithm, digestNode] = elements(digestInfo, "MAC");
  const hash = DIGESTS[objectIdentifier(elements(algorithm, "MAC algorithm")[0], "MAC algorithm")];
  if (!hash) throw new Pkcs12FormatError("the file's MAC uses a hash algorithm that is not supported");
  const expected = expect(digestNode, TAG.OCTET_STRING, "MAC").content;
  const salt = expect(saltNode, TAG.OCTET_STRING, "MAC salt").content;
  const iterations = iterationsNode ? checkedIterations(smallInteger(iterationsNode, "MAC iterations")) : 1;
  for (const candidate of candidatePasswords(password)) {
    const key = pkcs12Kdf(hash, candidate.bmp, salt, iterations, 3, createHash(hash).digest().length);
    const mac = createHmac(hash, key).update(safe).digest();
    if (mac.length === expected.length && timingSafeEqual(mac, expected)) return candidate;
  }
  throw new Pkcs12PasswordError("the password is not correct");
}

function checkedIterations(iterations: number): number {
  if (iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new Pkcs12FormatError(
      `the file asks for ${iterations} key derivation iterations (at most ${MAX_ITERATIONS})`,
    );
  }
  return iterations;
}

function readBags(safeContents: Asn1Node, passwords: Passwords, contents: Pkcs12Contents): void {
  for (const bag of elements(safeContents, "SafeContents")) {
    const [idNode, valueNode] = elements(bag, "SafeBag");
    const value = expect(valueNode, TAG.CONTEXT_0, "SafeBag value").children[0];
    if (!value) throw new Pkcs12FormatError("a SafeBag has no value");
    const id = objectIdentifier(idNode, "SafeBag type");
    if (id === OID.certBag) {
      const [certId, certValue] = elements(value, "CertBag");
      if (objectIdentifier(certId, "CertBag type") !== OID.x509Certificate) continue;
      contents.certificates.push(octets(expect(certValue, TAG.CONTEXT_0, "CertBag value").children[0], "CertBag"));
    } else if (id === OID.keyBag || id === OID.shroudedKeyBag) {
      if (contents.privateKey) throw new Pkcs12FormatError("the file holds more than one private key");
      contents.privateKey = privateKeyOf(value.raw, id === OID.shroudedKeyBag ? passwords.utf8 : undefined);
    }
  }
}

function privateKeyOf(der: Buffer, passphrase: Buffer | undefined): KeyObject {
  try {
    return createPrivateKey({ key: der, format: "der", type: "pkcs8", ...(passphrase ? { passphrase } : {}) });
  } catch (error) {
    // Without a MAC, a wrong password first shows here.
    if (passphrase && /BAD_DECRYPT/.test(String((error as { code?: unknown }).code))) {
      throw new Pkcs12PasswordError("the password is not correct");
    }
    throw new Pkcs12FormatError("the private key cannot be read (unsupported encryption or key type)");
  }
}

/** EncryptedData: version, then EncryptedContentInfo (content type, algorithm, [0] IMPLICIT encrypted octets). */
function decryptData(encryptedData: Asn1Node | undefined, passwords: Passwords): Buffer {
  const [, info] = elements(encryptedData, "EncryptedData");
  const [, algorithm, encrypted] = elements(info, "EncryptedContentInfo");
  if (!encrypted || (encrypted.tag !== TAG.CONTEXT_0_PRIMITIVE && encrypted.tag !== TAG.CONTEXT_0)) {
    throw new Pkcs12FormatError("encrypted content is missing");
  }
  return decrypt(algorithm, octets(encrypted, "encrypted content"), passwords);
}

function decrypt(algorithm: Asn1Node | undefined, ciphertext: Buffer, passwords: Passwords): Buffer {
  const [oidNode, params] = elements(algorithm, "encryption algorithm");
  const oid = objectIdentifier(oidNode, "encryption algorithm");
  let cipher: string;
  let key: Buffer;
  let iv: Buffer;
  if (oid === OID.pbes2) {
    ({ cipher, key, iv } = pbes2(params, passwords.utf8));
  } else {
    const pbe = PKCS12_PBE[oid];
    if (pbe === undefined) throw new Pkcs12FormatError(`the encryption algorithm ${oid} is not supported`);
    if (pbe === "rc2") {
      throw new Pkcs12FormatError(
        "the file is encrypted with RC2, a legacy algorithm: export it again with AES (e.g. OpenSSL 3's default)",
      );
    }
    const [saltNode, iterationsNode] = elements(params, "PBE parameters");
    const salt = expect(saltNode, TAG.OCTET_STRING, "PBE salt").content;
    const iterations = checkedIterations(smallInteger(iterationsNode, "PBE iterations"));
    cipher = pbe.cipher;
    key = pkcs12Kdf("sha1", passwords.bmp, salt, iterations, 1, pbe.keyLength);
    iv = pkcs12Kdf("sha1", passwords.bmp, salt, iterations, 2, pbe.ivLength);
  }
  try {
    const decipher = createDecipheriv(cipher, key, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    // The MAC matched (or there is none): a wrong key shows as bad padding.
    throw new Pkcs12PasswordError("the password is not correct");
  }
}

function pbes2(params: Asn1Node | undefined, password: Buffer): { cipher: string; key: Buffer; iv: Buffer } {
  const [kdf, scheme] = elements(params, "PBES2 parameters");
  const [kdfOid, kdfParams] = elements(kdf, "PBES2 key derivation");
  if (objectIdentifier(kdfOid, "PBES2 key derivation") !== OID.pbkdf2) {
    throw new Pkcs12FormatError("only PBKDF2 is supported as PBES2 key derivation");
  }
  const [saltNode, iterationsNode, ...rest] = elements(kdfParams, "PBKDF2 parameters");
  const salt = expect(saltNode, TAG.OCTET_STRING, "PBKDF2 salt").content;
  const iterations = checkedIterations(smallInteger(iterationsNode, "PBKDF2 iterations"));
  const prfNode = rest.find((node) => node.tag === TAG.SEQUENCE);
  const prf = prfNode ? PRFS[objectIdentifier(elements(prfNode, "PBKDF2 PRF")[0], "PBKDF2 PRF")] : "sha1";
  if (!prf) throw new Pkcs12FormatError("the PBKDF2 hash is not supported");
  const [schemeOid, ivNode] = elements(scheme, "PBES2 encryption scheme");
  const chosen = PBES2_CIPHERS[objectIdentifier(schemeOid, "PBES2 encryption scheme")];
  if (!chosen) throw new Pkcs12FormatError("the PBES2 cipher is not supported");
  const iv = expect(ivNode, TAG.OCTET_STRING, "PBES2 IV").content;
  return { cipher: chosen.cipher, key: pbkdf2Sync(password, salt, iterations, chosen.keyLength, prf), iv };
}

/** RFC 7292 appendix B.2: `id` 1 derives keys, 2 IVs, 3 MAC keys. */
export function pkcs12Kdf(
  hash: string,
  password: Buffer,
  salt: Buffer,
  iterations: number,
  id: 1 | 2 | 3,
  length: number,
): Buffer {
  const v = HASH_BLOCK[hash] ?? 64;
  const u = createHash(hash).digest().length;
  const stretch = (input: Buffer) => {
    if (input.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(input.length / v));
    for (let i = 0; i < out.length; i++) out[i] = input[i % input.length] as number;
    return out;
  };
  const diversifier = Buffer.alloc(v, id);
  const block = Buffer.concat([stretch(salt), stretch(password)]);
  const output: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    let a = createHash(hash).update(diversifier).update(block).digest();
    for (let r = 1; r < iterations; r++) a = createHash(hash).update(a).digest();
    output.push(a);
    const b = stretch(a);
    // Each v-byte block of the input becomes (block + b + 1) mod 2^(8v).
    for (let j = 0; j < block.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = (block[j + k] as number) + (b[k] as number) + carry;
        block[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(output).subarray(0, length);
}
