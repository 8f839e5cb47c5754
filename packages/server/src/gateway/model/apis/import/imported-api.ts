import type { Operation } from "../../operations/types.js";

/**
 * What an imported API document describes, in API Management's contract shapes (reference apim.md §4.8, §4.9, §6.2):
 * the API's own properties, its operations with template parameters, request and responses, and the schemas the
 * representations name. Readers produce it; the API entity stores it; exporters turn it back into a document.
 */

/** The formats whose `value` is the document itself. */
export const DOCUMENT_FORMATS = ["openapi", "openapi+json", "swagger-json", "wsdl"] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** The formats whose `value` is a URL of the document, and the format the fetched document is read as. */
export const LINK_FORMATS = {
  "openapi-link": "openapi",
  "openapi+json-link": "openapi+json",
  "swagger-link-json": "swagger-json",
  "wsdl-link": "wsdl",
} as const satisfies Record<string, DocumentFormat>;
export type LinkFormat = keyof typeof LINK_FORMATS;

export type ImportFormat = DocumentFormat | LinkFormat;

/** What `exportApiDocument` writes: the same names API Management's `?export=true&format=` takes. */
export type ExportFormat = DocumentFormat;

/** API Management's `translateRequiredQueryParameters`: required query parameters become template parameters or not. */
export type RequiredQueryTranslation = "template" | "query";

/**
 * An imported operation is an operation of the gateway model without its API; its name is the operationId normalised
 * as API Management does, unique in the API.
 */
export type ImportedOperation = Omit<Operation, "api">;

/** The content types API Management gives the schema documents an OpenAPI or Swagger import creates. */
export const OPENAPI_COMPONENTS = "application/vnd.oai.openapi.components+json";
export const SWAGGER_DEFINITIONS = "application/vnd.ms-azure-apim.swagger.definitions+json";

/** An API schema (`apis/{api}/schemas/{id}`): the document's named schemas, which representations refer to. */
export type ImportedSchema =
  | { id: string; contentType: typeof OPENAPI_COMPONENTS; document: { components: { schemas: SchemaMap } } }
  | { id: string; contentType: typeof SWAGGER_DEFINITIONS; document: { definitions: SchemaMap } };

export type SchemaMap = Record<string, unknown>;

/** The document an API was imported from, kept so that a WSDL can be exported as it was given. */
export interface StoredDocument {
  format: DocumentFormat;
  text: string;
}

export interface ImportedApi {
  /** From the document (`info.title`, the WSDL service); the request's own value wins over these three. */
  displayName?: string;
  description?: string;
  serviceUrl?: string;
  apiType: "http" | "soap";
  operations: ImportedOperation[];
  schemas: ImportedSchema[];
  document: StoredDocument;
}

/** What a reader makes of a document; the dispatcher adds the document itself. */
export type ReadApi = Omit<ImportedApi, "document">;
