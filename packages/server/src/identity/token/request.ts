import { aadsts } from "../errors.js";

export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export type Endpoint = "v1" | "v2";

export type ClientCredential =
  { kind: "secret"; secret: string } | { kind: "assertion"; assertion: string } | { kind: "none" };

export interface TokenRequest {
  endpoint: Endpoint;
  clientId: string;
  credential: ClientCredential;
  /** v2: the `scope` value; v1: the `resource` value. */
  target: string;
}

/**
 * Reads a client-credentials request from the form body and an optional Basic header. Unknown fields (MSAL's
 * telemetry, `client-request-id`, `claims` …) are ignored as Entra ignores them.
 */
export function parseTokenRequest(endpoint: Endpoint, form: URLSearchParams, authorization?: string): TokenRequest {
  const grantType = form.get("grant_type");
  if (!grantType) throw aadsts.missingParameter("grant_type");
  if (grantType !== "client_credentials") throw aadsts.unsupportedGrantType(grantType);

  const basic = parseBasic(authorization);
  const bodyClientId = form.get("client_id") || undefined;
  if (basic && bodyClientId && bodyClientId !== basic.clientId) {
    throw aadsts.conflictingCredentials(
      "The client_id in the body does not match the client of the Authorization header.",
    );
  }
  const clientId = basic?.clientId ?? bodyClientId;
  if (!clientId) throw aadsts.missingParameter("client_id");

  let target: string;
  if (endpoint === "v2") {
    if (form.has("resource")) throw aadsts.resourceNotSupported();
    const scope = form.get("scope");
    if (!scope) throw aadsts.missingParameter("scope");
    target = scope;
  } else {
    const resource = form.get("resource");
    if (!resource) throw aadsts.missingParameter("resource");
    target = resource;
  }

  const secret = form.get("client_secret") || undefined;
  const assertion = form.get("client_assertion") || undefined;
  const assertionType = form.get("client_assertion_type") || undefined;
  const presented = [basic, secret, assertion].filter((x) => x !== undefined).length;
  if (presented > 1) {
    throw aadsts.conflictingCredentials(
      "Use exactly one of client_secret, client_assertion and HTTP Basic authentication.",
    );
  }
  let credential: ClientCredential = { kind: "none" };
  if (basic) credential = { kind: "secret", secret: basic.secret };
  else if (secret) credential = { kind: "secret", secret };
  else if (assertion) {
    if (assertionType !== JWT_BEARER) {
      if (!assertionType) throw aadsts.missingParameter("client_assertion_type");
      throw aadsts.unsupportedAssertionType(assertionType);
    }
    credential = { kind: "assertion", assertion };
  }
  return { endpoint, clientId, credential, target };
}

/** RFC 6749 §2.3.1: both parts are form-urlencoded before base64 (openid-client sends `-` as `%2D`). */
function parseBasic(header: string | undefined): { clientId: string; secret: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw aadsts.conflictingCredentials("The Authorization header is not valid Basic authentication.");
  try {
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " ")),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " ")),
    };
  } catch {
    throw aadsts.conflictingCredentials("The Authorization header is not valid Basic authentication.");
  }
}
