/**
 * Engine of `gatehouse decode <jwt>`: decodes a compact JWS without verifying it and explains each header field
 * and claim the way jwt.ms does, using the Microsoft Entra access-token claim semantics.
 */

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

export interface ClaimLine {
  name: string;
  /** Display form of the value: single line, control characters escaped. */
  value: string;
  meaning: string;
}

export interface RenderOptions {
  now?: Date;
  color?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------------
// Claim and header documentation
// ---------------------------------------------------------------------------------------------------------------

/** Returns a value-specific note ("this token: ..."), or undefined when there is nothing to add. */
type Detail = (value: unknown, all: Record<string, unknown>) => string | undefined;

interface Doc {
  meaning: string;
  detail?: Detail;
}

const NO_DESCRIPTION = "(no description)";
const CONSUMER_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad";

const CLIENT_AUTH: Record<string, string> = {
  "0": "public client (no client credential)",
  "1": "client secret",
  "2": "client certificate",
};

const AMR: Record<string, string> = {
  pwd: "password",
  rsa: "RSA key (e.g. Authenticator app or Windows Hello)",
  otp: "one-time passcode",
  fed: "federated identity provider",
  wia: "Windows Integrated Authentication",
  mfa: "multi-factor authentication",
  ngcmfa: "MFA for provisioning advanced credentials",
  wiaormfa: "Windows or MFA credential",
  none: "no authentication completed",
};

/**
 * Recognises the two Entra issuer shapes by path, not host, so a self-hosted issuer such as Gatehouse's own
 * (`https://gatehouse.example/{tid}/v2.0`) is classified too: v1 `…/{tid}/`, v2.0 `…/{tid}/v2.0`.
 */
function issuerShape(iss: string): { version: "1.0" | "2.0"; tenant: string } | undefined {
  let path: string;
  try {
    path = new URL(iss).pathname;
  } catch {
    return undefined;
  }
  const segments = path.split("/").filter((s) => s !== "");
  const last = segments.at(-1);
  if (last === "v2.0" && segments.length >= 2) return { version: "2.0", tenant: segments.at(-2) ?? "" };
  if (last !== undefined && path.endsWith("/")) return { version: "1.0", tenant: last };
  return undefined;
}

const clientAuthDetail: Detail = (value) => {
  const method = typeof value === "string" ? CLIENT_AUTH[value] : undefined;
  return method === undefined ? "this token: unknown value" : `this token: ${method}`;
};

const issuerDetail: Detail = (value, all) => {
  if (typeof value !== "string") return undefined;
  const shape = issuerShape(value);
  if (shape === undefined) return undefined;
  const example =
    shape.version === "1.0" ? "https://sts.windows.net/{tid}/" : "https://login.microsoftonline.com/{tid}/v2.0";
  let note = `this token: v${shape.version} issuer format (${example})`;
  if (typeof all.tid === "string" && shape.tenant.toLowerCase() !== all.tid.toLowerCase()) {
    note += "; WARNING: tenant in iss differs from tid";
  }
  return note;
};

const versionDetail: Detail = (value, all) => {
  let note: string;
  if (value === "1.0") note = "this token: v1.0 (iss https://sts.windows.net/{tid}/, client in appid/appidacr)";
  else if (value === "2.0") {
    note = "this token: v2.0 (iss https://login.microsoftonline.com/{tid}/v2.0, client in azp/azpacr)";
  } else return "this token: unknown version";
  const issVersion = typeof all.iss === "string" ? issuerShape(all.iss)?.version : undefined;
  if (issVersion !== undefined && issVersion !== value) note += `; WARNING: iss has the v${issVersion} format`;
  return note;
};

const CLAIMS = new Map<string, Doc>([
  [
    "aud",
    {
      meaning:
        "Audience: the API this token is for (app ID URI or client ID); an API must reject tokens not addressed to it",
    },
  ],
  ["iss", { meaning: "Issuer: the token service and tenant that issued and signed the token", detail: issuerDetail }],
  [
    "idp",
    {
      meaning:
        "Identity provider that authenticated the subject; usually equals iss, differs for guests and federated users",
    },
  ],
  ["iat", { meaning: "Issued at: when the token was issued" }],
  ["nbf", { meaning: "Not before: the token must not be accepted before this time" }],
  ["exp", { meaning: "Expiration: the token must not be accepted at or after this time" }],
  ["auth_time", { meaning: "When the user last authenticated" }],
  ["aio", { meaning: "Internal Entra claim used to reuse tokens; opaque, do not rely on it" }],
  [
    "acr",
    {
      meaning: "Authentication context class reference (v1.0 tokens only)",
      detail: (value) =>
        value === "0" ? "this token: the user's authentication did not meet ISO/IEC 29115 requirements" : undefined,
    },
  ],
  ["acrs", { meaning: "Conditional Access authentication context IDs the caller satisfied" }],
  [
    "amr",
    {
      meaning: "Authentication methods used to authenticate the subject",
      detail: (value) => {
        const methods = (Array.isArray(value) ? value : [value]).filter((m): m is string => typeof m === "string");
        const known = methods.filter((m) => AMR[m] !== undefined).map((m) => `${m} = ${AMR[m]}`);
        return known.length > 0 ? known.join(", ") : undefined;
      },
    },
  ],
  ["appid", { meaning: "Application (client) ID of the client that requested the token (v1.0 tokens)" }],
  [
    "appidacr",
    {
      meaning: "How the client authenticated (v1.0): 0 = public client, 1 = client secret, 2 = certificate",
      detail: clientAuthDetail,
    },
  ],
  ["azp", { meaning: "Authorized party: application (client) ID of the client that requested the token (v2.0)" }],
  [
    "azpacr",
    {
      meaning: "How the client authenticated (v2.0): 0 = public client, 1 = client secret, 2 = certificate",
      detail: clientAuthDetail,
    },
  ],
  [
    "idtyp",
    {
      meaning: 'Token type (optional claim): "app" = app-only token, "user" = delegated token with a signed-in user',
      detail: (value) =>
        value === "app"
          ? "this token: app-only (client credentials, no user)"
          : value === "user"
            ? "this token: delegated (a user is signed in)"
            : undefined,
    },
  ],
  [
    "oid",
    {
      meaning:
        "Object ID of the caller in the tenant (user, or the client's service principal); same for every app, use with tid",
    },
  ],
  [
    "sub",
    {
      meaning:
        "Subject: the principal the token is about; pairwise (differs per application), never compare across apps",
      detail: (value, all) =>
        typeof value === "string" && value === all.oid ? "this token: equals oid, as in app-only tokens" : undefined,
    },
  ],
  [
    "roles",
    { meaning: "App roles granted to the caller: application permissions (app-only) or user/group role assignments" },
  ],
  [
    "scp",
    { meaning: "Delegated scopes the user consented to for the client, space-separated; absent from app-only tokens" },
  ],
  [
    "tid",
    {
      meaning: "Tenant ID: the directory the caller belongs to (for guests, the tenant they signed in to)",
      detail: (value) =>
        value === CONSUMER_TENANT ? "this token: the personal Microsoft account (consumer) tenant" : undefined,
    },
  ],
  ["uti", { meaning: "Token identifier: unique, case-sensitive per-token ID used internally by Entra (like jti)" }],
  ["rh", { meaning: "Internal Entra claim used to revalidate tokens; opaque, do not rely on it" }],
  [
    "ver",
    {
      meaning: "Token format version, chosen by the API's accessTokenAcceptedVersion (not by the endpoint called)",
      detail: versionDetail,
    },
  ],
  ["name", { meaning: "Display name of the user; human-readable and mutable, never use for authorization" }],
  [
    "preferred_username",
    { meaning: "Primary username (v2.0), e.g. an email address or UPN; mutable, never use for authorization" },
  ],
  ["upn", { meaning: "User principal name (v1.0); mutable, never use for authorization" }],
  ["unique_name", { meaning: "Human-readable user identifier (v1.0 only); mutable, never use for authorization" }],
  ["email", { meaning: "Email address of the user, if it has one; mutable, never use for authorization" }],
  ["given_name", { meaning: "First name of the user" }],
  ["family_name", { meaning: "Last name of the user" }],
  ["groups", { meaning: "Object IDs of the groups the caller belongs to; replaced by a link when there are too many" }],
  ["hasgroups", { meaning: "The caller is in too many groups to list; query Microsoft Graph for them" }],
  ["_claim_names", { meaning: "Names of claims (usually groups) that were too large and are served elsewhere" }],
  ["_claim_sources", { meaning: "Where to fetch the claims listed in _claim_names" }],
  ["wids", { meaning: "Tenant-wide Entra directory roles assigned to the user (role template IDs)" }],
  ["sid", { meaning: "Session ID of the user's sign-in session" }],
  ["ipaddr", { meaning: "IP address the user authenticated from" }],
  ["onprem_sid", { meaning: "On-premises security identifier (SID) of a synchronized user" }],
  ["tenant_region_scope", { meaning: "Region of the tenant" }],
  ["cnf", { meaning: "Confirmation: the key the token is bound to (proof-of-possession)" }],
  ["nonce", { meaning: "Value from the authorization request, echoed to prevent token replay" }],
  ["jti", { meaning: "JWT ID: unique identifier of this token, usable to detect replay" }],
  ["xms_cc", { meaning: 'Client capabilities announced by the client (e.g. "cp1" = can handle claims challenges)' }],
  ["xms_mirid", { meaning: "Azure resource ID of the managed identity the token was issued to" }],
  ["xms_pdl", { meaning: "Preferred data location of the user (multi-geo tenants)" }],
  ["xms_pl", { meaning: "Preferred language of the user" }],
  ["xms_tpl", { meaning: "Preferred language of the tenant" }],
]);

const XMS_PREFIX: Doc = { meaning: "Microsoft extension claim (xms_*); informational, its format may change" };

const HEADER = new Map<string, Doc>([
  ["typ", { meaning: 'Media type of the token; "JWT" for Entra access tokens' }],
  [
    "alg",
    {
      meaning: "Signature algorithm; Entra signs with RS256",
      detail: (value) => (value === "none" ? "WARNING: unsigned token, never accept it" : undefined),
    },
  ],
  ["kid", { meaning: "Key ID: which key in the issuer's JWKS (jwks_uri) signed the token" }],
  ["x5t", { meaning: "SHA-1 thumbprint of the signing certificate (same value as kid in Entra tokens)" }],
  ["x5t#S256", { meaning: "SHA-256 thumbprint of the signing certificate" }],
  [
    "nonce",
    {
      meaning: "Microsoft Graph token nonce: the signature covers a hash of it, so only Graph can validate this token",
    },
  ],
  ["cty", { meaning: "Content type of the payload; only set for nested tokens" }],
  ["jku", { meaning: "URL of the JWKS holding the signing key (never trust it without checking the issuer)" }],
  ["x5c", { meaning: "Certificate chain of the signing key" }],
  ["crit", { meaning: "Header parameters the recipient must understand, or else reject the token" }],
]);

// ---------------------------------------------------------------------------------------------------------------
// Explaining
// ---------------------------------------------------------------------------------------------------------------

const TIME_CLAIMS = new Set(["iat", "nbf", "exp", "auth_time"]);

export function explainClaims(claims: Record<string, unknown>, now: Date = new Date()): ClaimLine[] {
  return Object.entries(claims).map(([name, value]) => {
    const doc = CLAIMS.get(name) ?? (name.startsWith("xms_") ? XMS_PREFIX : undefined);
    let display = displayValue(value);
    let meaning = describe(doc, value, claims);
    if (TIME_CLAIMS.has(name)) {
      const time = displayTime(name, value, now);
      if (time === undefined) meaning += "; WARNING: not a NumericDate (seconds since 1970)";
      else display = time;
    }
    return { name: sanitize(name), value: display, meaning };
  });
}

export function explainHeader(header: Record<string, unknown>): ClaimLine[] {
  return Object.entries(header).map(([name, value]) => ({
    name: sanitize(name),
    value: displayValue(value),
    meaning: describe(HEADER.get(name), value, header),
  }));
}

function describe(doc: Doc | undefined, value: unknown, all: Record<string, unknown>): string {
  if (doc === undefined) return NO_DESCRIPTION;
  const detail = doc.detail?.(value, all);
  return detail === undefined ? doc.meaning : `${doc.meaning}; ${detail}`;
}

function displayValue(value: unknown): string {
  if (typeof value === "string") return value === "" ? '""' : sanitize(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return value.map((item) => (typeof item === "string" ? sanitize(item) : compactJson(item))).join(", ");
  }
  return compactJson(value);
}

function compactJson(value: unknown): string {
  // JSON.stringify returns undefined for undefined/functions, which cannot come out of JSON.parse but keep the type honest.
  return sanitize(JSON.stringify(value) ?? String(value));
}

// Claims are attacker-controlled: escape control, line-separator and bidi characters so a crafted token cannot
// move the cursor, inject ANSI sequences or visually reorder text in the terminal.
function sanitize(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    const unsafe =
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      code === 0x200e ||
      code === 0x200f ||
      code === 0x2028 ||
      code === 0x2029 ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069);
    out += unsafe ? `\\u${code.toString(16).padStart(4, "0")}` : ch;
  }
  return out;
}

// Date's range is ±8.64e15 ms; beyond it toISOString() throws.
const MAX_EPOCH_SECONDS = 8.64e12;

/** `1700000000 (2023-11-14T22:13:20Z, 3 minutes ago)`, plus a validity marker for exp/nbf. */
function displayTime(name: string, value: unknown, now: Date): string | undefined {
  if (typeof value !== "number" || !Number.isFinite(value) || Math.abs(value) > MAX_EPOCH_SECONDS) return undefined;
  const iso = new Date(value * 1000).toISOString().replace(".000Z", "Z");
  const delta = value - now.getTime() / 1000;
  let text = `${value} (${iso}, ${relative(delta)})`;
  // RFC 7519: a token is expired once now >= exp, and valid from nbf inclusive. No clock skew: this only displays.
  if (name === "exp" && delta <= 0) text += " EXPIRED";
  if (name === "nbf" && delta > 0) text += " not yet valid";
  return text;
}

const UNITS: [string, number][] = [
  ["year", 365 * 86_400],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
  ["second", 1],
];

function relative(deltaSeconds: number): string {
  if (Math.abs(deltaSeconds) < 1) return "now";
  const [unit, size] = UNITS.find(([, s]) => Math.abs(deltaSeconds) >= s) ?? ["second", 1];
  // Truncate rather than round: "in 59 minutes" for 59m59s reads like a clock and never overstates validity.
  const amount = plural(Math.trunc(Math.abs(deltaSeconds) / size), unit);
  return deltaSeconds > 0 ? `in ${amount}` : `${amount} ago`;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

/** `1 hour 30 minutes`; every non-zero unit from days down. */
function duration(totalSeconds: number): string {
  if (totalSeconds === 0) return "0 seconds";
  const parts: string[] = [];
  let rest = totalSeconds;
  for (const [unit, size] of UNITS.slice(1)) {
    const count = Math.trunc(rest / size);
    if (count > 0) parts.push(plural(count, unit));
    rest -= count * size;
  }
  // Fractional NumericDates leave a sub-second remainder; show it rather than drop it.
  if (rest > 0) parts.push(`${Number(rest.toFixed(3))} seconds`);
  return parts.join(" ");
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------------------------

// Wide enough for a time with its marker ("… (…Z, in 59 minutes) not yet valid"); longer values (v2 iss, scp,
// groups, x5c) would push every meaning off-screen, so they get their meaning on the next line instead.
const MAX_VALUE_COLUMN = 64;
const INDENT = "  ";
const GAP = "  ";

/** The full text `gatehouse decode` prints (no trailing newline). */
export function renderExplanation(token: DecodedToken, opts: RenderOptions = {}): string {
  const header = explainHeader(token.header);
  const claims = explainClaims(token.claims, opts.now);
  const bold = opts.color === true ? (s: string) => `\u001b[1m${s}\u001b[22m` : (s: string) => s;

  // One set of column widths for both sections, so the whole output lines up.
  const all = [...header, ...claims];
  const nameWidth = Math.max(0, ...all.map((l) => l.name.length));
  // Sized by the widest value that fits, so one over-long value does not widen the column for everything else.
  const valueWidth = Math.max(0, ...all.map((l) => l.value.length).filter((n) => n <= MAX_VALUE_COLUMN));

  const rows = (lines: ClaimLine[]): string[] => {
    if (lines.length === 0) return [`${INDENT}(empty)`];
    return lines.map((l) => {
      const name = bold(l.name) + " ".repeat(nameWidth - l.name.length);
      if (l.value.length <= valueWidth) return `${INDENT}${name}${GAP}${l.value.padEnd(valueWidth)}${GAP}${l.meaning}`;
      const meaningColumn = " ".repeat(INDENT.length + nameWidth + GAP.length + valueWidth + GAP.length);
      return `${INDENT}${name}${GAP}${l.value}\n${meaningColumn}${l.meaning}`;
    });
  };

  return [
    bold("Header"),
    ...rows(header),
    "",
    bold("Claims"),
    ...rows(claims),
    "",
    `${lifetime(token.claims)}; signature not verified`,
  ].join("\n");
}

function lifetime(claims: Record<string, unknown>): string {
  const { iat, exp } = claims;
  if (typeof iat !== "number" || typeof exp !== "number" || !Number.isFinite(iat) || !Number.isFinite(exp)) {
    return "Lifetime: unknown (needs numeric iat and exp)";
  }
  const seconds = exp - iat;
  if (seconds < 0) return `Lifetime: invalid, exp is ${duration(-seconds)} before iat`;
  return `Lifetime: ${duration(seconds)} (exp - iat)`;
}
