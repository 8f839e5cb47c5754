/**
 * `cors` (reference apim.md §2.18). A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is
 * answered by the gateway from the inbound section's cors policies alone (answerPreflight); on any other request
 * with an `Origin` the step records the CORS headers and adds them to the final response, error responses included.
 * Unmatched requests: with terminate-unmatched-request (default true) a preflight or a GET/HEAD gets an empty 200.
 */
import type { GatewayResponse, PipelineContext } from "../../pipeline/context.js";
import { emptyResponse, responseOf } from "../../pipeline/gateway-error.js";
import type { HeaderMap } from "../../pipeline/headers.js";
import type { PolicyDefinition, PolicyElement, Step } from "../definition.js";
import {
  booleanSetting,
  fixed,
  integerSetting,
  listSetting,
  mapSetting,
  textSetting,
  valueOf,
  type Setting,
} from "../setting.js";

interface CorsRules {
  /** Normalised origins (`scheme://host[:port]`), or undefined for `*`. */
  readonly origins: ReadonlySet<string> | undefined;
  readonly allowCredentials: Setting<boolean>;
  readonly terminateUnmatched: Setting<boolean>;
  /** Upper-case methods, or undefined for `*`. */
  readonly methods: Setting<string[] | undefined>;
  readonly maxAge: Setting<number>;
  /** Lower-case header names, or undefined for `*`. */
  readonly headers: ReadonlySet<string> | undefined;
  readonly exposeHeaders: readonly string[];
}

/** The origin as browsers send it: scheme, host and a port only when it is not the scheme's default. */
function normaliseOrigin(origin: string): string | undefined {
  if (!URL.canParse(origin)) return undefined;
  const url = new URL(origin);
  if (url.host === "" || url.origin === "null") return undefined;
  return url.origin;
}

function readOrigins(element: PolicyElement): ReadonlySet<string> | undefined {
  const [list, extra] = element.children("allowed-origins");
  if (list === undefined) throw element.error("Policy 'cors' needs 'allowed-origins'");
  if (extra !== undefined) throw extra.error("'allowed-origins' may appear only once");
  const origins = list.children("origin");
  if (origins.length === 0) throw list.error("'allowed-origins' must contain at least one 'origin'");
  if (origins.some((origin) => origin.text() === "*")) {
    if (origins.length > 1) throw list.error("'allowed-origins' holds either a single '*' origin or origin URIs");
    return undefined;
  }
  return new Set(
    origins.map((origin) => {
      const normalised = normaliseOrigin(origin.text());
      if (normalised === undefined) throw origin.error("An origin must be '*' or a URI with scheme and host");
      return normalised;
    }),
  );
}

/** `<container><header>…</header></container>`: names, at least one when the container is present. */
function readHeaders(element: PolicyElement, container: string): string[] | undefined {
  const [list] = element.children(container);
  if (list === undefined) return undefined;
  const headers = list.children("header").map((header) => header.text());
  if (headers.length === 0) throw list.error(`'${container}' must contain at least one 'header'`);
  if (headers.some((header) => header === "")) throw list.error("A 'header' must not be empty");
  return headers;
}

function readMethods(element: PolicyElement): { methods: Setting<string[] | undefined>; maxAge: Setting<number> } {
  const [list] = element.children("allowed-methods");
  // Without the element APIM allows GET and POST.
  if (list === undefined) return { methods: fixed(["GET", "POST"]), maxAge: fixed(0) };
  const maxAge = integerSetting(list, "preflight-result-max-age", 0, { min: 0 });
  const values = list.children("method").map((method) => textSetting(method.valueText()));
  if (values.length === 0) throw list.error("'allowed-methods' must contain at least one 'method'");
  return { maxAge, methods: mapSetting(listSetting(values), methodsOf) };
}

/** Upper-case methods, or undefined when `*` allows any. */
function methodsOf(methods: readonly string[]): string[] | undefined {
  return methods.some((m) => m.trim() === "*") ? undefined : methods.map((m) => m.trim().toUpperCase());
}

export const cors: PolicyDefinition = {
  name: "cors",
  once: "section",
  sections: ["inbound"],
  compile(element) {
    const allowCredentials = booleanSetting(element, "allow-credentials", false);
    const terminateUnmatched = booleanSetting(element, "terminate-unmatched-request", true);
    const origins = readOrigins(element);
    if (origins === undefined && !(allowCredentials.fixed && !allowCredentials.value)) {
      throw element.error(
        "Origin '*' cannot be combined with allow-credentials: list the allowed origins",
        "allow-credentials",
      );
    }
    const { methods, maxAge } = readMethods(element);
    const headers = readHeaders(element, "allowed-headers");
    if (headers === undefined) throw element.error("Policy 'cors' needs 'allowed-headers'");
    return new CorsStep(element.id, {
      origins,
      allowCredentials,
      terminateUnmatched,
      methods,
      maxAge,
      headers: headers.includes("*") ? undefined : new Set(headers.map((h) => h.toLowerCase())),
      exposeHeaders: readHeaders(element, "expose-headers") ?? [],
    });
  },
};

export class CorsStep implements Step {
  readonly policy = "cors";

  constructor(
    readonly id: string | undefined,
    private readonly rules: CorsRules,
  ) {}

  run(context: PipelineContext): void {
    const { request } = context;
    const origin = request.headers.get("origin");
    if (origin === undefined) return;
    // A preflight reaches the pipeline only through an operation that takes any method: answer it here too.
    if (isPreflight(context) && context.operation.method.toUpperCase() !== "OPTIONS") {
      const answer = this.preflight(context);
      if (answer === undefined && !this.terminatesUnmatched(context)) return;
      context.response = answer ?? emptyResponse();
      context.ended = true;
      return;
    }
    const allowed = this.allowedOrigin(origin);
    if (allowed === undefined || !this.allowsMethod(request.method, context)) {
      const simple = request.method === "GET" || request.method === "HEAD";
      if (simple && this.terminatesUnmatched(context)) {
        context.response = emptyResponse();
        context.ended = true;
      }
      return;
    }
    const credentials = valueOf(this.rules.allowCredentials, context);
    const { exposeHeaders } = this.rules;
    // Applied to whatever response the request ends with, on-error's and the gateway's own included.
    context.completions.push(() => {
      const headers = responseOf(context).headers;
      headers.set("Access-Control-Allow-Origin", [allowed]);
      if (credentials) headers.set("Access-Control-Allow-Credentials", ["true"]);
      if (exposeHeaders.length > 0) headers.set("Access-Control-Expose-Headers", [exposeHeaders.join(",")]);
      if (allowed !== "*") appendVary(headers);
    });
  }

  /** The preflight's answer, or undefined when the request does not match this policy. */
  preflight(context: PipelineContext): GatewayResponse | undefined {
    const { headers } = context.request;
    const origin = this.allowedOrigin(headers.get("origin") ?? "");
    const method = (headers.get("access-control-request-method") ?? "").trim().toUpperCase();
    if (origin === undefined || !this.allowsMethod(method, context)) return undefined;
    const requested = (headers.get("access-control-request-headers") ?? "")
      .split(",")
      .map((h) => h.trim())
      .filter((h) => h !== "");
    const { headers: allowedHeaders } = this.rules;
    if (allowedHeaders !== undefined && !requested.every((h) => allowedHeaders.has(h.toLowerCase()))) return undefined;
    const response = emptyResponse();
    const out = response.headers;
    out.set("Access-Control-Allow-Origin", [origin]);
    if (valueOf(this.rules.allowCredentials, context)) out.set("Access-Control-Allow-Credentials", ["true"]);
    const methods = valueOf(this.rules.methods, context);
    out.set("Access-Control-Allow-Methods", [methods === undefined ? method : methods.join(",")]);
    if (requested.length > 0) out.set("Access-Control-Allow-Headers", [requested.join(",")]);
    const maxAge = valueOf(this.rules.maxAge, context);
    if (maxAge > 0) out.set("Access-Control-Max-Age", [String(maxAge)]);
    if (origin !== "*") appendVary(out);
    return response;
  }

  /** Whether an unmatched preflight ends here (else the next cors policy of the section is tried). */
  terminatesUnmatched(context: PipelineContext): boolean {
    return valueOf(this.rules.terminateUnmatched, context);
  }

  /** The Access-Control-Allow-Origin value for this origin, or undefined when it is not allowed. */
  private allowedOrigin(origin: string): string | undefined {
    // `*` never comes with credentials: the document is refused when it could.
    const { origins } = this.rules;
    if (origins === undefined) return "*";
    const normalised = normaliseOrigin(origin.trim());
    return normalised !== undefined && origins.has(normalised) ? origin.trim() : undefined;
  }

  private allowsMethod(method: string, context: PipelineContext): boolean {
    const methods = valueOf(this.rules.methods, context);
    return methods === undefined || methods.includes(method.toUpperCase());
  }
}

function appendVary(headers: HeaderMap): void {
  const vary = headers.get("vary");
  if (vary === undefined) headers.set("Vary", ["Origin"]);
  else if (!vary.split(",").some((v) => v.trim().toLowerCase() === "origin")) headers.append("Vary", "Origin");
}

/** `OPTIONS` with `Origin` and `Access-Control-Request-Method`. */
export function isPreflight(context: PipelineContext): boolean {
  const { request } = context;
  return isPreflightRequest(request.method, request.headers);
}

export function isPreflightRequest(method: string, headers: HeaderMap): boolean {
  return method.toUpperCase() === "OPTIONS" && headers.has("origin") && headers.has("access-control-request-method");
}

/** The cors policies directly in an effective inbound section, in order: those that answer a preflight. */
export function corsPolicies(inbound: readonly Step[]): CorsStep[] {
  return inbound.filter((step): step is CorsStep => step instanceof CorsStep);
}

/**
 * The gateway's answer to a preflight (reference apim.md §2.18): only the inbound section's cors policies run, the
 * first that matches answers; an unmatched one that terminates (the default) answers an empty 200, as does the end
 * of the list.
 */
export function answerPreflight(policies: readonly CorsStep[], context: PipelineContext): GatewayResponse {
  for (const policy of policies) {
    const answer = policy.preflight(context);
    if (answer !== undefined) return answer;
    if (policy.terminatesUnmatched(context)) break;
  }
  return emptyResponse();
}
