/** Decoding a compact JWS for display, without verifying it. */

/** The input is not a decodable JWT. The message is always a single line meant for the terminal. */
export class TokenDecodeError extends Error {
  override readonly name = "TokenDecodeError";
}

export interface DecodedToken {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** The signature part exactly as it appeared in the token (base64url). */
  signature: string;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Splits and decodes a compact JWS. Does NOT verify the signature. */
export function decodeToken(input: string): DecodedToken {
  // Tokens are usually pasted from an Authorization header or a wrapped log line; a JWT never contains whitespace.
  const compact = input
    .trim()
    .replace(/^bearer\s+/i, "")
    .replace(/\s+/g, "");
  if (compact === "") throw new TokenDecodeError("not a JWT: the input is empty");

  const parts = compact.split(".");
  if (parts.length === 5) {
    throw new TokenDecodeError("not a JWT: five parts means an encrypted token (JWE), which cannot be decoded");
  }
  if (parts.length !== 3) {
    throw new TokenDecodeError(`not a JWT: expected three dot-separated base64url parts, got ${parts.length}`);
  }
  const [header, payload, signature] = parts as [string, string, string];
  return {
    header: decodeJsonPart("header", header),
    claims: decodeJsonPart("payload", payload),
    // An empty signature is legal in the compact form (alg "none"); explainHeader flags that case.
    signature: checkBase64url("signature", signature),
  };
}

function checkBase64url(part: string, text: string): string {
  // Buffer's decoder silently skips invalid characters, so validate first; a length of 4n+1 can never be base64.
  if (!BASE64URL.test(text) || text.length % 4 === 1) throw new TokenDecodeError(`${part} is not valid base64url`);
  return text;
}

function decodeJsonPart(part: string, text: string): Record<string, unknown> {
  if (text === "") throw new TokenDecodeError(`${part} is empty`);
  const bytes = Buffer.from(checkBase64url(part, text), "base64url");
  let json: string;
  try {
    json = UTF8.decode(bytes);
  } catch {
    throw new TokenDecodeError(`${part} is not valid UTF-8`);
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    // The parser's own message quotes the input, which may span lines; keep ours to one line.
    throw new TokenDecodeError(`${part} is not JSON`);
  }
  if (!isRecord(value)) throw new TokenDecodeError(`${part} is not a JSON object`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
