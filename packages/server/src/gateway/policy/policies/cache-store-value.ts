/** `cache-store-value` (reference apim.md §2.26): keeps a value under a key for `duration` seconds. */
import type { PolicyDefinition } from "../definition.js";
import { encodeValue, valueKey } from "./cached-value.js";
import { readCachingType } from "./caching-type.js";
import { cached } from "./counter-store.js";
import { integerSetting, valueOf } from "../setting.js";

export const cacheStoreValue: PolicyDefinition = {
  name: "cache-store-value",
  once: "section",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element, environment) {
    const key = element.requiredValueAttribute("key");
    const value = element.requiredValueAttribute("value");
    const duration = integerSetting(element, "duration", undefined, { min: 0 });
    readCachingType(element);
    const { state } = environment.services;
    return {
      policy: "cache-store-value",
      id: element.id,
      async run(context) {
        const seconds = valueOf(duration, context);
        if (seconds === 0) return;
        const stored = encodeValue(value.evaluate(context));
        await cached(state.cacheSet(valueKey(key.text(context)), stored, seconds), undefined);
      },
    };
  },
};
