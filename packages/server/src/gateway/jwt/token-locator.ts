import type { GatewayRequest, PipelineContext } from "../pipeline/context.js";
import { valueOf, type Setting } from "../policy/setting.js";
import { JwtValidationError } from "./validation-error.js";

/** Where a policy reads the token: header-name, query-parameter-name or token-value, each possibly an expression. */
export type TokenLocation =
  | { kind: "header"; name: Setting<string>; requireScheme: Setting<string> | undefined }
  | { kind: "query"; name: Setting<string> }
  | { kind: "value"; value: Setting<string> };

/** Returns the raw token; throws JwtValidationError (TokenNotPresent) when there is none. */
export type TokenLocator = (context: PipelineContext) => string;

function present(token: string | undefined): string {
  if (token === undefined || token === "") throw new JwtValidationError("TokenNotPresent", "JWT not present.");
  return token;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * From the Authorization header the token is what follows the scheme (`Bearer `, any case); with require-scheme the
 * scheme must be there, else the token counts as not present [inf]. Other headers and query parameters carry the bare
 * token, and APIM ignores require-scheme for them. Literal names and schemes are prepared once.
 */
export function tokenLocator(location: TokenLocation): TokenLocator {
  switch (location.kind) {
    case "value": {
      const { value } = location;
      return (context) => present(valueOf(value, context));
    }
    case "query": {
      const { name } = location;
      return (context) => present(context.request.query.get(valueOf(name, context))?.trim());
    }
    case "header": {
      const { name, requireScheme } = location;
      if (name.fixed && (requireScheme === undefined || requireScheme.fixed)) {
        const locate = headerLocator(name.value, requireScheme?.value);
        return (context) => locate(context.request);
      }
      return (context) =>
        headerLocator(valueOf(name, context), requireScheme && valueOf(requireScheme, context))(context.request);
    }
  }
}

function headerLocator(name: string, requireScheme: string | undefined): (request: GatewayRequest) => string {
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
