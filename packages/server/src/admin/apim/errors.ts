/**
 * Errors of the ARM routes, in the body Azure Resource Manager and API Management answer with:
 * `{ "error": { "code", "message", "details": [{ "code", "target", "message" }] } }`.
 */
import type { FastifyReply } from "fastify";
import { z } from "zod";
import { EntraDirectoryError } from "../../gateway/entra/errors.js";
import {
  GatewayBuiltInError,
  GatewayConflictError,
  GatewayNotFoundError,
  GatewayValidationError,
} from "../../gateway/model/errors.js";
import {
  AccountBlockedError,
  AccountNotFoundError,
  AccountPendingError,
  TokenExpiryError,
} from "../../developer/errors.js";
import { PasswordHasherBusyError } from "../../security/password-hash.js";
import { PasswordRuleError } from "../../security/password-length.js";
import { GraphError } from "../graph-errors.js";
import { RegistryError } from "../../identity/registry-errors.js";
import type { ArmErrorResponse } from "./schemas.js";

export type ArmErrorCode =
  | "AuthenticationFailed"
  | "InvalidAuthenticationToken"
  | "AuthorizationFailed"
  | "ResourceNotFound"
  | "ValidationError"
  | "Conflict"
  | "PreconditionFailed"
  | "MethodNotAllowed"
  | "UnsupportedMediaType"
  | "DirectoryRequestFailed"
  | "RequestEntityTooLarge"
  | "TooManyRequests"
  | "BadRequest"
  | "InternalServerError";

export interface ArmErrorDetail {
  code: string;
  target?: string;
  message: string;
}

/** A refused ARM request; the message is shown to the caller, so it never carries secrets or internals. */
export class ArmError extends Error {
  override name = "ArmError";
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 408 | 409 | 412 | 413 | 415 | 417 | 429 | 431 | 500 | 502,
    readonly code: ArmErrorCode,
    message: string,
    readonly details: readonly ArmErrorDetail[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

const validation = (details: readonly ArmErrorDetail[]) =>
  new ArmError(
    400,
    "ValidationError",
    details.length === 1 && details[0]
      ? details[0].message
      : `One or more fields contain incorrect values: ${details.map((d) => d.message).join(" ")}`,
    details,
  );

/** One property at fault, as API Management reports it. */
const field = (message: string, target?: string): ArmErrorDetail => ({
  code: "ValidationError",
  ...(target !== undefined ? { target } : {}),
  message,
});

export const armErrors = {
  /** `Api not found.`: API Management's wording, the kind named as in its resource model. */
  notFound: (kind: string) => new ArmError(404, "ResourceNotFound", `${kind} not found.`),
  noRoute: () =>
    new ArmError(404, "ResourceNotFound", "The requested URI does not represent any resource on the server."),
  methodNotAllowed: (method: string) =>
    new ArmError(405, "MethodNotAllowed", `The requested resource does not support http method '${method}'.`),
  validation: (message: string, target?: string) => validation([field(message, target)]),
  preconditionFailed: () =>
    new ArmError(
      412,
      "PreconditionFailed",
      "The entity's ETag does not match the If-Match header: it was changed since it was read.",
    ),
  malformedJson: () => validation([field("The request body is not valid JSON.")]),
  unexpected: () =>
    new ArmError(500, "InternalServerError", "An unexpected error occurred while processing the request."),
};

/** Gatehouse's admin authenticator speaks Graph; its refusals get ARM's codes with the same status and challenge. */
function fromGraph(error: GraphError): ArmError | undefined {
  if (error.status === 401) {
    const missing = !/\berror=/.test(error.headers["www-authenticate"] ?? "");
    return missing
      ? new ArmError(
          401,
          "AuthenticationFailed",
          "Authentication failed. The 'Authorization' header is missing.",
          [],
          error.headers,
        )
      : new ArmError(401, "InvalidAuthenticationToken", error.message, [], error.headers);
  }
  if (error.status === 403) return new ArmError(403, "AuthorizationFailed", error.message, [], error.headers);
  // The default tenant cannot be resolved (identity resources that live in a tenant).
  if (error.status === 400) return new ArmError(400, "BadRequest", error.message);
  if (error.status === 404) return new ArmError(404, "ResourceNotFound", error.message);
  return undefined;
}

const REGISTRY_ERRORS = {
  not_found: (message: string) => new ArmError(404, "ResourceNotFound", message),
  invalid: (message: string) => validation([field(message)]),
  conflict: (message: string) => new ArmError(409, "Conflict", message),
} as const;

/** Framework request errors (body parsing, limits) that are the caller's fault. */
function frameworkError(error: { statusCode?: unknown; code?: unknown }): ArmError | undefined {
  const status = typeof error.statusCode === "number" ? error.statusCode : undefined;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  if (error.code === "FST_ERR_CTP_INVALID_JSON_BODY") return armErrors.malformedJson();
  if (status === 413) return new ArmError(413, "RequestEntityTooLarge", "The request body is too large.");
  if (status === 415) {
    return new ArmError(
      415,
      "UnsupportedMediaType",
      "The request body must be JSON (Content-Type: application/json), or policy XML where a policy is expected.",
    );
  }
  return validation([field("The request is malformed.")]);
}

/** `properties.displayName`, `properties.responses[0].statusCode`: the property as the caller wrote it. */
function propertyPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

/** Marks a missing value in zod issues (see `parseArmBody`), so it reads "is required". */
const MISSING = "missing";

/** Targets name the property as API Management does: `displayName`, not `properties.displayName`. */
function zodDetails(error: z.ZodError): ArmErrorDetail[] {
  return error.issues.map((issue) => {
    const target = propertyPath(
      issue.path[0] === "properties" && issue.path.length > 1 ? issue.path.slice(1) : issue.path,
    );
    if (target === "") return field(`The request body is invalid: ${issue.message}.`);
    if (issue.message === MISSING) return field(`Property '${target}' is required.`, target);
    return field(`Invalid value for property '${target}': ${issue.message}.`, target);
  });
}

/** Validates a request body; a missing required property gets its own message. */
export function parseArmBody(schema: z.ZodType, body: unknown): unknown {
  return schema.parse(body ?? {}, { error: (issue) => (issue.input === undefined ? MISSING : undefined) });
}

/** Maps anything thrown while serving an ARM request to the error the caller sees. */
export function toArmError(error: unknown): ArmError | undefined {
  if (error instanceof ArmError) return error;
  if (error instanceof GatewayNotFoundError) return armErrors.notFound(error.kind);
  if (error instanceof GatewayValidationError) {
    const details = error.details.map((d) => field(d.message, d.target));
    return new ArmError(400, "ValidationError", error.message, details.length > 0 ? details : [field(error.message)]);
  }
  if (error instanceof GatewayConflictError) return new ArmError(409, "Conflict", error.message);
  if (error instanceof GatewayBuiltInError) return new ArmError(405, "MethodNotAllowed", error.message);
  if (error instanceof PasswordRuleError || error instanceof TokenExpiryError) {
    return armErrors.validation(error.message, error.target);
  }
  if (error instanceof AccountNotFoundError) return armErrors.notFound("User");
  // A link or token for a blocked (or not yet active) user: its state must change first.
  if (error instanceof AccountBlockedError || error instanceof AccountPendingError) {
    return new ArmError(409, "Conflict", error.message);
  }
  if (error instanceof PasswordHasherBusyError) {
    return new ArmError(429, "TooManyRequests", error.message, [], {
      "retry-after": String(error.retryAfterSeconds),
    });
  }
  if (error instanceof z.ZodError) return validation(zodDetails(error));
  if (error instanceof GraphError) return fromGraph(error);
  if (error instanceof RegistryError) return REGISTRY_ERRORS[error.kind](error.message);
  // The gateway's Entra client names the Graph call and Graph's answer, never a secret (gateway/entra/errors.ts).
  if (error instanceof EntraDirectoryError) {
    return new ArmError(
      502,
      "DirectoryRequestFailed",
      `The change needs the gateway's Entra directory, which did not complete it: ${error.message}`,
    );
  }
  if (typeof error === "object" && error !== null) return frameworkError(error);
  return undefined;
}

export function armErrorDocument(error: ArmError): ArmErrorResponse {
  return { error: { code: error.code, message: error.message, details: [...error.details] } };
}

export function sendArmError(reply: FastifyReply, error: ArmError) {
  const body = armErrorDocument(error);
  return reply
    .code(error.status)
    .headers(error.headers)
    .header("cache-control", "no-store")
    .type("application/json; charset=utf-8")
    .send(JSON.stringify(body));
}
