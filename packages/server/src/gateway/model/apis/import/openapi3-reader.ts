/**
 * OpenAPI 3.0 and 3.1 documents as API Management imports them (reference apim.md §4.8, §4.9): one operation per
 * method of each path (and of each `x-ms-paths` key, which may hold a query), the first HTTPS server (else the first
 * HTTP one) as the service URL, examples for mock-response, body schemas kept in the API's schema. Security schemes,
 * callbacks, links and cookie parameters are documentation API Management does not import either.
 */
import type { DocumentRefs } from "./document-refs.js";
import { schemaExample, singleExample } from "./examples.js";
import { BODYLESS_METHODS, STATUS_CODE } from "./http-methods.js";
import { DocumentParseError } from "./import-errors.js";
import type { ImportedOperation, ReadApi, RequiredQueryTranslation } from "./imported-api.js";
import type {
  OperationExamples,
  OperationRepresentation,
  OperationResponse,
  ParameterContract,
} from "../../operations/types.js";
import {
  asObject,
  defined,
  isObject,
  optionalArray,
  optionalBoolean,
  optionalObject,
  optionalString,
  requiredString,
  type JsonObject,
} from "./json-value.js";
import type { LocatedParameter } from "./operation-shape.js";
import { describedParameter, formParametersOf, isFormContentType } from "./parameter-contract.js";
import { OperationHeads, pathOperations, type PathOperation } from "./path-operations.js";
import { SchemaCollector } from "./schema-collector.js";
import { absoluteServiceUrl } from "./service-url.js";

export interface OpenApiReadOptions {
  translation: RequiredQueryTranslation;
  /** Where a `*-link` document came from: relative server URLs are relative to it. */
  sourceUrl: string | undefined;
}

const LOCATIONS = new Set(["path", "query", "header", "cookie"]);

export function readOpenApi3(root: JsonObject, refs: DocumentRefs, options: OpenApiReadOptions): ReadApi {
  const info = asObject(root.info, "info");
  const components = optionalObject(root, "components", "") ?? {};
  const schemas = new SchemaCollector("openapi", optionalObject(components, "schemas", "components"));
  const reader = new OpenApi3Reader(refs, new OperationHeads(options.translation), schemas);
  return defined({
    displayName: requiredString(info, "title", "info"),
    description: optionalString(info, "description", "info"),
    serviceUrl: serviceUrlOf(optionalArray(root, "servers", ""), options.sourceUrl),
    apiType: "http" as const,
    operations: pathOperations(root, refs).map((source) => reader.operation(source)),
    schemas: schemas.result(),
  });
}

class OpenApi3Reader {
  constructor(
    private readonly refs: DocumentRefs,
    private readonly heads: OperationHeads,
    private readonly schemas: SchemaCollector,
  ) {}

  operation(source: PathOperation): ImportedOperation {
    const { where, method, fields } = source;
    const { operation, queryParameters, headers } = this.heads.head(source, this.parameters(source));
    const body = BODYLESS_METHODS.has(method) ? undefined : this.refs.deref(fields.requestBody);
    const requestBody = body === undefined ? undefined : asObject(body, `${where}.requestBody`);
    return {
      ...operation,
      request: defined({
        description: requestBody && optionalString(requestBody, "description", `${where}.requestBody`),
        queryParameters,
        headers,
        representations: requestBody
          ? this.representations(requestBody, `${where}.requestBody`, `${operation.name}-request`)
          : [],
      }),
      responses: this.responses(optionalObject(fields, "responses", where) ?? {}, `${where}.responses`, operation.name),
    };
  }

  private parameters(source: PathOperation): LocatedParameter[] {
    return source.parameters.flatMap(({ fields, where }) => {
      const location = String(fields.in);
      if (!LOCATIONS.has(location)) {
        throw new DocumentParseError(`'${where}.in' must be one of path, query, header or cookie.`);
      }
      if (location === "cookie") return [];
      const schema = this.refs.deref(fields.schema);
      const parameter = describedParameter(
        String(fields.name),
        optionalBoolean(fields, "required", where) ?? location === "path",
        optionalString(fields, "description", where),
        isObject(schema) ? schema : undefined,
      );
      return [{ ...parameter, in: location as LocatedParameter["in"] }];
    });
  }

  private responses(responses: JsonObject, where: string, operation: string): OperationResponse[] {
    const result: OperationResponse[] = [];
    for (const [code, value] of Object.entries(responses)) {
      if (!STATUS_CODE.test(code)) continue;
      const at = `${where}.${code}`;
      const response = asObject(this.refs.deref(value), at);
      result.push(
        defined({
          statusCode: Number(code),
          description: optionalString(response, "description", at),
          representations: this.representations(response, at, `${operation}-response-${code}`),
          headers: this.headers(optionalObject(response, "headers", at) ?? {}, `${at}.headers`),
        }),
      );
    }
    return result;
  }

  private headers(headers: JsonObject, where: string): ParameterContract[] {
    return Object.entries(headers)
      .filter(([name]) => name.toLowerCase() !== "content-type") // OpenAPI: a Content-Type header is ignored
      .map(([name, value]) => {
        const at = `${where}.${name}`;
        const header = asObject(this.refs.deref(value), at);
        const schema = this.refs.deref(header.schema);
        return describedParameter(
          name,
          optionalBoolean(header, "required", at) ?? false,
          optionalString(header, "description", at),
          isObject(schema) ? schema : undefined,
        );
      });
  }

  /** The media types of a request body or response. */
  private representations(holder: JsonObject, where: string, typeName: string): OperationRepresentation[] {
    return Object.entries(optionalObject(holder, "content", where) ?? {}).map(([contentType, value]) => {
      const at = `${where}.content.${contentType}`;
      const media = asObject(this.refs.deref(value), at);
      const schema = this.refs.deref(media.schema);
      return defined({
        contentType,
        examples: this.examples(media, at) ?? schemaExample(schema),
        ...this.schemas.reference(media.schema, typeName),
        formParameters: isFormContentType(contentType) ? formParametersOf(schema, this.refs) : undefined,
      });
    });
  }

  private examples(media: JsonObject, where: string): OperationExamples | undefined {
    const named = optionalObject(media, "examples", where);
    if (named === undefined) return media.example === undefined ? undefined : singleExample(media.example);
    const entries = Object.entries(named).map(([name, value]): [string, OperationExamples[string]] => {
      const at = `${where}.examples.${name}`;
      const example = asObject(this.refs.deref(value), at);
      const description = optionalString(example, "description", at) ?? optionalString(example, "summary", at);
      return [name, defined({ value: example.value, description })];
    });
    return Object.fromEntries(entries);
  }
}

/** API Management takes the first HTTPS server, else the first HTTP one; variables take their defaults. */
function serviceUrlOf(servers: unknown[], sourceUrl: string | undefined): string | undefined {
  const urls = servers.flatMap((server, i) => {
    const at = `servers[${i}]`;
    const fields = asObject(server, at);
    const variables = optionalObject(fields, "variables", at) ?? {};
    const url = requiredString(fields, "url", at).replace(/\{([^{}]+)\}/g, (whole, name: string) => {
      const variable = variables[name];
      return isObject(variable) && typeof variable.default === "string" ? variable.default : whole;
    });
    const absolute = absoluteServiceUrl(url, sourceUrl);
    return absolute === undefined ? [] : [absolute];
  });
  return urls.find((url) => url.startsWith("https:")) ?? urls[0];
}
