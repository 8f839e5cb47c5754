import { AuthError } from "./auth-error.js";
import type { AccessTokenClaims } from "./claims.js";

const list = (values: readonly string[]) => values.join(", ");

/**
 * An access token that passed validation, with the claims an API decides on. The raw token is kept in a private
 * field, so logging or serialising this object does not write the token out.
 */
export class ValidatedToken {
  readonly #token: string;
  /** Token version, from `ver`. */
  readonly version: 1 | 2;
  /** Application roles (`roles`). */
  readonly roles: readonly string[];
  /** Delegated scopes (`scp`, split on spaces). */
  readonly scopes: readonly string[];
  /** The calling application's client id: `azp` in v2 tokens, `appid` in v1 ones. */
  readonly appId: string | undefined;
  /** The caller's tenant (`tid`). */
  readonly tenantId: string;

  constructor(
    token: string,
    readonly claims: AccessTokenClaims,
  ) {
    this.#token = token;
    this.version = claims.ver === "1.0" ? 1 : 2;
    this.roles = claims.roles ?? [];
    this.scopes = claims.scp?.split(" ").filter((s) => s !== "") ?? [];
    this.appId = this.version === 2 ? claims.azp : claims.appid;
    this.tenantId = claims.tid;
  }

  /** The access token as received, e.g. to exchange it on behalf of the caller. */
  get token(): string {
    return this.#token;
  }

  hasRole(role: string): boolean {
    return this.roles.includes(role);
  }

  hasScope(scope: string): boolean {
    return this.scopes.includes(scope);
  }

  /** Throws {@link AuthError} (403 `insufficient_scope`) unless the token carries `role`. */
  requireRole(role: string): this {
    return this.requireAnyRole([role]);
  }

  /** Throws {@link AuthError} (403 `insufficient_scope`) unless the token carries at least one of `roles`. */
  requireAnyRole(roles: readonly string[]): this {
    if (roles.some((r) => this.hasRole(r))) return this;
    const wanted = roles.length === 1 ? `the role ${list(roles)}` : `one of the roles ${list(roles)}`;
    throw new AuthError("insufficient_scope", `The token does not carry ${wanted}.`);
  }

  /** Throws {@link AuthError} (403 `insufficient_scope`) unless the token carries the delegated scope `scope`. */
  requireScope(scope: string): this {
    return this.requireAnyScope([scope]);
  }

  /** Throws {@link AuthError} (403 `insufficient_scope`) unless the token carries at least one of `scopes`. */
  requireAnyScope(scopes: readonly string[]): this {
    if (scopes.some((s) => this.hasScope(s))) return this;
    const wanted = scopes.length === 1 ? `the scope ${list(scopes)}` : `one of the scopes ${list(scopes)}`;
    throw new AuthError("insufficient_scope", `The token does not carry ${wanted}.`, { requiredScopes: scopes });
  }
}
