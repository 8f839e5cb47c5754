import { graphErrors } from "./graph-errors.js";
import type { RequestContext } from "./operations.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A directory object id from the URL: a GUID (any case, stored lower-case) or Graph's 400. */
export function objectId(value: string): string {
  if (!GUID.test(value)) throw graphErrors.invalidId(value);
  return value.toLowerCase();
}

/** How the URL names an object: `/{id}`, or Graph's alternate key `(appId='{appId}')`. */
export interface EntityKey {
  property: "id" | "appId";
  value: string;
}

export function entityKey(context: RequestContext): EntityKey {
  const params = context.request.params as Record<string, string | undefined>;
  if (params.appId !== undefined) return { property: "appId", value: objectId(params.appId) };
  return { property: "id", value: objectId(context.param("id")) };
}
