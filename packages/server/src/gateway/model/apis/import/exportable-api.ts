/**
 * What an exporter reads: the API and operation shapes of the gateway model (gateway/model.ts) with the contract
 * fields an import adds, all optional, so the stored entities can be passed as they are.
 */
import type {
  ImportedExamples,
  ImportedParameter,
  ImportedRequest,
  ImportedSchema,
  StoredDocument,
} from "./imported-api.js";

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

export interface ExportableRepresentation {
  contentType: string;
  examples?: ImportedExamples;
  schemaId?: string;
  typeName?: string;
  formParameters?: ImportedParameter[];
}

export interface ExportableResponse {
  statusCode: number;
  description?: string;
  representations?: ExportableRepresentation[];
  headers?: ImportedParameter[];
}

export interface ExportableOperation {
  name: string;
  displayName: string;
  method: string;
  urlTemplate: string;
  description: string | null;
  /** Template parameters the template names but this does not list are plain required strings. */
  templateParameters?: ImportedParameter[];
  request?: Partial<Omit<ImportedRequest, "representations">> & { representations?: ExportableRepresentation[] };
  responses: ExportableResponse[];
}

export interface ExportOptions {
  /** The API's schemas, which representations name by `schemaId` and `typeName`. */
  schemas?: readonly ImportedSchema[];
  /** The server the document names; default the API's service URL (API Management names its gateway's URL). */
  serverUrl?: string;
}
