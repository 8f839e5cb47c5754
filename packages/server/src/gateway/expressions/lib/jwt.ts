/**
 * `Jwt` (what validate-jwt stores in a variable, and what `AsJwt()` decodes without validating) and
 * `BasicAuthCredentials`, with the string extensions AsJwt/TryParseJwt and AsBasic/TryParseBasic.
 */
import { Jwt } from "../../jwt/jwt.js";
import { addMembers, libraryType, method, property } from "../members.js";
import { BOOL, STRING, STRING_DEF, enumerableOf, nullableOf, typeOf, type OutRef, type Type } from "../types.js";
import { Facade, recognize } from "../values.js";
import { MULTI_VALUE_DICTIONARY, MapView } from "./collections.js";
import { DATE_TIME, utcDateTime } from "./time.js";

const JWT_DEF = libraryType("Jwt", { test: (v) => v instanceof Jwt });
const JWT = typeOf(JWT_DEF);
recognize((value) => (value instanceof Jwt ? JWT : undefined));
const BASIC_DEF = libraryType("BasicAuthCredentials");
const BASIC = typeOf(BASIC_DEF);
BASIC_DEF.test = (v) => v instanceof Facade && v.csType() === BASIC;

const date = (value: Date | undefined) => (value ? utcDateTime(value.getTime()) : null);
addMembers(JWT_DEF.members, {
  Algorithm: property<Jwt>(STRING, (j) => j.algorithm),
  Audiences: property<Jwt>(enumerableOf(STRING), (j) => [...j.audiences]),
  Claims: property<Jwt>(MULTI_VALUE_DICTIONARY, (j) => new MapView(MULTI_VALUE_DICTIONARY, j.claims)),
  ExpirationTime: property<Jwt>(nullableOf(DATE_TIME), (j) => date(j.expirationTime)),
  Id: property<Jwt>(STRING, (j) => j.id ?? null),
  Issuer: property<Jwt>(STRING, (j) => j.issuer ?? null),
  IssuedAt: property<Jwt>(nullableOf(DATE_TIME), (j) => date(j.issuedAt)),
  NotBefore: property<Jwt>(nullableOf(DATE_TIME), (j) => date(j.notBefore)),
  Subject: property<Jwt>(STRING, (j) => j.subject ?? null),
  Type: property<Jwt>(STRING, (j) => j.type ?? null),
});

function jsonObject(segment: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Decodes a compact JWT (JWS, unverified) into a Jwt; null when the text is not one. */
function decodeJwt(text: unknown): Jwt | null {
  if (typeof text !== "string") return null;
  const parts = text.trim().split(".");
  if (parts.length !== 3) return null;
  const header = jsonObject(parts[0] as string);
  const payload = jsonObject(parts[1] as string);
  return header && payload ? new Jwt(header, payload) : null;
}

interface Credentials {
  userId: string;
  password: string;
}

/** `Basic base64(user:password)` (the scheme optional) as credentials; null when it is not that. */
function decodeBasic(text: unknown): Facade<Credentials> | null {
  if (typeof text !== "string") return null;
  const encoded = text.trim().replace(/^basic\s+/i, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return null;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return new Facade(BASIC, { userId: decoded.slice(0, colon), password: decoded.slice(colon + 1) });
}
addMembers(BASIC_DEF.members, {
  UserId: property<Facade<Credentials>>(STRING, (c) => c.target.userId),
  Password: property<Facade<Credentials>>(STRING, (c) => c.target.password),
});

/** `text.AsJwt()`, `text.AsBasic()`: the string decoded, or null when it is not one. */
const asDecoded = (type: Type, decode: (text: unknown) => unknown) =>
  method<string | null>({ returns: type, acceptsNull: true, invoke: (s) => decode(s) });

/** `text.TryParseJwt(out jwt)`, `text.TryParseBasic(out credentials)`: whether the string decodes, and what to. */
const tryDecoded = (type: Type, decode: (text: unknown) => unknown) =>
  method<string | null>({
    params: ["result"],
    out: (_t, index) => (index === 0 ? type : undefined),
    returns: BOOL,
    acceptsNull: true,
    invoke: (s, [out]) => {
      const value = decode(s);
      (out as OutRef).set(value);
      return value !== null;
    },
  });

addMembers(STRING_DEF.members, {
  AsJwt: asDecoded(JWT, decodeJwt),
  TryParseJwt: tryDecoded(JWT, decodeJwt),
  AsBasic: asDecoded(BASIC, decodeBasic),
  TryParseBasic: tryDecoded(BASIC, decodeBasic),
});
