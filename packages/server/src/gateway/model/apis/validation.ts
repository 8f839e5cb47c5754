import type { ImportedApi } from "./import/index.js";
import { DEFAULT_KEY_NAMES, type Api, type ApiInput, type ApiProtocol } from "./types.js";
import { checkName, flag, HEADER_NAME, httpUrl, invalid, oneOf, optionalText, QUERY_NAME, text } from "../checks.js";

const PATH = /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;

/** The URL suffix, without leading or trailing slashes (given ones are dropped); may be empty. */
export function normaliseApiPath(path: string): string {
  return path.trim().replace(/^\/+|\/+$/g, "");
}

export function apiFrom(name: string, input: ApiInput): Api {
  checkName("Api", name);
  const path = normaliseApiPath(input.path);
  if (path.length > 400) throw invalid("path", "must be at most 400 characters long.");
  if (path !== "" && (!PATH.test(path) || path.split("/").some((s) => s === "." || s === ".."))) {
    throw invalid("path", `'${input.path}' is not a valid URL suffix (letters, digits, '-', '.', '_', '~' and '/').`);
  }
  const protocols = [...new Set(input.protocols ?? (["https"] as ApiProtocol[]))];
  if (protocols.length === 0) throw invalid("protocols", "must name at least one protocol.");
  for (const p of protocols) oneOf("protocols", p, ["http", "https"]);
  const header = input.subscriptionKeyParameterNames?.header ?? DEFAULT_KEY_NAMES.header;
  const query = input.subscriptionKeyParameterNames?.query ?? DEFAULT_KEY_NAMES.query;
  if (!HEADER_NAME.test(header)) throw invalid("subscriptionKeyParameterNames.header", "is not a valid header name.");
  if (!QUERY_NAME.test(query)) {
    throw invalid("subscriptionKeyParameterNames.query", "is not a valid query parameter name.");
  }
  return {
    name,
    displayName: text("displayName", input.displayName, 300),
    description: optionalText(input.description),
    path,
    serviceUrl: input.serviceUrl ? httpUrl("serviceUrl", input.serviceUrl) : null,
    protocols,
    apiType: oneOf("apiType", input.apiType ?? "http", ["http", "soap"]),
    subscriptionRequired: flag("subscriptionRequired", input.subscriptionRequired, true),
    subscriptionKeyParameterNames: { header, query },
  };
}

export const apiInputOf = ({ name: _name, ...input }: Api): ApiInput => input;

/** An API as a request that imports a document gives it: its display name may come from the document. */
export type ApiImportInput = Omit<ApiInput, "displayName" | "apiType"> & { displayName?: string | undefined };

/**
 * The API an import makes: what the request leaves out of displayName, description and serviceUrl comes from the
 * document (its title, description and first server or SOAP address); the document decides the API's type.
 */
export function importedApiInput(given: ApiImportInput, imported: ImportedApi): ApiInput {
  const displayName = given.displayName ?? imported.displayName;
  if (displayName === undefined)
    throw invalid("displayName", "is required: the document has no title to take it from.");
  return {
    ...given,
    displayName,
    description: given.description !== undefined ? given.description : (imported.description ?? null),
    serviceUrl: given.serviceUrl !== undefined ? given.serviceUrl : (imported.serviceUrl ?? null),
    apiType: imported.apiType,
  };
}
