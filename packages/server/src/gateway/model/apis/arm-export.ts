/**
 * API export as API Management answers `GET …/apis/{apiId}?export=true&format=…` (reference apim.md §6.2):
 * `{ id, format, value }` with the document as `value` (a JSON format's as an object, YAML and WSDL as text), or,
 * for the `*-link` formats @azure/arm-apimanagement's `apiExport.get` names, `value: { link }`: a download URL valid
 * for five minutes that needs no token, as APIM's SAS link to a storage blob. The link is served here, below the
 * API, and also answers an admin token without a signature.
 */
import { ok, operation, type Operation, type OperationResult, type RequestContext } from "../../../admin/operations.js";
import { API_VERSION, serviceId } from "../../../admin/apim/arm.js";
import { ArmError, armErrors } from "../../../admin/apim/errors.js";
import type { AlternateRead } from "../../../admin/apim/crud.js";
import type { GatewayRegistry } from "../registry.js";
import { apiExportResult } from "./arm-schemas.js";
import { DOCUMENT_FORMATS, exportAnswer, UnsupportedFormatError, type ExportFormat } from "./import/index.js";
import type { Api } from "./types.js";

/** The download route (`{apiId}` and `{format}` as fastify writes them), which signed-links.ts lets through. */
export const API_EXPORT_ROUTE = "/apis/:apiId/exports/:format";

/** The `*-link` formats: the document each names, and the format API Management's answer gives for it. */
const LINK_FORMATS: Readonly<Record<string, { document: ExportFormat; answer: string }>> = {
  "openapi-link": { document: "openapi", answer: "openapi-link" },
  "openapi+json-link": { document: "openapi+json", answer: "openapi+json-link" },
  "swagger-link": { document: "swagger-json", answer: "swagger-link-json" },
  "wsdl-link": { document: "wsdl", answer: "wsdl-link+xml" },
};

const EXPORT_FORMATS = [...DOCUMENT_FORMATS, ...Object.keys(LINK_FORMATS)].join(", ");

const LINK_LIFETIME_MS = 5 * 60 * 1000;

const queryOption = (context: RequestContext, name: string): string | undefined => {
  const value = context.query[name];
  if (value === undefined || typeof value === "string") return value;
  throw armErrors.validation(`Query option '${name}' was given more than once.`, name);
};

/** The link's subject: the API and the document it downloads. */
const subject = (api: string, format: ExportFormat) => `${api}\n${format}`;

/**
 * The answer to `?export=true&format=…` for an API: `{ id, format, value }`. For the ARM GET (`exportRead`) and for
 * the developer API's `GET /developer/apis/{apiId}?export=true&format=…` (its catalog's `ApiExport`), whose link is
 * the same signed download link, usable without a token.
 */
export async function apiExportAnswer(
  gateway: GatewayRegistry,
  context: RequestContext,
  api: Api,
): Promise<OperationResult> {
  const flag = queryOption(context, "export");
  if (flag?.toLowerCase() !== "true") throw armErrors.validation("Query option 'export' must be 'true'.", "export");
  // `openapi+json` unencoded in a query reads as `openapi json`; no format has a space.
  const format = queryOption(context, "format")?.replaceAll(" ", "+");
  if (format === undefined) throw armErrors.validation("Query option 'format' is required to export.", "format");
  const id = `${serviceId(context)}/apis/${api.name}`;
  const link = LINK_FORMATS[format.toLowerCase()];
  if (link === undefined) {
    if (!(DOCUMENT_FORMATS as readonly string[]).includes(format.toLowerCase())) {
      throw new UnsupportedFormatError(
        `The export format '${format.slice(0, 60)}' is not supported: Gatehouse exports ${EXPORT_FORMATS}.`,
      );
    }
    return ok({ id, ...exportAnswer(await gateway.apis.exportDocument(api.name, format)) });
  }
  // Made once now, so that what the download would refuse (wsdl of an API not imported from one) is refused here.
  await gateway.apis.exportDocument(api.name, link.document);
  const query = await gateway.read(async (tx) =>
    tx.secrets.exportLinks.query(subject(api.name, link.document), Date.now() + LINK_LIFETIME_MS),
  );
  const { request } = context;
  const url = `${request.protocol}://${request.host}${id}/exports/${encodeURIComponent(link.document)}?${query}`;
  return ok({ id, format: link.answer, value: { link: url } });
}

/** `?export=true&format=…` on GET of an API (crud.ts's alternate read). */
export function exportRead(gateway: GatewayRegistry): AlternateRead<Api> {
  return {
    parameters: [
      { name: "export", in: "query", description: "`true`: answer the API as a document", schema: { type: "string" } },
      {
        name: "format",
        in: "query",
        description:
          "With export=true: openapi, openapi+json, swagger-json, wsdl (the document as `value`), or openapi-link, " +
          "openapi+json-link, swagger-link, wsdl-link (`value.link`, valid for five minutes)",
        schema: { type: "string" },
      },
    ],
    schema: apiExportResult,
    read: async (context, api) =>
      queryOption(context, "export") === undefined ? undefined : apiExportAnswer(gateway, context, api),
  };
}

/** `GET …/apis/{apiId}/exports/{format}`: the document, for a signed link or an admin token. */
export function exportDownload(gateway: GatewayRegistry): Operation {
  return operation({
    method: "GET",
    path: "/apis/{apiId}/exports/{format}",
    summary: "An API as a document, with the link an export to a *-link format gives or an admin token",
    tag: "apim: apis",
    parameters: [
      API_VERSION,
      { name: "expires", in: "query", description: "The link's expiry (from the link)", schema: { type: "string" } },
      { name: "sig", in: "query", description: "The link's signature (from the link)", schema: { type: "string" } },
    ],
    response: { status: 200, description: "The document (OpenAPI YAML or JSON, Swagger JSON or WSDL)" },
    handle: async (context) => {
      const api = context.param("apiId");
      const format = context.param("format");
      const sig = queryOption(context, "sig");
      if (sig !== undefined) {
        const expires = queryOption(context, "expires") ?? "";
        const valid = await gateway.read(async (tx) =>
          tx.secrets.exportLinks.verify(subject(api, format as ExportFormat), expires, sig, Date.now()),
        );
        if (!valid) throw new ArmError(403, "AuthorizationFailed", "The export link is not valid or has expired.");
      }
      const document = await gateway.apis.exportDocument(api, format);
      return { status: 200, body: document.text, contentType: `${document.contentType}; charset=utf-8` };
    },
  });
}
