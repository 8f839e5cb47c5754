import type { FastifyInstance } from "fastify";
import { parseArmBody } from "../../admin/apim/errors.js";
import { armErrorResponse } from "../../admin/apim/schemas.js";
import type { Dialect } from "../../admin/operations.js";
import { DataApiError, dataApiErrors, sendDataApiError, toDataApiError } from "./errors.js";

/**
 * The developer API speaks as API Management's data API: plain JSON, errors in its body, unknown paths under
 * `/developer` are its 404s, and query options an operation does not read are ignored, as the portal expects.
 */
export const dataApiDialect: Dialect = {
  contentType: "application/json; charset=utf-8",
  checkQuery: () => undefined,
  parseBody: parseArmBody,
  methodNotAllowed: (method) =>
    new DataApiError(405, "MethodNotAllowed", `The requested resource does not support http method '${method}'.`),
  install(app: FastifyInstance) {
    app.setErrorHandler((error, request, reply) => {
      const known = toDataApiError(error);
      if (known && known.status < 500) return sendDataApiError(reply, known);
      request.log.error({ err: error }, "developer API request failed");
      // A failed dependency (the gateway's Entra directory) says which; anything else is not explained.
      return sendDataApiError(reply, known?.status === 502 ? known : dataApiErrors.unexpected());
    });
    app.setNotFoundHandler((_request, reply) =>
      sendDataApiError(
        reply,
        new DataApiError(404, "ResourceNotFound", "The requested URI does not represent any resource on the server."),
      ),
    );
  },
  errorSchema: armErrorResponse,
  errorDescription: "An error in the body of API Management's data API",
};
