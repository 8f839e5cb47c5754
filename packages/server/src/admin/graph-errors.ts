import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { RegistryError } from "../identity/registry-errors.js";
import type { GraphErrorResponse } from "./schemas.js";

/** The Microsoft Graph error codes the admin API answers with. */
export type GraphErrorCode =
  | "InvalidAuthenticationToken"
  | "Authorization_RequestDenied"
  | "Request_ResourceNotFound"
  | "Request_BadRequest"
  | "Request_UnsupportedQuery"
  | "BadRequest"
  | "generalException";

export type GraphErrorStatus = 400 | 401 | 403 | 404 | 405 | 408 | 413 | 415 | 417 | 431 | 500;

/** A refused admin request; `message` is shown to the caller, so it never carries secrets or internals. */
export class GraphError extends Error {
  override name = "GraphError";
  constructor(
    readonly status: GraphErrorStatus,
    readonly code: GraphErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

const badRequest = (message: string) => new GraphError(400, "Request_BadRequest", message);

export const graphErrors = {
  /** RFC 6750: no `error` attribute when the request carried no token at all. */
  missingToken: () =>
    new GraphError(401, "InvalidAuthenticationToken", "Access token is empty.", {
      "www-authenticate": 'Bearer realm=""',
    }),
  invalidToken: (message: string) =>
    new GraphError(401, "InvalidAuthenticationToken", message, {
      "www-authenticate": 'Bearer realm="", error="invalid_token"',
    }),
  insufficientPrivileges: () =>
    new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
  readOnly: (what: string) =>
    new GraphError(
      403,
      "Authorization_RequestDenied",
      `${what} is built in and cannot be changed through the admin API.`,
    ),
  notFound: (id: string) =>
    new GraphError(
      404,
      "Request_ResourceNotFound",
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    ),
  noRoute: (path: string) =>
    new GraphError(404, "Request_ResourceNotFound", `Resource not found for the segment '${path}'.`),
  methodNotAllowed: () =>
    new GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target."),
  badRequest,
  invalidId: (id: string) => badRequest(`Invalid object identifier '${id}'.`),
  unsupportedQuery: (message: string) => new GraphError(400, "Request_UnsupportedQuery", message),
  malformedJson: () =>
    new GraphError(
      400,
      "BadRequest",
      "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
    ),
  unexpected: () =>
    new GraphError(500, "generalException", "An unexpected error occurred while processing the request."),
};

const REGISTRY_STATUS = {
  not_found: (message: string) => new GraphError(404, "Request_ResourceNotFound", message),
  invalid: badRequest,
  // Graph answers duplicates (identifierUris, assignments …) with 400, not 409.
  conflict: badRequest,
} as const;

/** Framework request errors (body parsing, limits) that are the caller's fault; anything else is a 500. */
function frameworkError(error: { statusCode?: unknown; code?: unknown; message?: unknown }): GraphError | undefined {
  const status = typeof error.statusCode === "number" ? error.statusCode : undefined;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  if (error.code === "FST_ERR_CTP_INVALID_JSON_BODY") return graphErrors.malformedJson();
  if (status === 413) return new GraphError(413, "BadRequest", "The request body is too large.");
  if (status === 415)
    return new GraphError(415, "BadRequest", "The request body must be JSON (Content-Type: application/json).");
  return new GraphError(400, "BadRequest", typeof error.message === "string" ? error.message : "Bad request.");
}

/** Maps anything thrown while serving a request to the Graph error the caller sees. */
export function toGraphError(error: unknown): GraphError | undefined {
  if (error instanceof GraphError) return error;
  if (error instanceof RegistryError) return REGISTRY_STATUS[error.kind](error.message);
  if (error instanceof z.ZodError) return badRequest(describeIssue(error.issues[0]));
  if (typeof error === "object" && error !== null) return frameworkError(error);
  return undefined;
}

/** `appRoles[0].id` style property paths, as a caller would write them. */
function propertyPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

/** One zod issue as a sentence naming the property; missing values are reported as such (see `parseBody`). */
function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return "The request body is invalid.";
  const path = propertyPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const name = propertyPath([...issue.path, issue.keys[0] ?? ""]);
    return `Property '${name}' does not exist on this resource.`;
  }
  if (path === "") return `The request body is invalid: ${issue.message}.`;
  if (issue.message === MISSING) return `Property '${path}' is required.`;
  return `Invalid value for property '${path}': ${issue.message}.`;
}

const MISSING = "missing";

/** Validates a request body; a missing required property gets its own message. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  return schema.parse(body, { error: (issue) => (issue.input === undefined ? MISSING : undefined) });
}

/** Graph's `innerError.date`: ISO 8601 without milliseconds. */
const graphDate = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

const CLIENT_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The caller's `client-request-id` when it is a plausible id, otherwise our own request id. */
export function clientRequestId(request: FastifyRequest): string {
  const given = request.headers["client-request-id"];
  return typeof given === "string" && CLIENT_REQUEST_ID.test(given) ? given : request.id;
}

export function graphErrorBody(request: FastifyRequest, error: GraphError): GraphErrorResponse {
  return graphErrorDocument(error, request.id, clientRequestId(request));
}

export function graphErrorDocument(error: GraphError, requestId: string, clientId: string): GraphErrorResponse {
  return {
    error: {
      code: error.code,
      message: error.message,
      innerError: { date: graphDate(new Date()), "request-id": requestId, "client-request-id": clientId },
    },
  };
}

export function sendGraphError(request: FastifyRequest, reply: FastifyReply, error: GraphError) {
  return reply
    .code(error.status)
    .headers(error.headers)
    .header("cache-control", "no-store")
    .type("application/json; charset=utf-8")
    .send(JSON.stringify(graphErrorBody(request, error)));
}
