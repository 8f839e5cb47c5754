/**
 * API export as `GET …/apis/{id}?export=true&format=…` answers it: `openapi` (YAML), `openapi+json` and
 * `swagger-json` written from the operations, `wsdl` the document a SOAP API was imported from.
 */
import { stringify } from "yaml";
import type { ExportableApi, ExportableOperation, ExportOptions } from "./exportable-api.js";
import { ExportError, UnsupportedFormatError } from "./import-errors.js";
import { DOCUMENT_FORMATS, type ExportFormat } from "./imported-api.js";
import { openApi3Document } from "./openapi3-writer.js";
import { swagger2Document } from "./swagger2-writer.js";

export function exportApiDocument(
  api: ExportableApi,
  operations: readonly ExportableOperation[],
  format: string,
  options: ExportOptions = {},
): string {
  switch (exportFormat(format)) {
    case "openapi":
      return stringify(openApi3Document(api, operations, options), { aliasDuplicateObjects: false, lineWidth: 0 });
    case "openapi+json":
      return JSON.stringify(openApi3Document(api, operations, options), null, 2);
    case "swagger-json":
      return JSON.stringify(swagger2Document(api, operations, options), null, 2);
    case "wsdl":
      if (api.apiType !== "soap" || api.document?.format !== "wsdl") {
        throw new ExportError("Only a SOAP API imported from a WSDL document can be exported as 'wsdl'.");
      }
      return api.document.text;
  }
}

/** The media type each document is served with, as API Management names them. */
export const DOCUMENT_CONTENT_TYPES: Record<ExportFormat, string> = {
  openapi: "application/vnd.oai.openapi",
  "openapi+json": "application/vnd.oai.openapi+json",
  "swagger-json": "application/vnd.swagger.doc+json",
  wsdl: "application/wsdl+xml",
};

/** An exported document: its format's canonical name, media type and text. */
export interface ExportedDocument {
  format: ExportFormat;
  contentType: string;
  text: string;
}

const JSON_FORMATS: ReadonlySet<ExportFormat> = new Set(["openapi+json", "swagger-json"]);

/**
 * `{ format, value }` as API Management's export answers it: a JSON format's document as an object (which is what
 * @azure/arm-apimanagement's `apiExport.get` parses), YAML and WSDL as text.
 */
export const exportAnswer = (document: ExportedDocument): { format: ExportFormat; value: unknown } => ({
  format: document.format,
  value: JSON_FORMATS.has(document.format) ? (JSON.parse(document.text) as unknown) : document.text,
});

/** The format's canonical name; one Gatehouse does not write is refused by name. */
export function exportFormat(given: string): ExportFormat {
  const format = given.toLowerCase();
  if ((DOCUMENT_FORMATS as readonly string[]).includes(format)) return format as ExportFormat;
  throw new UnsupportedFormatError(
    `The export format '${given.slice(0, 60)}' is not supported: Gatehouse exports ${DOCUMENT_FORMATS.join(", ")}.`,
  );
}
