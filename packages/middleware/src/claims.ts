/**
 * The claims of a Microsoft Entra ID (or Gatehouse) access token, by their JWT names. v1 tokens carry `appid` /
 * `appidacr` / `idp`, v2 tokens `azp` / `azpacr`; app-only tokens carry `roles`, delegated ones `scp`.
 */
export interface AccessTokenClaims {
  /** Audience: the resource's appId (v2) or the identifier it was requested by, e.g. `api://<appId>` (v1). */
  aud: string | string[];
  /** Issuer: `…/{tid}/v2.0` for v2 tokens, `…/{tid}/` (`https://sts.windows.net/{tid}/` on Entra) for v1. */
  iss: string;
  /** Issued at, seconds since the epoch. */
  iat?: number;
  /** Not before, seconds since the epoch. */
  nbf?: number;
  /** Expires at, seconds since the epoch. */
  exp: number;
  /** Tenant (directory) id of the caller. */
  tid: string;
  /** Token version, decided by the resource's `requestedAccessTokenVersion`. */
  ver: "1.0" | "2.0";
  /** Object id of the caller (the client's service principal for app-only tokens). */
  oid?: string;
  /** Subject; equals `oid` in app-only tokens. */
  sub?: string;
  /** v2: the calling application's client id. */
  azp?: string;
  /** v2: how the client authenticated: "0" public, "1" secret, "2" certificate. */
  azpacr?: "0" | "1" | "2";
  /** v1: the calling application's client id. */
  appid?: string;
  /** v1: how the client authenticated: "0" public, "1" secret, "2" certificate. */
  appidacr?: "0" | "1" | "2";
  /** v1: the identity provider. */
  idp?: string;
  /** "app" for app-only tokens, "user" for delegated ones (optional claim). */
  idtyp?: "app" | "user";
  /** Application roles granted to the caller (app-only tokens). */
  roles?: string[];
  /** Delegated scopes, space-separated (user tokens). */
  scp?: string;
  /** Opaque claims Entra uses internally. */
  aio?: string;
  rh?: string;
  uti?: string;
  /** Any other claim, unchecked. */
  [claim: string]: unknown;
}
