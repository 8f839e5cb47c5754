import { KeyDocumentError } from "../../gateway/jwt/document-fetcher.js";
import { KeyImportError } from "../../gateway/jwt/key-set.js";
import type { KeySources, OpenIdKeys } from "../../gateway/jwt/key-sources.js";
import { verifySignature } from "../../gateway/jwt/signature.js";
import type { DecodedToken } from "../../gateway/jwt/token.js";
import type { ClientEntry } from "../directory.js";
import { aadsts } from "../errors.js";
import type { StoredFederatedCredential } from "../model.js";
import { assertionTimes, checkValidityWindow } from "../token/assertion-time.js";

export interface FederationContext {
  /** Discovery documents and keys of trusted issuers: cached, https only, the local CA trusted. */
  keySources: KeySources;
  skewSeconds: number;
}

/** Where an issuer publishes its OpenID configuration (OpenID Connect Discovery §4). */
export const discoveryUrl = (issuer: string): string =>
  `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;

/**
 * Entra tells a certificate assertion from an external one by who issued it: a client's own assertion has
 * iss = sub = client_id and names its certificate (x5t or x5t#S256). An assertion is the client's own when its issuer
 * is the client or it names one of the client's certificates (a certificate assertion with a wrong issuer is
 * AADSTS700021, not a federation attempt); any other is an external issuer's token, matched against the federated
 * credentials.
 */
export function isFederatedAssertion(client: ClientEntry, token: DecodedToken): boolean {
  const { iss } = token.payload;
  if (typeof iss !== "string" || iss === client.app.appId) return false;
  const thumbprint = token.header["x5t#S256"] ?? token.header.x5t;
  return typeof thumbprint !== "string" || !client.certificates.has(thumbprint);
}

/**
 * Verifies an external issuer's token against a client's federated identity credentials, in Entra's order: a
 * credential must trust the issuer (exactly, case included) before anything is fetched, so only issuers named by
 * configuration are ever contacted; then the signature against the issuer's published keys, the validity window,
 * and the subject and audience, each compared exactly. Returns the credential that matched.
 */
export async function verifyFederatedAssertion(
  federated: readonly StoredFederatedCredential[],
  token: DecodedToken,
  context: FederationContext,
  now: number,
): Promise<StoredFederatedCredential> {
  const { iss, sub, aud } = token.payload;
  if (federated.length === 0) throw aadsts.noFederatedCredential(iss, sub, aud);
  const trusting = federated.filter((c) => c.issuer === iss);
  if (trusting.length === 0 || typeof iss !== "string") throw aadsts.federatedIssuerMismatch(iss);
  if (token.unsigned) throw aadsts.malformedAssertion();

  const source = context.keySources.openIdConfig(discoveryUrl(iss));
  let outcome = await verifySignature(token, [(await issuerKeys(() => source.current())).keys]);
  if (outcome.kind === "unknown-key") {
    const keys = await issuerKeys(() => source.refreshForUnknownKid(token.kid, token.x5t));
    outcome = await verifySignature(token, [keys.keys]);
  }
  if (outcome.kind === "unknown-key") throw aadsts.federatedKeyNotFound(token.kid ?? token.x5t ?? "(none)", iss);
  if (outcome.kind === "failed") throw aadsts.federatedBadSignature(iss);

  checkValidityWindow(assertionTimes(token.payload), Math.floor(now / 1000), context.skewSeconds);

  const forSubject = trusting.filter((c) => c.subject === sub);
  if (forSubject.length === 0) {
    const lower = typeof sub === "string" ? sub.toLowerCase() : undefined;
    if (lower !== undefined && trusting.some((c) => c.subject.toLowerCase() === lower)) {
      throw aadsts.federatedSubjectCase(sub as string);
    }
    throw aadsts.federatedSubjectMismatch(sub);
  }
  const audiences = Array.isArray(aud) ? aud : [aud];
  const match = forSubject.find((c) => c.audiences.some((a) => audiences.includes(a)));
  if (!match) throw aadsts.federatedAudienceMismatch(audiences.filter((a) => typeof a === "string").join(", "));
  return match;
}

/** The issuer's keys; a discovery document or key set that cannot be had is Entra's "External OIDC endpoint" error. */
async function issuerKeys(fetch: () => Promise<OpenIdKeys>): Promise<OpenIdKeys> {
  try {
    return await fetch();
  } catch (error) {
    if (error instanceof KeyDocumentError || error instanceof KeyImportError) {
      throw aadsts.externalOidcFailed(error.message);
    }
    throw error;
  }
}
