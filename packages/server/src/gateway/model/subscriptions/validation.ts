import { MIN_CREDENTIAL_LENGTH } from "../../../security/credential-length.js";
import { checkName, flag, invalid, oneOf, text } from "../checks.js";
import type { Subscription, SubscriptionInput, SubscriptionState } from "./types.js";

/** Printable ASCII without spaces: keys travel in headers and query strings. */
const KEY = /^[\x21-\x7e]+$/;
const MAX_KEY_LENGTH = 256;
const SUBSCRIPTION_STATES: readonly SubscriptionState[] = [
  "active",
  "suspended",
  "submitted",
  "rejected",
  "cancelled",
  "expired",
];

/** The subscription without its keys (checked by `checkKey`); the caller keeps createdDate across replaces. */
export function subscriptionFrom(name: string, input: SubscriptionInput, createdDate: string): Subscription {
  checkName("Subscription", name);
  return {
    name,
    displayName: text("displayName", input.displayName, 100),
    scope: input.scope,
    state: oneOf("state", input.state ?? "active", SUBSCRIPTION_STATES),
    allowTracing: flag("allowTracing", input.allowTracing, false),
    createdDate,
    startDate: date("startDate", input.startDate),
    expirationDate: date("expirationDate", input.expirationDate),
  };
}

export function checkKey(target: "primaryKey" | "secondaryKey", key: string): string {
  // APIM takes 1 to 256 characters; a short key would be guessed, so a given one has the secrets' minimum.
  if (key.length < MIN_CREDENTIAL_LENGTH || key.length > MAX_KEY_LENGTH || !KEY.test(key)) {
    throw invalid(
      target,
      `must be ${MIN_CREDENTIAL_LENGTH} to ${MAX_KEY_LENGTH} printable ASCII characters without spaces.`,
    );
  }
  return key;
}

function date(target: string, value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw invalid(target, "must be an ISO 8601 date-time.");
  return parsed.toISOString();
}
