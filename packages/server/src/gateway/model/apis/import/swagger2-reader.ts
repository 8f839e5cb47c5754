/**
 * Swagger 2.0 (OpenAPI 2) documents as API Management imports them: `schemes`, `host` and `basePath` make the service
 * URL (HTTPS first; what the document was fetched from fills in a missing host or scheme), `body` and `formData`
 * parameters the request representations of each `consumes` type, responses one representation per `produces` type
 * with the example given for it.
 */
import type { DocumentRefs } from "./document-refs.js";
import { schemaExample, singleExample } from "./examples.js";
import { BODYLESS_METHODS, STATUS_CODE } from "./http-methods.js";
import { DocumentParseError } from "./import-errors.js";
import type { ImportedOperation, ReadApi } from "./imported-api.js";
import type { OperationRepresentation, OperationResponse, ParameterContract } from "../../operations/types.js";
import {
  asObject,
  defined,
  optionalArray,
  optionalBoolean,
  optionalObject,
  optionalString,
  requiredString,
  type JsonObject,
} from "./json-value.js";
import type { OpenApiReadOptions } from "./openapi3-reader.js";
import type { LocatedParameter } from "./operation-shape.js";
import { describedParameter } from "./parameter-contract.js";
import { OperationHeads, pathOperations, type PathOperation } from "./path-operations.js";
import { SchemaCollector } from "./schema-collector.js";
import { absoluteServiceUrl } from "./service-url.js";

const JSON_TYPE = "application/json";

/** A Swagger operation's parameters by where they go: URL and headers, the body, or the form. */
interface SortedParameters {
  located: LocatedParameter[];
  body: JsonObject | undefined;
  form: ParameterContract[];
}

export function readSwagger2(root: JsonObject, refs: DocumentRefs, options: OpenApiReadOptions): ReadApi {
  const info = asObject(root.info, "info");
  const schemas = new SchemaCollector("swagger", optionalObject(root, "definitions", ""));
  const reader = new Swagger2Reader(refs, new OperationHeads(options.translation), schemas, {
    consumes: mediaTypes(root, "consumes", "") ?? [],
    produces: mediaTypes(root, "produces", "") ?? [],
  });
  return defined({
    displayName: requiredString(info, "title", "info"),
    description: optionalString(info, "description", "info"),
    serviceUrl: serviceUrlOf(root, options.sourceUrl),
    apiType: "http" as const,
    operations: pathOperations(root, refs).map((source) => reader.operation(source)),
    schemas: schemas.result(),
  });
}

class Swagger2Reader {
  constructor(
    private readonly refs: DocumentRefs,
    private readonly heads: OperationHeads,
    private readonly schemas: SchemaCollector,
    /** The document's media types, which an operation's own replace. */
    private readonly media: { consumes: string[]; produces: string[] },
  ) {}

  operation(source: PathOperation): ImportedOperation {
    const { where, method } = source;
    const sorted = sortParameters(source);
    const { operation, queryParameters, headers } = this.heads.head(source, sorted.located);
    const body = BODYLESS_METHODS.has(method) ? undefined : sorted.body;
    const form = BODYLESS_METHODS.has(method) ? [] : sorted.form;
    return {
      ...operation,
      request: defined({
        description: body && optionalString(body, "description", `${where} body`),
        queryParameters,
        headers,
        representations: this.requestRepresentations(source, operation.name, body, form),
      }),
      responses: this.responses(source, operation.name),
    };
  }

  private requestRepresentations(
    { fields, where }: PathOperation,
    name: string,
    body: JsonObject | undefined,
    form: ParameterContract[],
  ): OperationRepresentation[] {
    const declared = mediaTypes(fields, "consumes", where) ?? this.media.consumes;
    if (form.length > 0) {
      const types = declared.length > 0 ? declared : [formType(form)];
      return types.map((contentType) => ({ contentType, formParameters: form }));
    }
    if (body === undefined) return [];
    const schema = body.schema;
    const examples = schemaExample(this.refs.deref(schema));
    return (declared.length > 0 ? declared : [JSON_TYPE]).map((contentType) =>
      defined({ contentType, examples, ...this.schemas.reference(schema, `${name}-request`) }),
    );
  }

  private responses({ fields, where }: PathOperation, name: string): OperationResponse[] {
    const produces = mediaTypes(fields, "produces", where) ?? this.media.produces;
    const result: OperationResponse[] = [];
    for (const [code, value] of Object.entries(optionalObject(fields, "responses", where) ?? {})) {
      if (!STATUS_CODE.test(code)) continue;
      const at = `${where}.responses.${code}`;
      const response = asObject(this.refs.deref(value), at);
      const examples = optionalObject(response, "examples", at) ?? {};
      const schema = response.schema;
      // The produced types (when there is a body to produce), those examples are given for, JSON for a lone schema.
      const types = new Set(schema !== undefined || Object.keys(examples).length > 0 ? produces : []);
      for (const type of Object.keys(examples)) types.add(type);
      if (types.size === 0 && schema !== undefined) types.add(JSON_TYPE);
      const representations = [...types].map((contentType) =>
        defined({
          contentType,
          examples: Object.hasOwn(examples, contentType)
            ? singleExample(examples[contentType])
            : schemaExample(this.refs.deref(schema)),
          ...this.schemas.reference(schema, `${name}-response-${code}`),
        }),
      );
      const headers = Object.entries(optionalObject(response, "headers", at) ?? {}).map(([header, value]) => {
        const fields = asObject(this.refs.deref(value), `${at}.headers.${header}`);
        return describedParameter(
          header,
          false,
          optionalString(fields, "description", `${at}.headers.${header}`),
          fields,
        );
      });
      result.push(
        defined({
          statusCode: Number(code),
          description: optionalString(response, "description", at),
          representations,
          headers,
        }),
      );
    }
    return result;
  }
}

function sortParameters(source: PathOperation): SortedParameters {
  const sorted: SortedParameters = { located: [], body: undefined, form: [] };
  for (const { fields, where } of source.parameters) {
    const location = String(fields.in);
    if (location === "body") {
      if (sorted.body) throw new DocumentParseError(`${source.where}: an operation has at most one body parameter.`);
      sorted.body = fields;
      continue;
    }
    if (location !== "path" && location !== "query" && location !== "header" && location !== "formData") {
      throw new DocumentParseError(`'${where}.in' must be one of path, query, header, body or formData.`);
    }
    const contract = describedParameter(
      String(fields.name),
      optionalBoolean(fields, "required", where) ?? location === "path",
      optionalString(fields, "description", where),
      fields,
    );
    if (location === "formData") sorted.form.push(contract);
    else sorted.located.push({ ...contract, in: location });
  }
  return sorted;
}

function mediaTypes(holder: JsonObject, key: string, where: string): string[] | undefined {
  if (holder[key] === undefined) return undefined;
  return optionalArray(holder, key, where).map((type, i) => {
    if (typeof type !== "string")
      throw new DocumentParseError(`'${where ? `${where}.` : ""}${key}[${i}]' must be a string.`);
    return type;
  });
}

/** A form with a file needs multipart. */
const formType = (form: ParameterContract[]): string =>
  form.some((p) => p.type === "file") ? "multipart/form-data" : "application/x-www-form-urlencoded";

/** `schemes` (HTTPS first) + `host` + `basePath`; a missing scheme or host is the source URL's. */
function serviceUrlOf(root: JsonObject, sourceUrl: string | undefined): string | undefined {
  const source = sourceUrl === undefined ? undefined : new URL(sourceUrl);
  const schemes = optionalArray(root, "schemes", "").filter((s): s is string => typeof s === "string");
  const scheme = schemes.includes("https") ? "https" : (schemes[0] ?? source?.protocol.slice(0, -1));
  const host = optionalString(root, "host", "") ?? source?.host;
  if (scheme === undefined || host === undefined) return undefined;
  const basePath = optionalString(root, "basePath", "") ?? "/";
  return absoluteServiceUrl(`${scheme}://${host}${basePath.startsWith("/") ? basePath : `/${basePath}`}`, undefined);
}
