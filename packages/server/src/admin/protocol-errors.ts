/**
 * The admin listener's refusals of requests that never reached a route: node's parser (malformed, too slow, headers
 * too large) and fastify's router (malformed percent-encoding, overlong segment). ARM paths answer in ARM's shape,
 * all others in Graph's, as the routes themselves do.
 */
import { randomUUID } from "node:crypto";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { ErrorPage } from "../listener/client-errors.js";
import { routingRefusal } from "../listener/routing-refusal.js";
import { isArmPath } from "./apim/arm.js";
import { ArmError, armErrorDocument, sendArmError } from "./apim/errors.js";
import { GraphError, graphErrorDocument, sendGraphError } from "./graph-errors.js";

export const adminErrorPage: ErrorPage = (status, message, path) => {
  const headers = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };
  if (path !== undefined && isArmPath(path)) {
    const code = status === 413 ? "RequestEntityTooLarge" : "BadRequest";
    return { headers, body: JSON.stringify(armErrorDocument(new ArmError(status, code, message))) };
  }
  const id = randomUUID();
  const document = graphErrorDocument(new GraphError(status, "BadRequest", message), id, id);
  return { headers: { ...headers, "request-id": id, "client-request-id": id }, body: JSON.stringify(document) };
};

export function adminFrameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const message = routingRefusal(error);
  return isArmPath(request.url.split("?")[0] ?? "/")
    ? sendArmError(reply, new ArmError(400, "BadRequest", message))
    : sendGraphError(request, reply, new GraphError(400, "BadRequest", message));
}
