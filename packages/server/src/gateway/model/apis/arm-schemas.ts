/** Request and response bodies of the API resources (ApiContract …), with API Management's property names. */
import { z } from "zod";
import { collection, contract, envelope, patchEnvelope, resource } from "../../../admin/apim/schemas.js";

const apiType = z.enum(["http", "soap"]);
const keyParameterNames = z.object({ header: z.string().min(1), query: z.string().min(1) });

const apiProperties = z.object({
  displayName: z.string().min(1).max(300),
  description: z.string().nullable(),
  path: z.string().max(400),
  serviceUrl: z.string().max(2000).nullable(),
  protocols: z.array(z.enum(["http", "https"])).min(1),
  /** `soap` is SOAP pass-through, as `apiType: soap` is on import. */
  type: apiType,
  apiType,
  subscriptionRequired: z.boolean(),
  subscriptionKeyParameterNames: keyParameterNames,
});
export const apiPut = contract(
  "ApiCreateOrUpdateParameter",
  envelope(apiProperties.partial().required({ displayName: true, path: true })),
);
export const apiPatch = contract("ApiUpdateContract", patchEnvelope(apiProperties.partial()));
export type ApiBody = z.output<typeof apiProperties>;

export const apiContract = contract(
  "ApiContract",
  resource(
    z.object({
      displayName: z.string(),
      apiRevision: z.literal("1"),
      description: z.string().nullable(),
      subscriptionRequired: z.boolean(),
      serviceUrl: z.string().nullable(),
      path: z.string(),
      protocols: z.array(z.enum(["http", "https"])),
      subscriptionKeyParameterNames: keyParameterNames,
      isCurrent: z.literal(true),
      type: apiType,
    }),
  ),
);
export type ApiResource = z.output<typeof apiContract>;
export const apiCollection = collection("ApiCollection", apiContract);
