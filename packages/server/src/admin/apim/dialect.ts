import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Dialect } from "../operations.js";
import { armErrors, parseArmBody, sendArmError, toArmError } from "./errors.js";
import { armErrorResponse } from "./schemas.js";

function armErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const arm = toArmError(error);
  if (arm && arm.status < 500) return sendArmError(reply, arm);
  request.log.error({ err: error }, "admin request failed");
  // A failed dependency says which (its message is safe); anything else is not explained to the caller.
  return sendArmError(reply, arm?.status === 502 ? arm : armErrors.unexpected());
}

/**
 * Azure Resource Manager as API Management speaks it: plain JSON, ARM error bodies in this context (authentication
 * failures included, since the route's context handles its hooks' errors), unknown paths under the prefix are ARM
 * 404s, and query options other than the ones an operation reads (`api-version` …) are ignored, as ARM does.
 */
export const armDialect: Dialect = {
  contentType: "application/json; charset=utf-8",
  checkQuery: () => undefined,
  parseBody: parseArmBody,
  methodNotAllowed: (method) => armErrors.methodNotAllowed(method),
  install(app: FastifyInstance) {
    app.setErrorHandler(armErrorHandler);
    app.setNotFoundHandler((_request, reply) => sendArmError(reply, armErrors.noRoute()));
  },
  errorSchema: armErrorResponse,
  errorDescription: "An Azure Resource Manager error with API Management's codes",
};
