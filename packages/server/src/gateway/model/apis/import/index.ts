/** API import and export: what the API entity, the ARM routes, the CLI and configuration use. */
export { importApiDocument, readApiDocument, type ImportApiRequest, type ReadOptions } from "./import-api-document.js";
export {
  DOCUMENT_CONTENT_TYPES,
  exportAnswer,
  exportApiDocument,
  exportFormat,
  type ExportedDocument,
} from "./export-api-document.js";
export { importApiDocumentFile } from "./document-file.js";
export { fetchDocument, type FetchedDocument, type LinkFetchOptions } from "./link-fetcher.js";
export { MAX_DOCUMENT_BYTES } from "./document-limits.js";
export type { WsdlSelector } from "./wsdl-reader.js";
export type * from "./exportable-api.js";
export * from "./imported-api.js";
export * from "./import-errors.js";
