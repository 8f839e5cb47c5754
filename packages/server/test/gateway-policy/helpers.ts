/** Hand-built pipeline contexts and document loading for the policy engine's tests. */
import { CertificateIndex } from "../../src/gateway/model/certificates/lookup.js";
import { ManagedIdentityTokenError } from "../../src/gateway/managed-identity/token-source.js";
import { KeySources } from "../../src/gateway/jwt/key-sources.js";
import { MemoryState } from "../../src/gateway/state/memory-state.js";
import type { Api } from "../../src/gateway/model/apis/types.js";
import type { Backend } from "../../src/gateway/model/backends/types.js";
import type { Operation } from "../../src/gateway/model/operations/types.js";
import { operationFrom } from "../../src/gateway/model/operations/validation.js";
import type { PolicyScope } from "../../src/gateway/model/configuration.js";
import type {
  CustomMetric,
  ForwardOptions,
  GatewayRequest,
  GatewayResponse,
  PipelineContext,
} from "../../src/gateway/pipeline/context.js";
import { RequestSender } from "../../src/gateway/proxy/request-sender.js";
import { CertificateTrust } from "../../src/tls/certificate-trust.js";
import { DEFAULT_DEPLOYMENT } from "../../src/gateway/node.js";
import { executePipeline } from "../../src/gateway/pipeline/executor.js";
import { HeaderMap } from "../../src/gateway/pipeline/headers.js";
import { newPipelineContext } from "../../src/gateway/pipeline/new-context.js";
import { PolicyLoadError, type PolicyServices } from "../../src/gateway/policy/definition.js";
import {
  loadPolicyDocument,
  type CompiledDocument,
  type DocumentEnvironment,
} from "../../src/gateway/policy/document.js";
import { effectivePipeline, type Pipeline } from "../../src/gateway/policy/pipeline.js";

export const API: Api = {
  name: "echo",
  displayName: "Echo",
  description: null,
  path: "echo",
  serviceUrl: "http://127.0.0.1:9/echo",
  protocols: ["http"],
  apiType: "http",
  subscriptionRequired: false,
  subscriptionKeyParameterNames: { header: "Ocp-Apim-Subscription-Key", query: "subscription-key" },
};

export const OPERATION: Operation = operationFrom(API, "get-user", {
  displayName: "Get user",
  method: "GET",
  urlTemplate: "/users/{id}?expand={expand}",
  responses: [
    {
      statusCode: 200,
      representations: [
        { contentType: "application/json", examples: { default: { value: { id: 5, name: "five" } } } },
        { contentType: "text/plain", examples: { plain: { value: "user five" } } },
      ],
    },
    { statusCode: 404, representations: [{ contentType: "application/json" }] },
  ],
});

export const BACKEND: Backend = {
  name: "users",
  url: "https://127.0.0.1:8443/users-service",
  protocol: "http",
  title: null,
  description: null,
  credentials: { header: { "x-functions-key": ["k1"] } },
  tls: { validateCertificateChain: true, validateCertificateName: false },
};

let sharedServices: PolicyServices | undefined;

/** Real key sources (the policies under test never fetch from them) and in-memory counters and cache. */
export function policyServices(): PolicyServices {
  sharedServices ??= {
    keySources: new KeySources({}),
    azureAdAuthority: "http://127.0.0.1:1",
    state: new MemoryState(),
  };
  return sharedServices;
}

export function environment(overrides: Partial<DocumentEnvironment> = {}): DocumentEnvironment {
  return {
    namedValues: new Map([
      ["backend-secret", "s3cret"],
      ["tenant", "contoso"],
    ]),
    backends: new Map([[BACKEND.name, BACKEND]]),
    certificates: new CertificateIndex([]),
    operation: undefined,
    services: policyServices(),
    ...overrides,
  };
}

export const OPERATION_SCOPE: PolicyScope = { kind: "operation", api: "echo", operation: "get-user" };

export function load(
  xml: string,
  scope: PolicyScope = { kind: "api", api: "echo" },
  overrides: Partial<DocumentEnvironment> = {},
): CompiledDocument {
  const operation = scope.kind === "operation" ? OPERATION : undefined;
  return loadPolicyDocument(xml, scope, environment({ operation, ...overrides }));
}

/** The load error of a document, as `detail @ line:column`. */
export function loadError(
  xml: string,
  scope: PolicyScope = { kind: "api", api: "echo" },
  overrides: Partial<DocumentEnvironment> = {},
): string {
  try {
    load(xml, scope, overrides);
  } catch (error) {
    if (!(error instanceof PolicyLoadError)) throw error;
    return `${error.detail} @ ${error.position?.line}:${error.position?.column}`;
  }
  throw new Error("the document loaded");
}

/** `<policies>` with the given sections' inner XML. */
export function policies(sections: {
  inbound?: string;
  backend?: string;
  outbound?: string;
  onError?: string;
}): string {
  const section = (name: string, inner: string | undefined) =>
    inner === undefined ? "" : `<${name}>${inner}</${name}>`;
  return `<policies>${section("inbound", sections.inbound)}${section("backend", sections.backend)}${section(
    "outbound",
    sections.outbound,
  )}${section("on-error", sections.onError)}</policies>`;
}

export interface Forwarded {
  options: ForwardOptions;
  path: string;
  query: string;
  headers: [string, readonly string[]][];
  body: unknown;
  backend: PipelineContext["backend"];
}

export interface TestRequest {
  method?: string;
  path?: string;
  query?: string;
  headers?: Record<string, string>;
  matched?: Record<string, string>;
  /** The client's body: text, bytes, or a stream as the data plane passes it on. */
  body?: GatewayRequest["body"];
  /** The TCP peer; 127.0.0.1 by default. */
  ipAddress?: string;
  /** What the backend answers; a function may also throw, as the forwarder does. */
  backend?: (context: PipelineContext) => GatewayResponse | Promise<GatewayResponse>;
}

export interface Harness {
  context: PipelineContext;
  forwarded: Forwarded[];
  rejections: [string, string][];
  /** What emit-metric recorded. */
  metrics: CustomMetric[];
}

/** send-request's real transport (loopback servers in tests); validate-client-certificate trusts node's roots. */
let sender: RequestSender | undefined;
const systemTrust = CertificateTrust.withSystemRoots([]);

export function harness(request: TestRequest = {}): Harness {
  const forwarded: Forwarded[] = [];
  const rejections: [string, string][] = [];
  const metrics: CustomMetric[] = [];
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers ?? {})) headers.append(name, value);
  const path = request.path ?? "/users/5";
  const query = new URLSearchParams(request.query ?? "");
  const context = newPipelineContext({
    requestId: "6f1c9a52-3d8e-4b7a-9c61-2f0e4d5a8b13",
    api: API,
    operation: OPERATION,
    product: undefined,
    subscription: undefined,
    request: {
      method: request.method ?? "GET",
      path,
      query,
      headers,
      originalUrl: new URL(`http://127.0.0.1:8080/echo${path}${request.query ? `?${request.query}` : ""}`),
      originalMethod: request.method ?? "GET",
      ipAddress: request.ipAddress ?? "127.0.0.1",
      matchedParameters: new Map(Object.entries(request.matched ?? { id: "5" })),
      body: request.body,
    },
    services: {
      deployment: DEFAULT_DEPLOYMENT,
      async forward(ctx, options) {
        forwarded.push({
          options,
          path: ctx.request.path,
          query: ctx.request.query.toString(),
          headers: [...ctx.request.headers],
          body: ctx.request.body,
          backend: ctx.backend,
        });
        const answer = request.backend ?? (() => backendResponse(200, "from backend"));
        ctx.response = await answer(ctx);
      },
      rejected(source, reason) {
        rejections.push([source, reason]);
      },
      send: (outbound) => (sender ??= new RequestSender()).send(outbound),
      metric: (metric) => void metrics.push(metric),
      certificateTrust: systemTrust,
      // Unit tests run without an identity service: the gateway has no identity (test/gateway-mi runs a real one).
      managedIdentity: {
        token: () => Promise.reject(new ManagedIdentityTokenError("the gateway has no managed identity", undefined)),
      },
    },
  });
  return { context, forwarded, rejections, metrics };
}

export function backendResponse(status: number, body: string): GatewayResponse {
  const headers = new HeaderMap();
  headers.set("Content-Type", ["text/plain"]);
  headers.set("X-Powered-By", ["Express"]);
  return { statusCode: status, statusReason: "OK", headers, body };
}

/** Loads the documents (operation scope for `operation`), flattens them and runs the pipeline. */
export async function run(
  documents: { global?: string; product?: string; api?: string; operation?: string },
  request: TestRequest = {},
): Promise<Harness> {
  const h = harness(request);
  await executePipeline(pipelineOf(documents), h.context);
  return h;
}

export function pipelineOf(
  documents: {
    global?: string;
    product?: string;
    api?: string;
    operation?: string;
  },
  overrides: Partial<DocumentEnvironment> = {},
): Pipeline {
  const loaded = (xml: string | undefined, scope: PolicyScope) =>
    xml === undefined ? undefined : load(xml, scope, overrides);
  return effectivePipeline({
    global: loaded(documents.global, { kind: "global" }),
    product: loaded(documents.product, { kind: "product", product: "starter" }),
    api: loaded(documents.api, { kind: "api", api: "echo" }),
    operation: loaded(documents.operation, OPERATION_SCOPE),
  });
}

export function headersOf(response: GatewayResponse | undefined): Record<string, string[]> {
  return Object.fromEntries([...(response?.headers ?? [])].map(([name, values]) => [name, [...values]]));
}
