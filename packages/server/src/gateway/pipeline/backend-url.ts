/**
 * Where forward-request sends the request as it stands: the backend base URL's path, then the request's canonical
 * path (routing/canonical-path.ts) and its query. The forwarder, context.Request.Url, liquid's context.Request.Url,
 * traces and send-request's mode="copy" all read it here, so they cannot disagree.
 */
import type { PipelineContext } from "./context.js";

export interface BackendLocation {
  origin: string;
  /** The base URL's path without its trailing `/`, the request's path, then `?query` when there is one. */
  path: string;
}

/** Without a backend (no serviceUrl and no set-backend-service), the gateway's own URL of the API stands in. */
export function backendLocation(
  context: PipelineContext,
  query: URLSearchParams = context.request.query,
): BackendLocation {
  const { request, backend } = context;
  const base = new URL(backend.baseUrl ?? `${request.originalUrl.origin}/${context.api.path}`);
  const search = query.toString();
  return {
    origin: base.origin,
    path: `${base.pathname.replace(/\/+$/, "")}${request.path}${search ? `?${search}` : ""}`,
  };
}

export function backendUrl(context: PipelineContext): URL {
  const { origin, path } = backendLocation(context);
  // Concatenated, not resolved against the origin: a base path starting `//` must not become a host.
  return new URL(`${origin}${path}`);
}
