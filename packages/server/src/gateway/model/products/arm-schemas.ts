/** Request and response bodies of the product resources (ProductContract …). */
import { z } from "zod";
import { collection, contract, envelope, patchEnvelope, resource } from "../../../admin/apim/schemas.js";
import { apiContract } from "../apis/arm-schemas.js";

const productProperties = z.object({
  displayName: z.string().min(1).max(300),
  description: z.string().max(1000).nullable(),
  terms: z.string().nullable(),
  subscriptionRequired: z.boolean(),
  approvalRequired: z.boolean(),
  subscriptionsLimit: z.number().int().min(0).nullable(),
  state: z.enum(["published", "notPublished"]),
  /** `subscription-key` and/or `application-token`; each is checked by name (productFrom). */
  authenticationType: z.array(z.string()).max(2),
});
export const productPut = contract(
  "ProductCreateOrUpdateParameters",
  envelope(productProperties.partial().required({ displayName: true })),
);
export const productPatch = contract("ProductUpdateParameters", patchEnvelope(productProperties.partial()));

/** What the ARM contract and the developer API's contract show alike of a product (shownProductFields). */
export const shownProductShape = {
  displayName: z.string(),
  description: z.string().nullable(),
  terms: z.string().nullable(),
  subscriptionRequired: z.boolean(),
  approvalRequired: z.boolean(),
  subscriptionsLimit: z.number().nullable(),
};

export const productContract = contract(
  "ProductContract",
  resource(
    z.object({
      ...shownProductShape,
      state: z.enum(["published", "notPublished"]),
      authenticationType: z.array(z.enum(["subscription-key", "application-token"])),
      /** Read-only: the product's app registration, present while application-token is on. */
      application: z.object({ entra: z.object({ applicationId: z.string(), audience: z.string() }) }).optional(),
    }),
  ),
);
export type ProductResource = z.output<typeof productContract>;
export const productCollection = collection("ProductCollection", productContract);

export const productApiCollection = collection("ProductApiCollection", apiContract);
