/** The caller's words for fastify's routing refusals, whose own texts name fastify's codes. */
export function routingRefusal(error: { code?: string }): string {
  return error.code === "FST_ERR_MAX_PARAM_LENGTH"
    ? "A segment of the request path is too long."
    : "The request path is not valid: it has a malformed percent-encoding.";
}
