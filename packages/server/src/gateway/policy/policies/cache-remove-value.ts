/** `cache-remove-value` (reference apim.md §2.26): forgets the value stored under a key. */
import type { PolicyDefinition } from "../definition.js";
import { valueKey } from "./cached-value.js";
import { readCachingType } from "./caching-type.js";
import { cached } from "./counter-store.js";

export const cacheRemoveValue: PolicyDefinition = {
  name: "cache-remove-value",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element, environment) {
    const key = element.requiredValueAttribute("key");
    readCachingType(element);
    const { state } = environment.services;
    return {
      policy: "cache-remove-value",
      id: element.id,
      async run(context) {
        await cached(state.cacheDelete(valueKey(key.text(context))), undefined);
      },
    };
  },
};
