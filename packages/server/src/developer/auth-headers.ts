/**
 * The credential headers of the developer API, as API Management's developer portal sends and reads them:
 * `Authorization: Basic base64(email:password)` to sign in, `Authorization: SharedAccessSignature <token>` (or the
 * portal's stored form `SharedAccessSignature token="<token>",refresh="true"`) on every later call,
 * `Authorization: Ticket id="<ticket id>",ticket="<secret>"` to use an invitation or reset link; and the
 * `Ocp-Apim-Sas-Token: token="<token>",refresh="true"` response header that hands out a token.
 */
import type { SessionToken } from "./session.js";

export const SAS_TOKEN_HEADER = "Ocp-Apim-Sas-Token";

export type DeveloperCredentials =
  | { readonly scheme: "Basic"; readonly email: string; readonly password: string }
  | { readonly scheme: "SharedAccessSignature"; readonly token: string }
  | { readonly scheme: "Ticket"; readonly id: string; readonly secret: string };

/** A malformed or unsupported Authorization header; the message never quotes a credential. */
export class AuthorizationHeaderError extends Error {
  override name = "AuthorizationHeaderError";
}

/** Longer than any credential these schemes carry (a 256-character password is at most 1 KiB of UTF-8). */
const MAX_HEADER_LENGTH = 4096;
const SCHEME = /^([A-Za-z][A-Za-z0-9-]{0,31}) +(\S.*)$/s;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** One `name="value"` parameter and the comma or end after it, read from where the last one ended. */
const PARAMETER = /\s*([A-Za-z]+)="([^"]*)"\s*(?:,|$)/y;

/** The credentials an Authorization header carries; throws AuthorizationHeaderError. */
export function parseDeveloperAuthorization(header: string): DeveloperCredentials {
  if (header.length > MAX_HEADER_LENGTH) throw new AuthorizationHeaderError("The Authorization header is too long.");
  const match = SCHEME.exec(header.trim());
  if (!match) {
    throw new AuthorizationHeaderError("The Authorization header must be a scheme followed by credentials.");
  }
  const [, scheme = "", rest = ""] = match;
  switch (scheme.toLowerCase()) {
    case "basic":
      return basic(rest);
    case "sharedaccesssignature": {
      // The portal keeps the token in the same form as the response header, and sends it back so.
      const token = rest.startsWith("token=") ? parameters(rest).get("token") : rest;
      if (!token) throw new AuthorizationHeaderError("SharedAccessSignature credentials must carry a token.");
      return { scheme: "SharedAccessSignature", token };
    }
    case "ticket": {
      const values = parameters(rest);
      const id = values.get("id");
      const secret = values.get("ticket");
      if (!id || !secret) throw new AuthorizationHeaderError('Ticket credentials must be id="…",ticket="…".');
      return { scheme: "Ticket", id, secret };
    }
    default:
      throw new AuthorizationHeaderError(
        `The authorization scheme '${scheme}' is not supported: use Basic, SharedAccessSignature or Ticket.`,
      );
  }
}

/** The value of the Ocp-Apim-Sas-Token response header for a token. */
export function sasTokenHeaderValue(token: SessionToken): string {
  return `token="${token.value}",refresh="true"`;
}

/** RFC 7617: base64 of UTF-8 `user-id:password`; the user id (here an email) cannot hold a colon, the password can. */
function basic(encoded: string): DeveloperCredentials {
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
    throw new AuthorizationHeaderError("Basic credentials must be base64 of email:password.");
  }
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new AuthorizationHeaderError("Basic credentials must be base64 of email:password.");
  return { scheme: "Basic", email: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** `a="1",b="2"`: each name once, values without quotes (the tokens and ids these schemes carry have none). */
function parameters(text: string): Map<string, string> {
  const values = new Map<string, string>();
  PARAMETER.lastIndex = 0;
  while (PARAMETER.lastIndex < text.length) {
    const start = PARAMETER.lastIndex;
    const match = PARAMETER.exec(text);
    if (!match || PARAMETER.lastIndex === start) {
      throw new AuthorizationHeaderError('The Authorization header\'s parameters must be name="value" pairs.');
    }
    const [, name = "", value = ""] = match;
    if (values.has(name)) throw new AuthorizationHeaderError(`The Authorization parameter '${name}' is repeated.`);
    values.set(name, value);
  }
  return values;
}
