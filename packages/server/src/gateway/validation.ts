/**
 * Turns registry inputs into entities, applying API Management's defaults and rules (apim.md §4, §6.2). Pure: no
 * store access, so configuration-as-code compares a file against the store with exactly what a write would store.
 */
import type {
  Api,
  ApiProtocol,
  Backend,
  BackendCredentials,
  NamedValue,
  Operation,
  OperationResponse,
  Product,
  Subscription,
  SubscriptionState,
} from "./model.js";
import { DEFAULT_KEY_NAMES } from "./model.js";
import type {
  ApiInput,
  BackendInput,
  NamedValueInput,
  OperationInput,
  ProductInput,
  SubscriptionInput,
} from "./registry.js";
import { GatewayValidationError, type GatewayEntityKind } from "./registry-errors.js";
import { UrlTemplate, UrlTemplateError } from "./routing/url-template.js";
import { MIN_CREDENTIAL_LENGTH } from "../security/credential-length.js";

const NAME = /^(?!\.)[A-Za-z0-9._-]{1,80}$/;
const PATH = /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const QUERY_NAME = /^[A-Za-z0-9._~-]+$/;
const NAMED_VALUE_DISPLAY_NAME = /^[A-Za-z0-9._-]{1,256}$/;
const METHOD = /^(\*|[A-Za-z]{1,20})$/;
/** Printable ASCII without spaces: keys travel in headers and query strings. */
const KEY = /^[\x21-\x7e]+$/;
const MAX_KEY_LENGTH = 256;
const SUBSCRIPTION_STATES: readonly SubscriptionState[] = [
  "active",
  "suspended",
  "submitted",
  "rejected",
  "cancelled",
  "expired",
];

export function invalid(target: string, message: string): GatewayValidationError {
  return new GatewayValidationError(`${target} ${message}`, [{ target, message: `${target} ${message}` }]);
}

/** Names are APIM resource ids; kept stricter than ARM's (≤256, not `*#&+:<>?`) so they are safe in URLs and keys. */
export function checkName(kind: GatewayEntityKind, name: string): void {
  if (!NAME.test(name)) {
    throw invalid(
      `${kind} name '${name}'`,
      "is invalid: use 1 to 80 letters, digits, '-', '_' or '.', not starting with '.'.",
    );
  }
}

function text(target: string, value: string, max: number): string {
  if (value.trim() === "") throw invalid(target, "is required.");
  if (value.length > max) throw invalid(target, `must be at most ${max} characters long.`);
  return value;
}

const optionalText = (value: string | null | undefined): string | null =>
  value === undefined || value === null || value === "" ? null : value;

function httpUrl(target: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(target, `'${value}' is not an absolute URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw invalid(target, "must be an http or https URL.");
  if (value.length > 2000) throw invalid(target, "must be at most 2000 characters long.");
  return value;
}

function oneOf<T extends string>(target: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) throw invalid(target, `must be one of ${allowed.join(", ")}.`);
  return value;
}

function flag(target: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw invalid(target, "must be true or false.");
  return value;
}

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
    responses: (input.responses ?? []).map(checkResponse),
  };
}

export const operationInputOf = ({ api: _api, name: _name, ...input }: Operation): OperationInput => input;

function checkResponse(response: OperationResponse, index: number): OperationResponse {
  const target = `responses[${index}]`;
  if (!Number.isInteger(response.statusCode) || response.statusCode < 100 || response.statusCode > 599) {
    throw invalid(`${target}.statusCode`, "must be an HTTP status code (100 to 599).");
  }
  (response.representations ?? []).forEach((r, i) => {
    if (typeof r.contentType !== "string" || r.contentType.trim() === "") {
      throw invalid(`${target}.representations[${i}].contentType`, "is required.");
    }
  });
  return response;
}

/** Two operations of an API may not share method and template (parameter names do not count). */
export const operationSignature = (operation: Pick<Operation, "method" | "urlTemplate">): string =>
  `${operation.method} ${operation.urlTemplate.replace(/\{[^}]*\}/g, "{}").toLowerCase()}`;

export function productFrom(name: string, input: ProductInput): Omit<Product, "apis"> {
  checkName("Product", name);
  const limit = input.subscriptionsLimit ?? null;
  if (limit !== null && (!Number.isInteger(limit) || limit < 0)) {
    throw invalid("subscriptionsLimit", "must be a non-negative integer or null.");
  }
  return {
    name,
    displayName: text("displayName", input.displayName, 300),
    description: optionalText(input.description),
    terms: optionalText(input.terms),
    state: oneOf("state", input.state ?? "notPublished", ["published", "notPublished"]),
    subscriptionRequired: flag("subscriptionRequired", input.subscriptionRequired, true),
    approvalRequired: flag("approvalRequired", input.approvalRequired, false),
    subscriptionsLimit: limit,
  };
}

export const productInputOf = ({ name: _name, apis: _apis, ...input }: Product): ProductInput => input;

/** The subscription without its keys (checked by `checkKey`); the caller keeps createdDate across replaces. */
export function subscriptionFrom(name: string, input: SubscriptionInput, createdDate: string): Subscription {
  checkName("Subscription", name);
  return {
    name,
    displayName: text("displayName", input.displayName, 100),
    scope: input.scope,
    state: oneOf("state", input.state ?? "active", SUBSCRIPTION_STATES),
    allowTracing: flag("allowTracing", input.allowTracing, false),
    createdDate,
    startDate: date("startDate", input.startDate),
    expirationDate: date("expirationDate", input.expirationDate),
  };
}

export function checkKey(target: "primaryKey" | "secondaryKey", key: string): string {
  // APIM takes 1 to 256 characters; a short key would be guessed, so a given one has the secrets' minimum.
  if (key.length < MIN_CREDENTIAL_LENGTH || key.length > MAX_KEY_LENGTH || !KEY.test(key)) {
    throw invalid(
      target,
      `must be ${MIN_CREDENTIAL_LENGTH} to ${MAX_KEY_LENGTH} printable ASCII characters without spaces.`,
    );
  }
  return key;
}

function date(target: string, value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw invalid(target, "must be an ISO 8601 date-time.");
  return parsed.toISOString();
}

export function namedValueFrom(name: string, input: NamedValueInput): NamedValue & { value: string } {
  checkName("NamedValue", name);
  const displayName = input.displayName ?? name;
  if (!NAMED_VALUE_DISPLAY_NAME.test(displayName)) {
    throw invalid("displayName", "must be 1 to 256 letters, digits, '-', '.' or '_'.");
  }
  if (typeof input.value !== "string" || input.value.length === 0 || input.value.length > 4096) {
    throw invalid("value", "must be 1 to 4096 characters long.");
  }
  const tags = [...new Set(input.tags ?? [])];
  if (tags.length > 32 || tags.some((t) => typeof t !== "string" || t.trim() === "" || t.length > 256)) {
    throw invalid("tags", "must be at most 32 non-empty tags of at most 256 characters.");
  }
  return { name, displayName, secret: flag("secret", input.secret, false), tags, value: input.value };
}

export function backendFrom(name: string, input: BackendInput): Backend {
  checkName("Backend", name);
  return {
    name,
    url: httpUrl("url", input.url),
    protocol: oneOf("protocol", input.protocol ?? "http", ["http", "soap"]),
    title: input.title ? text("title", input.title, 300) : null,
    description: optionalText(input.description),
    credentials: input.credentials ? checkCredentials(input.credentials) : null,
    tls: {
      validateCertificateChain: flag("tls.validateCertificateChain", input.tls?.validateCertificateChain, true),
      validateCertificateName: flag("tls.validateCertificateName", input.tls?.validateCertificateName, true),
    },
  };
}

export const backendInputOf = ({ name: _name, ...input }: Backend): BackendInput => input;

function checkCredentials(credentials: BackendCredentials): BackendCredentials | null {
  const lists = (target: string, map: Record<string, string[]> | undefined, nameRule: RegExp) => {
    for (const [key, values] of Object.entries(map ?? {})) {
      if (!nameRule.test(key)) throw invalid(`credentials.${target}`, `'${key}' is not a valid name.`);
      if (!Array.isArray(values) || values.some((v) => typeof v !== "string")) {
        throw invalid(`credentials.${target}.${key}`, "must be a list of strings.");
      }
    }
  };
  lists("header", credentials.header, HEADER_NAME);
  lists("query", credentials.query, QUERY_NAME);
  const auth = credentials.authorization;
  if (auth && (!HEADER_NAME.test(auth.scheme) || typeof auth.parameter !== "string")) {
    throw invalid("credentials.authorization", "needs a scheme (a token such as Basic) and a parameter.");
  }
  const result: BackendCredentials = {
    ...(credentials.header && Object.keys(credentials.header).length > 0 ? { header: credentials.header } : {}),
    ...(credentials.query && Object.keys(credentials.query).length > 0 ? { query: credentials.query } : {}),
    ...(auth ? { authorization: { scheme: auth.scheme, parameter: auth.parameter } } : {}),
  };
  return Object.keys(result).length > 0 ? result : null;
}
