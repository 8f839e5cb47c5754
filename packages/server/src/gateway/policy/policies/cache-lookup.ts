/**
 * `cache-lookup` (reference apim.md §2.26): for a GET, answers from the response cache when it holds the response
 * (the rest of inbound and the backend are skipped; outbound runs on the cached response, as in API Management); on
 * a miss, cache-store in outbound stores the answer. The key is the product, API, operation and path, plus what the vary-by settings name.
 */
import { ExpressionEvaluationError } from "../../expressions/index.js";
import type { PipelineContext } from "../../pipeline/context.js";
import type { PolicyDefinition, PolicyElement } from "../definition.js";
import { readCachingType } from "./caching-type.js";
import { cached } from "./counter-store.js";
import {
  DOWNSTREAM_CACHING,
  applyDownstream,
  awaitStore,
  decodeResponse,
  type DownstreamCaching,
} from "./response-cache.js";
import { booleanSetting, valueOf } from "../setting.js";

function readDownstreamCaching(element: PolicyElement): (context: PipelineContext) => DownstreamCaching {
  const value = element.valueAttribute("downstream-caching-type");
  if (value === undefined || value.constant !== undefined) {
    const constant = element.enumAttribute("downstream-caching-type", DOWNSTREAM_CACHING, "none");
    return () => constant;
  }
  return (context) => {
    const text = value.text(context).trim().toLowerCase();
    const found = DOWNSTREAM_CACHING.find((allowed) => allowed === text);
    if (found) return found;
    throw new ExpressionEvaluationError(
      `Attribute 'downstream-caching-type' of cache-lookup must be none, private or public, not '${text}'`,
    );
  };
}

/** `vary-by-query-parameter` may list several names separated by semicolons. */
function readNames(element: PolicyElement, child: string): string[] {
  return element.children(child).flatMap((e) =>
    e
      .text()
      .split(";")
      .map((name) => name.trim())
      .filter((name) => name !== ""),
  );
}

export const cacheLookup: PolicyDefinition = {
  name: "cache-lookup",
  once: "section",
  sections: ["inbound"],
  compile(element, environment) {
    const varyByDeveloper = booleanSetting(element, "vary-by-developer");
    const varyByGroups = booleanSetting(element, "vary-by-developer-groups");
    readCachingType(element);
    const downstreamCaching = readDownstreamCaching(element);
    const mustRevalidate = booleanSetting(element, "must-revalidate", true);
    const allowPrivate = booleanSetting(element, "allow-private-response-caching", false);
    const headers = readNames(element, "vary-by-header");
    const parameters = readNames(element, "vary-by-query-parameter");
    const { state } = environment.services;
    return {
      policy: "cache-lookup",
      id: element.id,
      async run(context) {
        const { request, subscription } = context;
        if (request.method !== "GET") return;
        if (request.headers.has("authorization") && !valueOf(allowPrivate, context)) return;
        // Without users and groups of its own, Gatehouse takes the subscription for its developer, and has APIM's
        // built-in groups: guests (no key) and developers.
        const key = JSON.stringify([
          "response",
          context.product?.name ?? null,
          context.api.name,
          context.operation.name,
          request.path,
          parameters.map((name) => request.query.getAll(name)),
          headers.map((name) => request.headers.get(name) ?? null),
          valueOf(varyByDeveloper, context) ? (subscription?.name ?? null) : null,
          valueOf(varyByGroups, context) ? (subscription ? "developers" : "guests") : null,
        ]);
        const downstream = { caching: downstreamCaching(context), mustRevalidate: valueOf(mustRevalidate, context) };
        const stored = await cached(state.cacheGet(key), undefined);
        if (stored === undefined) {
          awaitStore(context, { key, downstream });
          return;
        }
        const { response, expiresAtMs } = decodeResponse(stored);
        applyDownstream(response, downstream, (expiresAtMs - Date.now()) / 1000);
        context.response = response;
        context.skipToOutbound = true;
      },
    };
  },
};
