/** Request and response bodies of the client application resources (ClientApplicationContract …, apim.md §5.4). */
import { z } from "zod";
import { collection, contract, envelope, resource } from "../../../admin/apim/schemas.js";

const STATES = ["pending", "active", "rejected", "approved"] as const;

/** `state`, `entraApplicationId` and `entraTenantId` are read-only: sent back from a GET, they are ignored. */
export const clientApplicationPut = contract(
  "ClientApplicationCreateOrUpdateParameters",
  envelope(
    z.object({
      displayName: z.string().min(1).max(300),
      description: z.string().max(1000).nullable().optional(),
      /** `/users/{userId}`, or the user's full resource id. */
      ownerId: z.string().min(1).max(2000),
    }),
  ),
);

export const clientApplicationContract = contract(
  "ClientApplicationContract",
  resource(
    z.object({
      displayName: z.string(),
      description: z.string().nullable(),
      ownerId: z.string(),
      /** Derived from the product links: `approved` once registered and granted, `pending` before. */
      state: z.enum(STATES),
      /** The client id of its app registration; null while the registration is pending. */
      entraApplicationId: z.string().nullable(),
      entraTenantId: z.string().nullable(),
    }),
  ),
);
export type ClientApplicationResource = z.output<typeof clientApplicationContract>;
export const clientApplicationCollection = collection("ClientApplicationCollection", clientApplicationContract);

export const productLinkPut = contract(
  "ClientApplicationProductLinkContractParameters",
  envelope(z.object({ productId: z.string().min(1).max(2000) })),
);

export const productLinkContract = contract(
  "ClientApplicationProductLinkContract",
  resource(z.object({ productId: z.string() })),
);
export const productLinkCollection = collection("ClientApplicationProductLinkCollection", productLinkContract);

export const clientApplicationSecrets = contract(
  "ClientApplicationSecretsContract",
  z.object({ entra: z.object({ clientSecret: z.string(), expiresAt: z.string() }) }),
);
