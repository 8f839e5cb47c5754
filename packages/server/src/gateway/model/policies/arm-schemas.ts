/** Request and response bodies of the policy resources (PolicyContract …). */
import { z } from "zod";
import { collection, contract, envelope, resource } from "../../../admin/apim/schemas.js";

const policyFormat = z.enum(["xml", "rawxml", "xml-link", "rawxml-link"]);
/** The JSON contract, or the XML itself with an XML content type (parsed as text). */
export const policyPut = contract(
  "PolicyCreateOrUpdateParameters",
  z.union([z.string(), envelope(z.object({ value: z.string(), format: policyFormat.optional() }))]),
);
export type PolicyBody = z.output<typeof policyPut>;

export const policyContract = contract(
  "PolicyContract",
  resource(z.object({ value: z.string(), format: z.enum(["xml", "rawxml"]) })),
);
export const policyCollection = collection("PolicyCollection", policyContract);
