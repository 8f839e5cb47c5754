/**
 * `cache-lookup-value` (reference apim.md §2.26): reads a value by key into a variable. On a miss the variable gets
 * default-value when there is one and is left unset otherwise (the docs say both "null is assigned" and "the
 * variable isn't set"; unset reads as null).
 */
import type { PolicyDefinition } from "../definition.js";
import { decodeValue, valueKey } from "./cached-value.js";
import { readCachingType } from "./caching-type.js";
import { cached } from "./counter-store.js";

export const cacheLookupValue: PolicyDefinition = {
  name: "cache-lookup-value",
  once: "section",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element, environment) {
    const key = element.requiredValueAttribute("key");
    const fallback = element.valueAttribute("default-value");
    const variable = element.requiredAttribute("variable-name");
    readCachingType(element);
    const { state } = environment.services;
    return {
      policy: "cache-lookup-value",
      id: element.id,
      async run(context) {
        const stored = await cached(state.cacheGet(valueKey(key.text(context))), undefined);
        if (stored !== undefined) context.variables.set(variable, decodeValue(stored));
        else if (fallback !== undefined) context.variables.set(variable, fallback.evaluate(context));
      },
    };
  },
};
