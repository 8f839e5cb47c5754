/** Request and response bodies of the group resources (GroupContract …). */
import { z } from "zod";
import { collection, contract, envelope, patchEnvelope, resource } from "../../../admin/apim/schemas.js";

const type = z.enum(["custom", "system", "external"]);
const groupProperties = z.object({
  displayName: z.string().min(1).max(300),
  description: z.string().max(1000).nullable(),
  type,
  externalId: z.string().nullable(),
});
export const groupPut = contract(
  "GroupCreateParameters",
  envelope(groupProperties.partial().required({ displayName: true })),
);
export const groupPatch = contract("GroupUpdateParameters", patchEnvelope(groupProperties.partial()));

/** GroupContractProperties: also what a user's `groups` lists. */
export const groupContractProperties = contract(
  "GroupContractProperties",
  z.object({
    displayName: z.string(),
    description: z.string().nullable(),
    builtIn: z.boolean(),
    type,
    externalId: z.string().nullable(),
  }),
);
export const groupContract = contract("GroupContract", resource(groupContractProperties));
export type GroupResource = z.output<typeof groupContract>;
export const groupCollection = collection("GroupCollection", groupContract);
