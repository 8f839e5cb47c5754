/**
 * Errors of the developer API in the body the developer portal reads from API Management's data API (its MapiError:
 * `{ "error": { "code", "message", "details" } }`, ARM's shape). Credentials are refused with 401, a blocked or pending
 * account with 403, too many failed passwords with 429 and Retry-After.
 */
import type { FastifyReply } from "fastify";
import { toArmError, type ArmErrorDetail } from "../../admin/apim/errors.js";
import { PasswordHasherBusyError } from "../../security/password-hash.js";
import { PasswordRuleError } from "../../security/password-length.js";
import { ExpiredTicketError, InvalidTicketError } from "../../security/one-time-ticket.js";
import { AuthorizationHeaderError } from "../auth-headers.js";
import {
  AccountBlockedError,
  AccountNotFoundError,
  AccountPendingError,
  InvalidCredentialsError,
  InvalidSessionError,
  SignInThrottledError,
} from "../errors.js";

/** A refused developer API request; the message is shown to the caller and never quotes a credential. */
export class DataApiError extends Error {
  override name = "DataApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ArmErrorDetail[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const dataApiErrors = {
  unauthorized: (message: string) => new DataApiError(401, "Unauthorized", message),
  notFound: (kind: string) => new DataApiError(404, "ResourceNotFound", `${kind} not found.`),
  validation: (message: string, target: string) =>
    new DataApiError(400, "ValidationError", message, [{ code: "ValidationError", target, message }]),
  unexpected: () =>
    new DataApiError(500, "InternalServerError", "An unexpected error occurred while processing the request."),
};

const retryLater = (error: SignInThrottledError | PasswordHasherBusyError) =>
  new DataApiError(429, "TooManyRequests", error.message, [], { "retry-after": String(error.retryAfterSeconds) });

/** Maps anything thrown while serving a developer API request to what the caller sees. */
export function toDataApiError(error: unknown): DataApiError | undefined {
  if (error instanceof DataApiError) return error;
  if (
    error instanceof AuthorizationHeaderError ||
    error instanceof InvalidCredentialsError ||
    error instanceof InvalidSessionError ||
    error instanceof InvalidTicketError ||
    error instanceof ExpiredTicketError
  ) {
    return dataApiErrors.unauthorized(error.message);
  }
  if (error instanceof AccountBlockedError || error instanceof AccountPendingError) {
    return new DataApiError(403, "Forbidden", error.message);
  }
  if (error instanceof AccountNotFoundError) return dataApiErrors.notFound("User");
  if (error instanceof SignInThrottledError || error instanceof PasswordHasherBusyError) return retryLater(error);
  if (error instanceof PasswordRuleError) return dataApiErrors.validation(error.message, error.target);
  const arm = toArmError(error);
  return arm && new DataApiError(arm.status, arm.code, arm.message, arm.details, arm.headers);
}

export function sendDataApiError(reply: FastifyReply, error: DataApiError) {
  const body = { error: { code: error.code, message: error.message, details: [...error.details] } };
  return reply
    .code(error.status)
    .headers(error.headers)
    .header("cache-control", "no-store")
    .type("application/json; charset=utf-8")
    .send(JSON.stringify(body));
}
