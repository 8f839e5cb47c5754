/**
 * `rewrite-uri` (reference apim.md §2.10): replaces the backend-relative path and query from a template whose `{name}`
 * parts are the operation's matched template parameters, percent-encoded as path segments. The result goes through
 * the request path's rule (policy/backend-path.ts).
 */
import { ExpressionEvaluationError } from "../../expressions/errors.js";
import type { Operation } from "../../model/operations/types.js";
import type { PipelineContext } from "../../pipeline/context.js";
import { canonicalBackendPath } from "../backend-path.js";
import type { PolicyDefinition, PolicyElement } from "../definition.js";

/** A literal, or the name of a matched template parameter. */
type Part = string | { parameter: string };

interface QueryPart {
  name: string;
  value: Part[];
}

const PARAMETER = /\{([^{}]*)\}/g;
/** What a request target may hold once sent (undici's rule): no spaces, controls or characters beyond Latin-1. */
const INVALID_TARGET_CHAR = /[^\x21-\xff]|\x7f/;

export const rewriteUri: PolicyDefinition = {
  name: "rewrite-uri",
  sections: ["inbound"],
  compile(element, environment) {
    const value = element.requiredValueAttribute("template");
    const copyUnmatched = element.booleanAttribute("copy-unmatched-params", true);
    const template = value.constant;
    if (template === undefined) {
      // An expression is the whole value (apim.md §2.10): its result is the URL itself, not a template.
      return {
        policy: "rewrite-uri",
        id: element.id,
        run(context) {
          const url = value.text(context);
          const queryStart = url.indexOf("?");
          const search = new URLSearchParams(queryStart < 0 ? "" : url.slice(queryStart + 1));
          const path = queryStart < 0 ? url : url.slice(0, queryStart);
          rewrite(context, path, search, copyUnmatched ? new Set(search.keys()) : undefined);
        },
      };
    }
    const queryStart = template.indexOf("?");
    const pathTemplate = queryStart < 0 ? template : template.slice(0, queryStart);
    const path = parts(pathTemplate, (text) => text);
    const query = queryStart < 0 ? [] : parseQuery(element, template.slice(queryStart + 1));
    const { operation } = environment;
    if (operation) checkParameters(element, [path, ...query.map((q) => q.value)], operation);
    const templateNames = new Set(query.map((q) => q.name));
    return {
      policy: "rewrite-uri",
      id: element.id,
      run(context) {
        const parameters = context.request.matchedParameters;
        const search = new URLSearchParams();
        for (const q of query)
          search.append(
            q.name,
            render(q.value, parameters, (_, value) => value),
          );
        const wildcard = wildcardParameter(context.operation);
        const encode = (name: string, value: string) =>
          name === wildcard ? value.split("/").map(encodeURIComponent).join("/") : encodeURIComponent(value);
        rewrite(context, render(path, parameters, encode), search, copyUnmatched ? templateNames : undefined);
      },
    };
  },
};

/**
 * Sets the backend-relative path and query; with `copied` (the names the template sets), the request's query
 * parameters that neither the operation's template declares nor the template sets are appended.
 */
function rewrite(
  context: PipelineContext,
  path: string,
  search: URLSearchParams,
  copied: ReadonlySet<string> | undefined,
) {
  const { request } = context;
  if (INVALID_TARGET_CHAR.test(path)) {
    throw new ExpressionEvaluationError("The rewritten path holds a space, a control character or non-Latin-1 text");
  }
  if (copied) {
    const declared = declaredQueryNames(context.operation);
    for (const [name, value] of request.query) {
      if (!declared.has(name) && !copied.has(name)) search.append(name, value);
    }
  }
  request.path = canonicalBackendPath("rewrite-uri", path);
  request.query = search;
}

function parts(text: string, decode: (literal: string) => string): Part[] {
  const result: Part[] = [];
  let last = 0;
  for (const match of text.matchAll(PARAMETER)) {
    if (match.index > last) result.push(decode(text.slice(last, match.index)));
    result.push({ parameter: match[1] as string });
    last = match.index + match[0].length;
  }
  if (last < text.length) result.push(decode(text.slice(last)));
  return result;
}

function parseQuery(element: PolicyElement, query: string): QueryPart[] {
  const decode = (literal: string): string => {
    try {
      return decodeURIComponent(literal.replace(/\+/g, " "));
    } catch {
      throw element.error("Attribute 'template' holds an invalid percent-encoding", "template");
    }
  };
  return query
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const equals = pair.indexOf("=");
      const name = decode(equals < 0 ? pair : pair.slice(0, equals));
      return { name, value: equals < 0 ? [] : parts(pair.slice(equals + 1), decode) };
    });
}

/** At operation scope the template may use only the operation's own parameters. */
function checkParameters(element: PolicyElement, templates: Part[][], operation: Operation): void {
  const known = new Set([...operation.urlTemplate.matchAll(/\{\*?([^{}]*)\}/g)].map((m) => m[1]));
  for (const part of templates.flat()) {
    if (typeof part !== "string" && !known.has(part.parameter)) {
      throw element.error(
        `Template parameter '{${part.parameter}}' is not a parameter of operation '${operation.name}' (${operation.urlTemplate})`,
        "template",
      );
    }
  }
}

function render(
  template: readonly Part[],
  parameters: ReadonlyMap<string, string>,
  encode: (name: string, value: string) => string,
) {
  let out = "";
  for (const part of template) {
    out += typeof part === "string" ? part : encode(part.parameter, parameters.get(part.parameter) ?? "");
  }
  return out;
}

const wildcardCache = new WeakMap<Operation, string | null>();

/**
 * The operation's `{*name}` parameter: its value spans segments, so each is encoded on its own. Every other value is
 * one segment: a `/` in it is encoded, and refused with the path.
 */
function wildcardParameter(operation: Operation): string | null {
  let name = wildcardCache.get(operation);
  if (name === undefined) {
    name = /\{\*([^{}]*)\}/.exec(operation.urlTemplate)?.[1] ?? null;
    wildcardCache.set(operation, name);
  }
  return name;
}

const declaredCache = new WeakMap<Operation, ReadonlySet<string>>();

/** The query parameter names in the operation's URL template (`/get?a={b}` declares `a`). */
function declaredQueryNames(operation: Operation): ReadonlySet<string> {
  let names = declaredCache.get(operation);
  if (!names) {
    const queryStart = operation.urlTemplate.indexOf("?");
    const query = queryStart < 0 ? "" : operation.urlTemplate.slice(queryStart + 1);
    names = new Set(new URLSearchParams(query).keys());
    declaredCache.set(operation, names);
  }
  return names;
}
