/**
 * `@gatehouse/middleware/express`: Express 4/5 middleware.
 *
 * @example
 * const auth = requireAuth({ authority: "https://localhost:8443/<tenant>", audience: "<API1 appId>" });
 * app.get("/records", auth, requireRole("access_as_application_API1"), (req, res) => res.json(req.auth?.claims));
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { AuthError } from "./auth-error.js";
import type { TokenValidatorOptions } from "./options.js";
import { TokenValidator } from "./token-validator.js";
import type { ValidatedToken } from "./validated-token.js";

declare global {
  // Express types its request through this global namespace; merging into it is how `req.auth` gets its type.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The validated access token, set by {@link requireAuth}. */
      auth?: ValidatedToken;
    }
  }
}

/** Sends an {@link AuthError} as its status, challenge and problem details; passes anything else on to Express. */
function reject(res: Response, next: NextFunction, error: unknown): void {
  if (!(error instanceof AuthError)) return next(error);
  const { status, headers, body } = error.toResponse();
  res.status(status).set(headers).send(body);
}

/**
 * Validates the request's bearer token and sets `req.auth`; answers 401 (or 503) itself when it cannot. Pass a
 * {@link TokenValidator} to share one (and its caches) between several middleware instances.
 */
export function requireAuth(options: TokenValidatorOptions | TokenValidator): RequestHandler {
  const validator = options instanceof TokenValidator ? options : new TokenValidator(options);
  return (req, res, next) => {
    validator.validate(req.headers.authorization).then(
      (auth) => {
        req.auth = auth;
        next();
      },
      (error: unknown) => reject(res, next, error),
    );
  };
}

/** Middleware running `check` on `req.auth`; without requireAuth before it, it fails loudly rather than open. */
function authorize(check: (auth: ValidatedToken) => void): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.auth === undefined) return next(new Error("@gatehouse/middleware: use requireAuth() before this check"));
    try {
      check(req.auth);
    } catch (error) {
      return reject(res, next, error);
    }
    next();
  };
}

/** 403 unless the token carries the application role `role` (`roles` claim). */
export const requireRole = (role: string): RequestHandler => authorize((auth) => auth.requireRole(role));

/** 403 unless the token carries at least one of `roles`. */
export const requireAnyRole = (roles: readonly string[]): RequestHandler =>
  authorize((auth) => auth.requireAnyRole(roles));

/** 403 unless the token carries the delegated scope `scope` (`scp` claim). */
export const requireScope = (scope: string): RequestHandler => authorize((auth) => auth.requireScope(scope));

/** 403 unless the token carries at least one of `scopes`. */
export const requireAnyScope = (scopes: readonly string[]): RequestHandler =>
  authorize((auth) => auth.requireAnyScope(scopes));
