import type { GatewayRequest } from "../pipeline/context.js";
import { JwtValidationError } from "./validation-error.js";

/** Where a policy reads the token: header-name, query-parameter-name or token-value. */
export type TokenLocation =
  | { kind: "header"; name: string; requireScheme: string | undefined }
  | { kind: "query"; name: string }
  | { kind: "value"; value: string };

/** Returns the raw token; throws JwtValidationError (TokenNotPresent) when there is none. */
export type TokenLocator = (request: GatewayRequest) => string;

function present(token: string | undefined): string {
  if (token === undefined || token === "") throw new JwtValidationError("TokenNotPresent", "JWT not present.");
  return token;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * From the Authorization header the token is what follows the scheme (`Bearer `, any case); with require-scheme the
 * scheme must be there, else the token counts as not present [inf]. Other headers and query parameters carry the bare
 * token, and APIM ignores require-scheme for them.
 */
export function tokenLocator(location: TokenLocation): TokenLocator {
  switch (location.kind) {
    case "value":
      return () => present(location.value);
    case "query":
      return (request) => present(request.query.get(location.name)?.trim());
    case "header": {
      const { name, requireScheme } = location;
      if (name.toLowerCase() !== "authorization") return (request) => present(request.headers.get(name)?.trim());
      // Sticky and tested, not exec'd: no match array per request. Safe to share: lastIndex is reset before each use.
      const scheme = new RegExp(`${escapeRegExp(requireScheme ?? "Bearer")}\\s+`, "iy");
      return (request) => {
        const value = present(request.headers.get(name));
        scheme.lastIndex = 0;
        if (scheme.test(value)) return present(value.slice(scheme.lastIndex).trim());
        return present(requireScheme === undefined ? value.trim() : undefined);
      };
    }
  }
}
