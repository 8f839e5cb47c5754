/**
 * The request send-request and send-one-way-request build (reference apim.md §2.24): `mode` new or copy of the
 * current request, `timeout`, and the children set-url, set-method, set-header and set-body, which change this
 * request, not the one being forwarded. Expressions in them still read the current request's context.
 */
import { ExpressionEvaluationError } from "../../expressions/index.js";
import { bufferBody } from "../../pipeline/body-buffer.js";
import type { OutboundRequest, PipelineContext } from "../../pipeline/context.js";
import { backendUrl } from "../../pipeline/backend-url.js";
import { HeaderMap } from "../../pipeline/headers.js";
import { RequestTargetError, withCanonicalPath } from "../../routing/canonical-path.js";
import { isHopByHop } from "../../proxy/hop-by-hop.js";
import type { CompileEnvironment, PolicyElement } from "../definition.js";
import { readClientCertificate } from "./authentication-certificate.js";
import { fixed, integerSetting, mapSetting, textSetting, valueOf, type Setting } from "../setting.js";
import { applyValueRule, readValueRule, type RuleCheck } from "./exists-action.js";
import { readManagedIdentityAuthentication } from "./authentication-managed-identity.js";

/** Framing the transport owns, and hop-by-hop headers: not settable (the sender drops them from copies). */
const notSent = (name: string): boolean => {
  const lower = name.toLowerCase();
  return lower === "content-length" || isHopByHop(lower);
};

const METHOD = /^[A-Za-z]+$/;

/** Children APIM allows that this version cannot honour, with why. */
const UNSUPPORTED_CHILDREN: Readonly<Record<string, string>> = {
  proxy: "HTTP proxies for outgoing requests are not supported by this Gatehouse version",
};

const headerRule: RuleCheck = (name) =>
  notSent(name) ? `Header '${name}' cannot be set on a request a policy sends` : undefined;

export interface OutboundTemplate {
  /** The request for this context. Throws ExpressionEvaluationError for a URL an expression got wrong. */
  build(context: PipelineContext): Promise<OutboundRequest>;
}

type Draft = Omit<OutboundRequest, "timeoutMs">;

export function readOutboundTemplate(element: PolicyElement, environment: CompileEnvironment): OutboundTemplate {
  const copy = element.enumAttribute("mode", ["new", "copy"], "new") === "copy";
  const timeoutMs = mapSetting(integerSetting(element, "timeout", 60, { min: 1, max: 240 }), (s) => s * 1000);
  for (const [name, why] of Object.entries(UNSUPPORTED_CHILDREN)) {
    const [child] = element.children(name);
    if (child) throw child.error(`'${name}' in '${element.name}': ${why}`);
  }
  const start = readStart(element, copy, readUrl(element));
  const method = readMethod(element);
  const headers = element.children("set-header").map((child) => readValueRule(child, headerRule));
  const body = readBody(element);
  const authentication = only(element, "authentication-certificate");
  const certificate = authentication && readClientCertificate(authentication, environment);
  const identityElement = only(element, "authentication-managed-identity");
  const identity = identityElement && readManagedIdentityAuthentication(identityElement);

  return {
    async build(context) {
      const draft = await start(context);
      if (method) draft.method = method;
      for (const rule of headers) applyValueRule(draft.headers, valueOf(rule, context));
      if (body) draft.body = valueOf(body, context);
      await identity?.apply(context, draft.headers);
      return {
        ...draft,
        timeoutMs: valueOf(timeoutMs, context),
        ...(certificate ? { clientCertificate: certificate(context) } : {}),
      };
    },
  };
}

/** Where the request starts: a copy of the current one (its URL replaced by set-url's, if any), or a new GET. */
function readStart(
  element: PolicyElement,
  copy: boolean,
  url: Setting<URL> | undefined,
): (context: PipelineContext) => Promise<Draft> | Draft {
  if (copy) {
    return async (context) => {
      const draft = await copyOf(context);
      return url ? { ...draft, url: valueOf(url, context) } : draft;
    };
  }
  if (!url) throw element.error(`Policy '${element.name}' with mode 'new' needs a 'set-url' element`);
  return (context) => ({ url: valueOf(url, context), method: "GET", headers: new HeaderMap(), body: undefined });
}

function only(element: PolicyElement, name: string): PolicyElement | undefined {
  const [first, second] = element.children(name);
  if (second) throw second.error(`'${name}' may appear only once in '${element.name}'`);
  return first;
}

function readUrl(element: PolicyElement): Setting<URL> | undefined {
  const child = only(element, "set-url");
  if (!child) return undefined;
  const text = textSetting(child.valueText());
  if (text.fixed) {
    const url = parseUrl(text.value);
    if (typeof url === "string") throw child.error(url);
    return fixed(url);
  }
  return mapSetting(text, (value) => {
    const url = parseUrl(value);
    if (typeof url === "string") throw new ExpressionEvaluationError(`${url} (set-url of '${element.name}')`);
    return url;
  });
}

/** The URL with its path in canonical form (routing/canonical-path.ts), or why it cannot be sent to. */
function parseUrl(text: string): URL | string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return `'${text}' is not an absolute URL`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `'${text}' is not an http or https URL`;
  try {
    return new URL(withCanonicalPath(text.trim()));
  } catch (error) {
    if (error instanceof RequestTargetError) return `'${text}': ${error.message}`;
    throw error;
  }
}

/** Literal, as APIM's set-method inside send-request; GET when absent. */
function readMethod(element: PolicyElement): string | undefined {
  const child = only(element, "set-method");
  if (!child) return undefined;
  const method = child.text();
  if (!METHOD.test(method)) throw child.error(`'${method}' is not an HTTP method`);
  return method.toUpperCase();
}

function readBody(element: PolicyElement): Setting<string> | undefined {
  const child = only(element, "set-body");
  return child && textSetting(child.valueText());
}

/**
 * mode="copy": the current request as it would be forwarded, its headers and body. The body is read into memory
 * so the forwarded request still has it; in outbound the request's body is gone, as in APIM.
 */
async function copyOf(context: PipelineContext): Promise<Draft> {
  const { request } = context;
  if (!context.backend.baseUrl) {
    throw new ExpressionEvaluationError(`API '${context.api.name}' has no backend URL to copy`);
  }
  const url = backendUrl(context);
  const headers = new HeaderMap();
  // Hop-by-hop fields stay until the sender, which also drops those the copied Connection field names.
  for (const [name, values] of request.headers) if (name.toLowerCase() !== "content-length") headers.set(name, values);
  let body: Buffer | string | undefined;
  if (context.section !== "outbound" && request.body !== undefined) {
    await bufferBody(request, "request");
    body = request.body as Buffer | string;
  }
  return { url, method: request.method, headers, body };
}
