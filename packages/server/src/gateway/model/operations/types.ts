/** An operation of an API, with API Management's names (reference apim.md §6.2). */

export interface OperationRepresentation {
  contentType: string;
  /** APIM's `examples: { name: { value } }`; mock-response answers with the first one. */
  examples?: Record<string, { value?: unknown; description?: string }>;
}

export interface OperationResponse {
  statusCode: number;
  description?: string;
  representations?: OperationRepresentation[];
}

export interface Operation {
  api: string;
  name: string;
  displayName: string;
  method: string; // upper case; `*` matches any method
  /** `/users/{id}`, `/files/*`, `/?soapAction=urn:x` — path template, optionally with query template. */
  urlTemplate: string;
  description: string | null;
  responses: OperationResponse[];
}

export interface OperationInput {
  displayName: string;
  /** An HTTP method (upper-cased when stored) or `*`. */
  method: string;
  urlTemplate: string;
  description?: string | null;
  responses?: OperationResponse[];
}
