import type { FastifyRequest } from "fastify";

/** Query parameters whose values must never reach a log, even if a client puts them in the URL. */
const SENSITIVE = /^(client_secret|client_assertion|secret|password|access_token|code|token|subscription-key)$/i;

/** The path with sensitive query values replaced, so a misplaced secret in a URL is not written to the log. */
export function redactUrl(url: string, alsoSensitive?: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const extra = alsoSensitive?.toLowerCase();
  for (const key of [...params.keys()]) {
    if (SENSITIVE.test(key) || key.toLowerCase() === extra) params.set(key, "***");
  }
  return `${url.slice(0, q)}?${params.toString()}`;
}

export const logSerializers = {
  req(request: FastifyRequest) {
    return { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip };
  },
};
