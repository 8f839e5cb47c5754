/**
 * The token issuers the runner plays offline: their openid-config and JWKS documents are served from memory to
 * validate-jwt and validate-azure-ad-token, and tokens built from a case's claims are signed with a key generated for
 * the run, which those documents publish.
 */
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { KeyDocumentError, type JsonDocumentSource } from "../../gateway/jwt/document-fetcher.js";
import type { IssuerEntry } from "./case-schema.js";

const WELL_KNOWN = "/.well-known/openid-configuration";
const KEY_ID = "gatehouse-policy-test";

/** The issuer a token from claims gets by default, with the claims Entra ID adds for a tenant. */
interface PlayedIssuer {
  issuer: string;
  defaultClaims: Record<string, unknown>;
}

export interface TokenClaims {
  claims: Record<string, unknown>;
  expiresIn: number;
  /** Base64 HMAC key: HS256 instead of the runner's RSA key. */
  signingKey: string | undefined;
}

export class OfflineIssuers implements JsonDocumentSource {
  private readonly configs = new Map<string, { issuer: string; jwks_uri: string }>();
  private readonly jwksUrls = new Set<string>();
  private readonly played: PlayedIssuer[] = [];
  private keyPair: Promise<{ privateKey: CryptoKey; jwk: JWK }> | undefined;

  constructor(entries: readonly IssuerEntry[], azureAdAuthority: string) {
    const authority = azureAdAuthority.replace(/\/+$/, "");
    for (const entry of entries) {
      if ("tenant" in entry) {
        const { tenant } = entry;
        const v2 = `${authority}/${tenant}/v2.0`;
        this.serve(`${v2}${WELL_KNOWN}`, v2, `${authority}/${tenant}/discovery/v2.0/keys`);
        this.serve(
          `${authority}/${tenant}${WELL_KNOWN}`,
          `https://sts.windows.net/${tenant}/`,
          `${authority}/${tenant}/discovery/keys`,
        );
        this.played.push({ issuer: v2, defaultClaims: { tid: tenant, ver: "2.0" } });
      } else {
        const base = entry.openidConfig.endsWith(WELL_KNOWN)
          ? entry.openidConfig.slice(0, -WELL_KNOWN.length)
          : entry.openidConfig.replace(/\/+$/, "");
        const issuer = entry.issuer ?? base;
        this.serve(entry.openidConfig, issuer, `${base}/discovery/keys`);
        this.played.push({ issuer, defaultClaims: {} });
      }
    }
  }

  private serve(configUrl: string, issuer: string, jwksUri: string): void {
    this.configs.set(configUrl, { issuer, jwks_uri: jwksUri });
    this.jwksUrls.add(jwksUri);
  }

  async json(url: string): Promise<unknown> {
    const config = this.configs.get(url);
    if (config) return config;
    if (this.jwksUrls.has(url)) return { keys: [(await this.keys()).jwk] };
    throw new KeyDocumentError(`${url} is not available offline: add its issuer under 'issuers' in the case file`);
  }

  async close(): Promise<void> {}

  /** A signed JWT: iss (the first issuer played), iat, nbf and exp are added unless given; a null claim is left out. */
  async token({ claims, expiresIn, signingKey }: TokenClaims): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const first = this.played[0];
    const all: Record<string, unknown> = {
      ...(first ? { iss: first.issuer, ...first.defaultClaims } : {}),
      iat: now,
      nbf: now,
      exp: now + expiresIn,
      ...claims,
    };
    const jwt = new SignJWT(Object.fromEntries(Object.entries(all).filter(([, value]) => value !== null)));
    if (signingKey !== undefined) {
      return jwt.setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(Buffer.from(signingKey, "base64"));
    }
    const { privateKey } = await this.keys();
    return jwt.setProtectedHeader({ alg: "RS256", typ: "JWT", kid: KEY_ID }).sign(privateKey);
  }

  /** Generated once, on first use: a file without tokens from claims never pays for an RSA key. */
  private keys(): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
    this.keyPair ??= generateKeyPair("RS256").then(async ({ privateKey, publicKey }) => ({
      privateKey,
      jwk: { ...(await exportJWK(publicKey)), kid: KEY_ID, alg: "RS256", use: "sig" },
    }));
    return this.keyPair;
  }
}
