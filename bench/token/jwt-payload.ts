import { randomBytes, randomUUID } from "node:crypto";

const b64url = (value: string | Buffer): string => Buffer.from(value).toString("base64url");

/**
 * Claims shaped like an Entra ID v2 app-only access token, so the raw-signing baseline hashes and signs an input of
 * realistic size (~700 bytes of JSON) rather than a toy payload.
 */
export function sampleClaims(): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const tenant = randomUUID();
  const app = randomUUID();
  return {
    aud: "api://bench-resource",
    iss: `https://login.gatehouse.example/${tenant}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    aio: randomBytes(33).toString("base64"),
    azp: app,
    azpacr: "1",
    idp: `https://sts.gatehouse.example/${tenant}/`,
    idtyp: "app",
    oid: randomUUID(),
    rh: `0.${randomBytes(42).toString("base64url")}.`,
    roles: ["api.read", "api.write", "orders.read"],
    sub: randomUUID(),
    tid: tenant,
    uti: randomBytes(16).toString("base64url"),
    ver: "2.0",
    xms_ftd: randomBytes(24).toString("base64url"),
    xms_idrel: "7 10",
  };
}

/** The exact bytes an RS256 JWT signer feeds to the signature: base64url(header) "." base64url(payload). */
export function sampleSigningInput(): Buffer {
  const header = { alg: "RS256", typ: "JWT", kid: randomBytes(20).toString("base64url") };
  return Buffer.from(`${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(sampleClaims()))}`);
}
