import type { PolicyScope } from "../configuration.js";

/** A policy document at its scope (global, product, API or operation). */
export interface PolicyDocument {
  scope: PolicyScope;
  /** The XML exactly as given (APIM's `rawxml`: expressions may hold characters XML forbids). */
  xml: string;
}

/** APIM's default global policy: forward every request to the backend. */
export const DEFAULT_GLOBAL_POLICY = `<policies>
  <inbound />
  <backend>
    <forward-request />
  </backend>
  <outbound />
  <on-error />
</policies>`;
