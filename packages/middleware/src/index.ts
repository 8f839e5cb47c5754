/**
 * `@gatehouse/middleware`: resource-server checks for access tokens from Gatehouse or Microsoft Entra ID.
 * Framework-free here; `@gatehouse/middleware/express` and `@gatehouse/middleware/fastify` adapt it.
 */
export { TokenValidator } from "./token-validator.js";
export type { TokenValidatorOptions, SigningAlgorithm } from "./options.js";
export { ValidatedToken } from "./validated-token.js";
export type { AccessTokenClaims } from "./claims.js";
export { AuthError, type AuthErrorCode, type AuthErrorResponse, type ProblemDetails } from "./auth-error.js";
export type { FetchLike, FetchInit, FetchResponse } from "./fetch.js";
