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

/** PUT only: the document to import (reference apim.md §4.9); `format` is checked by the import, naming it. */
const importProperties = z.object({
  format: z.string().min(1),
  /** The document, or its URL for a `*-link` format. */
  value: z.string().min(1),
  wsdlSelector: z
    .object({ wsdlServiceName: z.string().optional(), wsdlEndpointName: z.string().optional() })
    .nullable(),
  translateRequiredQueryParameters: z.enum(["template", "query"]).nullable(),
});

/** displayName may come from the imported document instead. */
export const apiPut = contract(
  "ApiCreateOrUpdateParameter",
  envelope(apiProperties.partial().required({ path: true }).extend(importProperties.partial().shape)),
);
/** An import is a PUT: a PATCH naming `format` or `value` is refused rather than applied without them. */
export const apiPatch = contract(
  "ApiUpdateContract",
  patchEnvelope(apiProperties.partial().extend({ format: z.unknown().optional(), value: z.unknown().optional() })),
);
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

/**
 * `?export=true&format=…`: the document itself (a JSON format's as an object, YAML and WSDL as text), or for a
 * `*-link` format `{ link }`, a download URL valid for five minutes, as API Management's SAS link is.
 */
export const apiExportResult = contract(
  "ApiExportResult",
  z.object({
    id: z.string(),
    format: z.string(),
    value: z.union([z.string(), z.record(z.string(), z.unknown())]),
  }),
);
