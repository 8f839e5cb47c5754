import type { FastifyRequest } from "fastify";
import type { CredentialNames } from "./credential-names.js";

/** The request as the listeners log it: credential query parameters (a trace link's `sig` too) hidden. */
export const logSerializers = (names: CredentialNames) => ({
  req(request: FastifyRequest) {
    return { method: request.method, url: names.redact(request.url), remoteAddress: request.ip };
  },
});
