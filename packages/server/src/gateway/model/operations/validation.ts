import type { Api } from "../apis/types.js";
import { GatewayConflictError } from "../errors.js";
import { UrlTemplate, UrlTemplateError } from "../../routing/url-template.js";
import { checkName, invalid, optionalText, text } from "../checks.js";
import { requestOf, responseOf, templateParametersOf } from "./contract.js";
import type { Operation, OperationInput } from "./types.js";

const METHOD = /^(\*|[A-Za-z]{1,20})$/;

export function operationFrom(api: Api, name: string, input: OperationInput): Operation {
  checkName("Operation", name);
  if (!METHOD.test(input.method)) throw invalid("method", `'${input.method}' is not an HTTP method.`);
  const urlTemplate = input.urlTemplate.trim();
  if (!urlTemplate.startsWith("/") || urlTemplate.length > 1000 || /[\s#]/.test(urlTemplate)) {
    throw invalid("urlTemplate", "must start with '/', hold no spaces or '#', and be at most 1000 characters long.");
  }
  let template: UrlTemplate;
  try {
    template = UrlTemplate.parse(urlTemplate, api.apiType === "soap");
  } catch (error) {
    if (error instanceof UrlTemplateError) throw invalid("urlTemplate", `is invalid: ${error.message}`);
    throw error;
  }
  const params = template.parameterNames.map((p) => p.toLowerCase());
  const duplicate = params.find((p, i) => params.indexOf(p) !== i);
  if (duplicate) throw invalid("urlTemplate", `names the parameter '${duplicate}' twice.`);
  return {
    api: api.name,
    name,
    displayName: text("displayName", input.displayName, 300),
    method: input.method.toUpperCase(),
    urlTemplate,
    description: optionalText(input.description),
    templateParameters: templateParametersOf(template.parameterNames, input.templateParameters),
    request: requestOf(input.request),
    responses: (input.responses ?? []).map(responseOf),
  };
}

export const operationInputOf = ({ api: _api, name: _name, ...input }: Operation): OperationInput => input;

/** Two operations of an API may not share method and template (parameter names do not count). */
export const operationSignature = (operation: Pick<Operation, "method" | "urlTemplate">): string =>
  `${operation.method} ${operation.urlTemplate.replace(/\{[^}]*\}/g, "{}").toLowerCase()}`;

export const sameRequests = (operation: Operation, twin: string) =>
  new GatewayConflictError(
    `Operation '${twin}' of api '${operation.api}' already has method ${operation.method} and URL template '${operation.urlTemplate}', so '${operation.name}' cannot have them too.`,
  );

/** The operations of one API, each validated, refusing a name, or a method and URL template, given twice. */
export function operationsOf(api: Api, items: readonly { name: string; input: OperationInput }[]): Operation[] {
  const names = new Set<string>();
  const signatures = new Map<string, string>();
  return items.map(({ name, input }) => {
    const operation = operationFrom(api, name, input);
    if (names.has(name)) throw new GatewayConflictError(`Operation '${name}' of api '${api.name}' is given twice.`);
    names.add(name);
    const signature = operationSignature(operation);
    const twin = signatures.get(signature);
    if (twin !== undefined) throw sameRequests(operation, twin);
    signatures.set(signature, name);
    return operation;
  });
}
