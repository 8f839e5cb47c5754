/**
 * `caching-type` of the cache policies (reference apim.md §2.26). Gatehouse has one cache, the gateway state: shared
 * by every gateway process in Redis with --redis (APIM's external cache), in process memory otherwise (its internal
 * one). Each value is accepted and means that cache.
 */
import type { PolicyElement } from "../definition.js";

const CACHING_TYPES = ["prefer-external", "external", "internal"] as const;

export function readCachingType(element: PolicyElement): void {
  element.enumAttribute("caching-type", CACHING_TYPES, "prefer-external");
}
