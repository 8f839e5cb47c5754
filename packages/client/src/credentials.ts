import type { CertificateSigner } from "./certificate-signer.js";
import { ConfigurationError } from "./errors.js";

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** What a client assertion callback is told about the request the assertion is for. */
export interface AssertionContext {
  clientId: string;
  /** The token endpoint the request goes to: the `aud` a private_key_jwt assertion must carry. */
  tokenEndpoint: string;
}

/**
 * Returns a client assertion for one token request: a JWT signed by a key the caller holds (an HSM, a key vault)
 * or issued by another identity provider (workload identity federation: a Kubernetes or GitHub token).
 */
export type ClientAssertionCallback = (context: AssertionContext) => string | Promise<string>;

/** How a client secret is sent: in the form body (`client_secret_post`) or as HTTP Basic (`client_secret_basic`). */
export type SecretAuthentication = "post" | "basic";

/** A credential's part of one token request, and the values no error message may show. */
export interface CredentialParts {
  form: Record<string, string>;
  headers: Record<string, string>;
  secrets: string[];
}

/** Produces the credential for each token request (assertions are single-use, so each request signs anew). */
export type Credential = (context: AssertionContext) => Promise<CredentialParts>;

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before they are joined and base64-encoded. */
const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");

export function secretCredential(secret: string, method: SecretAuthentication): Credential {
  if (method === "post") return async () => ({ form: { client_secret: secret }, headers: {}, secrets: [secret] });
  return async ({ clientId }) => {
    const basic = Buffer.from(`${formEncode(clientId)}:${formEncode(secret)}`).toString("base64");
    return { form: {}, headers: { authorization: `Basic ${basic}` }, secrets: [secret, basic] };
  };
}

const assertionParts = (assertion: string): CredentialParts => ({
  form: { client_assertion_type: JWT_BEARER, client_assertion: assertion },
  headers: {},
  secrets: [assertion],
});

export function certificateCredential(signer: CertificateSigner): Credential {
  return async ({ clientId, tokenEndpoint }) => assertionParts(await signer.sign(clientId, tokenEndpoint));
}

export function assertionCredential(callback: ClientAssertionCallback): Credential {
  return async (context) => {
    const assertion = await callback(context);
    if (typeof assertion !== "string" || assertion === "") {
      throw new ConfigurationError("clientAssertion returned no assertion");
    }
    return assertionParts(assertion);
  };
}
