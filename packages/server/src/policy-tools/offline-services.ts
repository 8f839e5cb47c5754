/** The services policies compile and run with outside a gateway: nothing reaches the network. */
import { KeySources } from "../gateway/jwt/key-sources.js";
import type { JsonDocumentSource } from "../gateway/jwt/document-fetcher.js";
import type { PolicyServices } from "../gateway/policy/definition.js";
import { MemoryState } from "../gateway/state/memory-state.js";
import { OfflineIssuers } from "./testing/offline-issuers.js";

/** validate-azure-ad-token's authority, as in API Management. */
export const OFFLINE_AZURE_AD_AUTHORITY = "https://login.microsoftonline.com";

/**
 * openid-config and JWKS documents come from `documents` (by default, none are served); counters and caches live as
 * long as the services.
 */
export function offlineServices(
  documents: JsonDocumentSource = new OfflineIssuers([], OFFLINE_AZURE_AD_AUTHORITY),
): PolicyServices {
  return {
    keySources: new KeySources({ documents }),
    azureAdAuthority: OFFLINE_AZURE_AD_AUTHORITY,
    state: new MemoryState(),
  };
}
