/**
 * An OpenAPI or Swagger operation's URL template and where each of its parameters goes, as API Management imports
 * them: path parameters and (by default) required query parameters become template parameters, the other query
 * parameters and the headers stay request parameters. A path key may carry a query template of its own
 * (`x-ms-paths`, and what export writes for operations told apart by their query).
 */
import { UrlTemplate, UrlTemplateError } from "../../../routing/url-template.js";
import { operationSignature } from "../../operations/validation.js";
import { cut, DocumentParseError, quoted } from "./import-errors.js";
import type { RequiredQueryTranslation } from "./imported-api.js";
import type { ParameterContract } from "../../operations/types.js";

export type ParameterLocation = "path" | "query" | "header";

export interface LocatedParameter extends ParameterContract {
  in: ParameterLocation;
}

export interface OperationShape {
  urlTemplate: string;
  templateParameters: ParameterContract[];
  queryParameters: ParameterContract[];
  headers: ParameterContract[];
}

const TEMPLATE_NAME = /\{([^{}]*)\}/g;

const unlocated = ({ in: _in, ...parameter }: LocatedParameter): ParameterContract => parameter;

const implicit = (name: string): ParameterContract => ({ name, type: "string", required: true, values: [] });

export function operationShape(
  method: string,
  pathKey: string,
  parameters: readonly LocatedParameter[],
  translation: RequiredQueryTranslation,
): OperationShape {
  const where = `${method} ${cut(pathKey)}`;
  const at = pathKey.indexOf("?");
  const path = at < 0 ? pathKey : pathKey.slice(0, at);
  if (!path.startsWith("/")) throw new DocumentParseError(`The path ${quoted(pathKey)} does not start with '/'.`);
  const declared = (location: ParameterLocation) => new Map(byLocation(parameters, location).map((p) => [p.name, p]));
  const pathParameters = declared("path");
  const queryParameters = declared("query");

  const templateParameters: ParameterContract[] = [];
  for (const [, name = ""] of path.matchAll(TEMPLATE_NAME)) {
    if (name.startsWith("*")) continue; // `{*rest}`: a wildcard, which captures but is no template parameter
    const parameter = pathParameters.get(name);
    templateParameters.push(parameter ? unlocated(parameter) : implicit(name));
    pathParameters.delete(name);
  }
  const [unused] = pathParameters.keys();
  if (unused !== undefined) {
    throw new DocumentParseError(`${where}: the path parameter ${quoted(unused)} is not part of the URL template.`);
  }

  // The key's own query template first, then the required query parameters it does not already hold.
  const pairs: string[] =
    at < 0
      ? []
      : pathKey
          .slice(at + 1)
          .split("&")
          .filter(Boolean);
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    const param = equals < 0 ? undefined : /^\{(.*)\}$/.exec(pair.slice(equals + 1))?.[1];
    if (param === undefined) continue;
    const queryName = pair.slice(0, equals);
    const parameter = queryParameters.get(queryName);
    templateParameters.push(parameter ? { ...unlocated(parameter), name: param, required: true } : implicit(param));
    queryParameters.delete(queryName);
  }
  const requestQuery: ParameterContract[] = [];
  for (const parameter of queryParameters.values()) {
    if (parameter.required && translation === "template") {
      pairs.push(`${parameter.name}={${parameter.name}}`);
      templateParameters.push(unlocated(parameter));
    } else {
      requestQuery.push(unlocated(parameter));
    }
  }
  const urlTemplate = pairs.length > 0 ? `${path}?${pairs.join("&")}` : path;
  checkTemplate(where, urlTemplate, templateParameters);
  return {
    urlTemplate,
    templateParameters,
    queryParameters: requestQuery,
    headers: byLocation(parameters, "header").map(unlocated),
  };
}

function byLocation(parameters: readonly LocatedParameter[], location: ParameterLocation): LocatedParameter[] {
  return parameters.filter((p) => p.in === location);
}

/** The gateway's own template parser is the judge of what a template may hold; names are unique, ignoring case. */
function checkTemplate(where: string, urlTemplate: string, parameters: readonly ParameterContract[]): void {
  let parsed: string[];
  try {
    parsed = UrlTemplate.parse(urlTemplate, false).parameterNames;
  } catch (error) {
    if (error instanceof UrlTemplateError) throw new DocumentParseError(`${where}: ${error.message}.`);
    throw error;
  }
  const understood = new Set(parsed);
  const seen = new Set<string>();
  for (const { name } of parameters) {
    if (!understood.has(name)) {
      throw new DocumentParseError(
        `${where}: ${quoted(name)} cannot be a template parameter name (letters, digits, '_', '.' and '-', not starting ` +
          "with a digit or '-'); with translateRequiredQueryParameters 'query' a query parameter stays out of the template.",
      );
    }
    const key = name.toLowerCase();
    if (seen.has(key)) {
      throw new DocumentParseError(
        `${where}: the template parameter ${quoted(name)} is named twice; names must be unique across the path and the ` +
          "query of the URL template, ignoring case.",
      );
    }
    seen.add(key);
  }
}

/** Refuses a second operation with the same method and template, in API Management's words. */
export class OperationSignatures {
  private readonly seen = new Set<string>();

  add(method: string, urlTemplate: string): void {
    const signature = operationSignature({ method, urlTemplate });
    if (this.seen.has(signature)) {
      throw new DocumentParseError(
        `Operation with the same method and URL template already exists: ${method}, ${cut(urlTemplate)}`,
      );
    }
    this.seen.add(signature);
  }
}
