/**
 * `@gatehouse/middleware/fastify`: a Fastify 5 plugin and preHandlers.
 *
 * @example
 * await app.register(gatehouseAuth, { authority: "https://localhost:8443/<tenant>", audience: "<API1 appId>" });
 * app.get("/records", { preHandler: [requireAuth(), requireRole("access_as_application_API1")] }, handler);
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { AuthError } from "./auth-error.js";
import type { TokenValidatorOptions } from "./options.js";
import { TokenValidator } from "./token-validator.js";
import type { ValidatedToken } from "./validated-token.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The validated access token, set by {@link requireAuth}. */
    auth?: ValidatedToken;
  }
  interface FastifyInstance {
    /** The validator {@link gatehouseAuth} registered, used by `requireAuth()` without options. */
    tokenValidator: TokenValidator;
  }
}

/** A preHandler: async, so Fastify waits for it; after `reply.send` it returns the reply, as Fastify requires. */
type PreHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/** Sends an {@link AuthError} as its status, challenge and problem details; rethrows anything else to Fastify. */
function reject(reply: FastifyReply, error: unknown): FastifyReply {
  if (!(error instanceof AuthError)) throw error;
  const { status, headers, body } = error.toResponse();
  return reply.code(status).headers(headers).send(body);
}

const plugin: FastifyPluginAsync<TokenValidatorOptions> = async (app, options) => {
  app.decorate("tokenValidator", new TokenValidator(options));
  app.decorateRequest("auth", undefined);
};

/**
 * Registers a {@link TokenValidator} as `app.tokenValidator` and the `request.auth` decoration. It is not
 * encapsulated (the `skip-override` symbol, what fastify-plugin sets), so routes in every context see both.
 */
export const gatehouseAuth: FastifyPluginAsync<TokenValidatorOptions> = Object.assign(plugin, {
  [Symbol.for("skip-override")]: true,
  [Symbol.for("fastify.display-name")]: "@gatehouse/middleware",
});

/**
 * A preHandler that validates the bearer token and sets `request.auth`, answering 401 (or 503) itself when it
 * cannot. Without options it uses the validator {@link gatehouseAuth} registered.
 */
export function requireAuth(options?: TokenValidatorOptions | TokenValidator): PreHandler {
  const own = options === undefined || options instanceof TokenValidator ? options : new TokenValidator(options);
  return async (request, reply) => {
    const validator = own ?? (request.server.tokenValidator as TokenValidator | undefined);
    if (validator === undefined) {
      throw new Error("@gatehouse/middleware: register gatehouseAuth or pass options to requireAuth()");
    }
    try {
      request.auth = await validator.validate(request.headers.authorization);
    } catch (error) {
      return reject(reply, error);
    }
    return undefined;
  };
}

/** A preHandler running `check` on `request.auth`; without requireAuth before it, it fails loudly rather than open. */
function authorize(check: (auth: ValidatedToken) => void): PreHandler {
  return async (request, reply) => {
    if (request.auth === undefined) throw new Error("@gatehouse/middleware: use requireAuth() before this check");
    try {
      check(request.auth);
    } catch (error) {
      return reject(reply, error);
    }
    return undefined;
  };
}

/** 403 unless the token carries the application role `role` (`roles` claim). */
export const requireRole = (role: string): PreHandler => authorize((auth) => auth.requireRole(role));

/** 403 unless the token carries at least one of `roles`. */
export const requireAnyRole = (roles: readonly string[]): PreHandler => authorize((auth) => auth.requireAnyRole(roles));

/** 403 unless the token carries the delegated scope `scope` (`scp` claim). */
export const requireScope = (scope: string): PreHandler => authorize((auth) => auth.requireScope(scope));

/** 403 unless the token carries at least one of `scopes`. */
export const requireAnyScope = (scopes: readonly string[]): PreHandler =>
  authorize((auth) => auth.requireAnyScope(scopes));
