/** Request and response bodies of the subscription resources (SubscriptionContract …); keys only in listSecrets. */
import { z } from "zod";
import { collection, contract, envelope, patchEnvelope, resource } from "../../../admin/apim/schemas.js";
import { MIN_CREDENTIAL_LENGTH } from "../../../security/credential-length.js";

const subscriptionKey = z.string().min(MIN_CREDENTIAL_LENGTH).max(256);
const subscriptionProperties = z.object({
  displayName: z.string().min(1).max(100),
  /** `/apis`, `/apis/{apiId}`, `/products/{productId}`, or a full ARM id ending in one of them. */
  scope: z.string().min(1),
  primaryKey: subscriptionKey,
  secondaryKey: subscriptionKey,
  state: z.enum(["active", "suspended", "submitted", "rejected", "cancelled", "expired"]),
  allowTracing: z.boolean(),
  startDate: z.iso.datetime({ offset: true }).nullable(),
  expirationDate: z.iso.datetime({ offset: true }).nullable(),
});
export const subscriptionPut = contract(
  "SubscriptionCreateParameters",
  envelope(subscriptionProperties.partial().required({ displayName: true, scope: true })),
);
export const subscriptionPatch = contract(
  "SubscriptionUpdateParameters",
  patchEnvelope(subscriptionProperties.partial()),
);
export type SubscriptionBody = z.output<typeof subscriptionProperties>;

export const subscriptionContract = contract(
  "SubscriptionContract",
  resource(
    z.object({
      /** `/apis`, `/apis/{apiId}` or `/products/{productId}`. Keys are never shown: use listSecrets. */
      scope: z.string(),
      displayName: z.string(),
      state: z.enum(["active", "suspended", "submitted", "rejected", "cancelled", "expired"]),
      allowTracing: z.boolean(),
      createdDate: z.string(),
      startDate: z.string().nullable(),
      expirationDate: z.string().nullable(),
    }),
  ),
);
export type SubscriptionResource = z.output<typeof subscriptionContract>;
export const subscriptionCollection = collection("SubscriptionCollection", subscriptionContract);

export const subscriptionKeys = contract(
  "SubscriptionKeysContract",
  z.object({ primaryKey: z.string(), secondaryKey: z.string() }),
);
