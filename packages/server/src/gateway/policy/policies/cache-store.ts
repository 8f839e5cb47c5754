/**
 * `cache-store` (reference apim.md §2.26): after a cache-lookup that missed, keeps the response for `duration`
 * seconds: a 200 only, unless cache-response is true. The body is read into memory to be stored and sent.
 */
import { bufferBody } from "../../pipeline/body-buffer.js";
import type { PolicyDefinition } from "../definition.js";
import { cached } from "./counter-store.js";
import { applyDownstream, encodeResponse, takePending } from "./response-cache.js";
import { booleanSetting, integerSetting, valueOf } from "../setting.js";

export const cacheStore: PolicyDefinition = {
  name: "cache-store",
  once: "section",
  sections: ["outbound"],
  compile(element, environment) {
    const duration = integerSetting(element, "duration", undefined, { min: 0 });
    const cacheResponse = booleanSetting(element, "cache-response", false);
    const { state } = environment.services;
    return {
      policy: "cache-store",
      id: element.id,
      async run(context) {
        const entry = takePending(context);
        const { response } = context;
        if (entry === undefined || response === undefined) return;
        if (response.statusCode !== 200 && !valueOf(cacheResponse, context)) return;
        const seconds = valueOf(duration, context);
        if (seconds === 0) return;
        await bufferBody(response, "response");
        const stored = encodeResponse(response, Date.now() + seconds * 1000);
        applyDownstream(response, entry.downstream, seconds);
        await cached(state.cacheSet(entry.key, stored, seconds), undefined);
      },
    };
  },
};
