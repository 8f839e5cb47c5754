import type { Api } from "../model/apis/types.js";
import type { Operation } from "../model/operations/types.js";
import { UrlTemplate, type MatchInput } from "./url-template.js";

export interface RoutedOperation<T> {
  operation: Operation;
  template: UrlTemplate;
  /** What the snapshot attaches to the operation (its pipelines). */
  value: T;
}

export interface RoutedApi<T> {
  api: Api;
  /** Operations by upper-case method, most specific template first; `*` holds any-method operations. */
  byMethod: Map<string, RoutedOperation<T>[]>;
}

export interface RouteMatch<T> {
  api: RoutedApi<T>;
  operation: RoutedOperation<T>;
  params: Map<string, string>;
  /** The request path below the API suffix, starting with `/` (what the backend receives). */
  path: string;
  /** How many segments the API's path suffix has. */
  apiDepth: number;
}

export interface RouteRequest {
  method: string;
  /** Path of the request URL, percent-encoded, starting with `/`. */
  path: string;
  query: URLSearchParams;
  soapAction: string | undefined;
}

/**
 * APIs by their path suffix, then operations by method and template. Finding the API costs one map lookup per path
 * depth tried (at most the deepest API path), never a scan of the APIs, so 5,000 APIs route as fast as 10.
 */
export class RouteTable<T> {
  private readonly apis = new Map<string, RoutedApi<T>>();
  private maxDepth = 0;

  add(api: Api, operations: readonly { operation: Operation; value: T }[]): void {
    const byMethod = new Map<string, RoutedOperation<T>[]>();
    for (const { operation, value } of operations) {
      const template = UrlTemplate.parse(operation.urlTemplate, api.apiType === "soap");
      const method = operation.method.toUpperCase();
      const list = byMethod.get(method) ?? [];
      list.push({ operation, template, value });
      byMethod.set(method, list);
    }
    for (const list of byMethod.values())
      list.sort((a, b) => a.template.specificity.localeCompare(b.template.specificity));
    const key = normalisePath(api.path);
    this.apis.set(key, { api, byMethod });
    this.maxDepth = Math.max(this.maxDepth, key === "" ? 0 : key.split("/").length);
  }

  get size(): number {
    return this.apis.size;
  }

  match(request: RouteRequest): RouteMatch<T> | undefined {
    return this.find(request, request.method.toUpperCase());
  }

  /** Any operation whose template matches the path, whatever its method (the operations a CORS preflight may ask about). */
  matchAnyMethod(request: Omit<RouteRequest, "method">): RouteMatch<T> | undefined {
    return this.find(request, undefined);
  }

  /** With `method`, its operations then any-method ones; without, every operation. */
  private find(request: Omit<RouteRequest, "method">, method: string | undefined): RouteMatch<T> | undefined {
    const segments = request.path.split("/").filter((s) => s !== "");
    const trailingSlash = request.path.length > 1 && request.path.endsWith("/");
    for (let depth = Math.min(this.maxDepth, segments.length); depth >= 0; depth--) {
      const api = this.apis.get(depth === 0 ? "" : segments.slice(0, depth).join("/").toLowerCase());
      if (!api) continue;
      const rest = segments.slice(depth);
      const input: MatchInput = { segments: rest, query: request.query, soapAction: request.soapAction };
      const found =
        method === undefined
          ? anyMethodMatch(api, input)
          : (firstMatch(api.byMethod.get(method), input) ?? firstMatch(api.byMethod.get("*"), input));
      if (found) {
        const path = `/${rest.join("/")}${trailingSlash && rest.length > 0 ? "/" : ""}`;
        return { api, operation: found.operation, params: found.params, path, apiDepth: depth };
      }
    }
    return undefined;
  }
}

function anyMethodMatch<T>(api: RoutedApi<T>, input: MatchInput) {
  for (const list of api.byMethod.values()) {
    const found = firstMatch(list, input);
    if (found) return found;
  }
  return undefined;
}

function firstMatch<T>(list: RoutedOperation<T>[] | undefined, input: MatchInput) {
  if (!list) return undefined;
  for (const operation of list) {
    const match = operation.template.match(input);
    if (match) return { operation, params: match.params };
  }
  return undefined;
}

/** `/Numbers/` → `numbers`: no leading or trailing slash, lower case. */
export function normalisePath(path: string): string {
  return path
    .split("/")
    .filter((s) => s !== "")
    .join("/")
    .toLowerCase();
}
