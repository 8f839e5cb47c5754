/**
 * What an exporter reads: the API's properties with the document it was imported from, and operations of the
 * gateway model (their API left out, so imported operations can be passed as they are).
 */
import type { ImportedOperation, ImportedSchema, StoredDocument } from "./imported-api.js";

export interface ExportableApi {
  displayName: string;
  description: string | null;
  serviceUrl: string | null;
  apiType: "http" | "soap";
  subscriptionRequired: boolean;
  subscriptionKeyParameterNames: { header: string; query: string };
  /** The document the API was imported from, if it was. */
  document?: StoredDocument | null;
}

export type ExportableOperation = ImportedOperation;

export interface ExportOptions {
  /** The API's schemas, which representations name by `schemaId` and `typeName`. */
  schemas?: readonly ImportedSchema[];
  /** The server the document names; default the API's service URL. */
  serverUrl?: string;
}
