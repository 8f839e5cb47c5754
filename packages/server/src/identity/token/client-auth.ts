import { compactVerify, decodeProtectedHeader, errors as joseErrors } from "jose";
import { digestsEqual, hashSecret } from "../../crypto/secrets.js";
import { decodeToken, type DecodedToken } from "../../gateway/jwt/token.js";
import { JwtValidationError } from "../../gateway/jwt/validation-error.js";
import type { ClientEntry } from "../directory.js";
import { aadsts } from "../errors.js";
import type { StoredFederatedCredential } from "../model.js";
import {
  isFederatedAssertion,
  verifyFederatedAssertion,
  type FederationContext,
} from "../federation/federated-assertion.js";
import { assertionTimes, checkAssertionTime } from "./assertion-time.js";
import type { ClientCredential } from "./request.js";
import type { UsedAssertions } from "./used-assertions.js";

/** `appidacr`/`azpacr`: how the client proved itself; "2" for a certificate or a federated credential alike. */
export type AuthenticationMethod = "1" | "2";

export interface AssertionContext {
  clientId: string;
  /** Lower-cased token endpoint URLs of the tenant that an assertion's `aud` may name. */
  audiences: () => Set<string>;
  skewSeconds: number;
  /** Where each assertion's jti is spent, so it is accepted once. */
  usedAssertions: Pick<UsedAssertions, "claim">;
  /** How external issuers' tokens (federated credentials) are verified. */
  federation: FederationContext;
}

/** A GUID is 36 characters; anything far longer is not a jti a client library made. */
const MAX_JTI_LENGTH = 256;

/**
 * Checks a client's secret or certificate assertion against its registration. Secret comparison is a keyed hash
 * compared in constant time against every registered secret, so timing says nothing about which one matched.
 */
export async function authenticateClient(
  client: ClientEntry,
  credential: ClientCredential,
  pepper: Buffer,
  context: AssertionContext,
  now = Date.now(),
): Promise<AuthenticationMethod> {
  if (credential.kind === "none") throw aadsts.noCredential();
  if (credential.kind === "secret") {
    const presented = hashSecret(pepper, credential.secret);
    let match: ClientEntry["secrets"][number] | undefined;
    for (const entry of client.secrets) if (digestsEqual(presented, entry.hash)) match = entry;
    if (!match || match.start > now) throw aadsts.invalidSecret(client.app.appId);
    if (match.end <= now) throw aadsts.expiredSecret(client.app.appId);
    return "1";
  }
  const token = decodeAssertion(credential.assertion);
  if (isFederatedAssertion(client, token)) {
    await verifyFederatedAssertion(client.federated, token, context.federation, now);
  } else {
    await verifyAssertion(client, credential.assertion, context, now);
  }
  return "2";
}

/** A client that can only present an external token (a user-assigned managed identity) with its federated credentials. */
export async function authenticateFederated(
  federated: readonly StoredFederatedCredential[],
  clientId: string,
  credential: ClientCredential,
  federation: FederationContext,
  now: number,
): Promise<void> {
  if (credential.kind === "none") throw aadsts.noCredential();
  if (credential.kind === "secret") throw aadsts.invalidSecret(clientId);
  await verifyFederatedAssertion(federated, decodeAssertion(credential.assertion), federation, now);
}

function decodeAssertion(assertion: string): DecodedToken {
  try {
    return decodeToken(assertion);
  } catch (error) {
    if (error instanceof JwtValidationError) throw aadsts.malformedAssertion();
    throw error;
  }
}

async function verifyAssertion(client: ClientEntry, assertion: string, context: AssertionContext, now: number) {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    throw aadsts.malformedAssertion();
  }
  if (header.alg !== "RS256" && header.alg !== "PS256") throw aadsts.malformedAssertion();
  const thumbprint = typeof header["x5t#S256"] === "string" ? header["x5t#S256"] : header.x5t;
  if (typeof thumbprint !== "string") throw aadsts.assertionKeyNotFound("(none)", client.app.appId);
  const certificate = client.certificates.get(thumbprint);
  if (!certificate) throw aadsts.assertionKeyNotFound(hexOf(thumbprint), client.app.appId);
  if (certificate.start > now || certificate.end <= now) throw aadsts.assertionKeyExpired(certificate.sha1Hex);

  let payloadBytes: Uint8Array;
  try {
    ({ payload: payloadBytes } = await compactVerify(assertion, certificate.publicKey, { algorithms: [header.alg] }));
  } catch (error) {
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) throw aadsts.assertionBadSignature();
    throw aadsts.malformedAssertion();
  }
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(new TextDecoder().decode(payloadBytes)) as Record<string, unknown>;
  } catch {
    throw aadsts.malformedAssertion();
  }
  if (typeof claims !== "object" || claims === null) throw aadsts.malformedAssertion();
  if (claims.iss !== context.clientId || claims.sub !== context.clientId) throw aadsts.assertionSubjectMismatch();

  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const accepted = context.audiences();
  if (!audiences.some((a) => typeof a === "string" && accepted.has(a.toLowerCase().split("?")[0] as string))) {
    throw aadsts.assertionAudience(audiences.filter((a) => typeof a === "string").join(", "));
  }
  const validUntil = checkAssertionTime(assertionTimes(claims), Math.floor(now / 1000), context.skewSeconds);
  const { jti } = claims;
  if (typeof jti !== "string" || jti === "" || jti.length > MAX_JTI_LENGTH) throw aadsts.assertionWithoutJti();
  // Last, once everything else holds: a request refused for another reason does not spend its jti.
  if (!(await context.usedAssertions.claim(context.clientId, jti, validUntil * 1000, now))) {
    throw aadsts.assertionReplayed();
  }
}

const hexOf = (b64url: string) => Buffer.from(b64url, "base64url").toString("hex").toUpperCase();
