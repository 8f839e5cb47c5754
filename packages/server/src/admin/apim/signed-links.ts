/**
 * Links that carry their own signature instead of an admin token, as API Management's SAS URLs do: a trace's
 * location and an API export's download link. The admin token hook lets their GET through; their routes check the
 * signature (an unsigned request to the same routes still needs the token).
 */
import type { FastifyRequest } from "fastify";
import { API_EXPORT_ROUTE } from "../../gateway/model/apis/arm-export.js";
import { TRACE_ROUTE } from "./resources/traces.js";

const SIGNED_ROUTES = [TRACE_ROUTE, API_EXPORT_ROUTE];

export function isSignedLink(request: FastifyRequest): boolean {
  const { sig } = (request.query ?? {}) as Record<string, unknown>;
  const route = request.routeOptions.url ?? "";
  return request.method === "GET" && sig !== undefined && SIGNED_ROUTES.some((signed) => route.endsWith(signed));
}
