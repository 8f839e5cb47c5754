/**
 * An operation of an API, with API Management's names (reference apim.md §6.2): its request (template, query and
 * header parameters, body representations) and responses are API Management's contracts, which an import fills in
 * and an export, mock-response and the developer portal read.
 */

/** APIM's ParameterExampleContract; mock-response answers with the first example that has a value. */
export interface OperationExample {
  value?: unknown;
  description?: string;
}

/** `{ name: { value, description } }`. */
export type OperationExamples = Record<string, OperationExample>;

/** APIM's ParameterContract: template, query, header and form parameters alike. */
export interface ParameterContract {
  name: string;
  /** The JSON Schema type (`string`, `integer`, `number`, `boolean`, `array`, `object`; Swagger's `file`). */
  type: string;
  required: boolean;
  description?: string;
  /** As text, as API Management keeps it. */
  defaultValue?: string;
  /** The allowed values (`enum`), as text. */
  values: string[];
}

/** A parameter as given to PUT: `required` defaults to false, `values` to none. */
export type ParameterInput = Omit<ParameterContract, "required" | "values"> & { required?: boolean; values?: string[] };

/** APIM's RepresentationContract: a body's content type, examples, schema reference and form fields. */
export interface OperationRepresentation {
  contentType: string;
  examples?: OperationExamples;
  /** With `typeName`: the API schema (`apis/{api}/schemas/{schemaId}`) and the type in it that describes the body. */
  schemaId?: string;
  typeName?: string;
  /** The fields of a form body (`application/x-www-form-urlencoded`, `multipart/form-data`). */
  formParameters?: ParameterContract[];
}

export type RepresentationInput = Omit<OperationRepresentation, "formParameters"> & {
  formParameters?: ParameterInput[];
};

/** APIM's RequestContract. */
export interface OperationRequest {
  description?: string;
  queryParameters: ParameterContract[];
  headers: ParameterContract[];
  representations: OperationRepresentation[];
}

export interface RequestInput {
  description?: string;
  queryParameters?: ParameterInput[];
  headers?: ParameterInput[];
  representations?: RepresentationInput[];
}

/** APIM's ResponseContract. */
export interface OperationResponse {
  statusCode: number;
  description?: string;
  representations: OperationRepresentation[];
  headers: ParameterContract[];
}

export interface ResponseInput {
  statusCode: number;
  description?: string;
  representations?: RepresentationInput[];
  headers?: ParameterInput[];
}

export interface Operation {
  api: string;
  name: string;
  displayName: string;
  method: string; // upper case; `*` matches any method
  /** `/users/{id}`, `/files/*`, `/?soapAction=urn:x` — path template, optionally with query template. */
  urlTemplate: string;
  description: string | null;
  /** One per `{name}` of the template, in template order. */
  templateParameters: ParameterContract[];
  request: OperationRequest;
  responses: OperationResponse[];
}

export interface OperationInput {
  displayName: string;
  /** An HTTP method (upper-cased when stored) or `*`. */
  method: string;
  urlTemplate: string;
  description?: string | null;
  /** Parameters of the template; those it names but this does not list are required strings. */
  templateParameters?: ParameterInput[];
  request?: RequestInput | null;
  responses?: ResponseInput[];
}
