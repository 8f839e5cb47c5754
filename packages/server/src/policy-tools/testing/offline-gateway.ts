/**
 * The gateway without sockets: a case file's configuration compiled into a snapshot as the gateway compiles it, and
 * each case's request routed, checked for its key and run through the pipeline like the data plane does, with a
 * fake forward-request that records what it would send and answers with the case's backend.
 */
import { CertificateIndex } from "../../gateway/model/certificates/lookup.js";
import { answerPreflight, corsPolicies } from "../../gateway/policy/policies/cors.js";
import { pipelineFor, routeRequest, type RoutedRequest } from "../../gateway/snapshot.js";
import { originalUrlOf, RequestTargetError } from "../../gateway/routing/canonical-path.js";
import { gatewayOrigin } from "../../gateway/routing/host-header.js";
import { randomBytes } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Readable } from "node:stream";
import { decideAccess, subscriptionKeyOf } from "../../gateway/access.js";
import { accessFailure } from "../../gateway/data-plane.js";
import { namedValueLookup, loadPolicyDocument } from "../../gateway/policy/document.js";
import { DEFAULT_DEPLOYMENT } from "../../gateway/node.js";
import type {
  GatewayRequest,
  GatewayResponse,
  LastError,
  PipelineContext,
  PipelineServices,
} from "../../gateway/pipeline/context.js";
import { executePipeline, failBeforePipeline } from "../../gateway/pipeline/executor.js";
import { emptyResponse, gatewayError } from "../../gateway/pipeline/gateway-error.js";
import { HeaderMap } from "../../gateway/pipeline/headers.js";
import { PolicyLoadError, type PolicyServices } from "../../gateway/policy/definition.js";
import { backendRequest, errorStatusFailure } from "../../gateway/proxy/forwarder.js";
import { compileSnapshot, type GatewaySnapshot } from "../../gateway/snapshot.js";
import { OutboundRequestError } from "../../gateway/proxy/request-sender.js";
import { CertificateTrust } from "../../tls/certificate-trust.js";
import { ManagedIdentityTokenError } from "../../gateway/managed-identity/token-source.js";
import type { BackendAnswer } from "./case-schema.js";
import { matches } from "./expectations.js";
import { CaseFileError, type CaseSuite, type SuiteCase } from "./case-file.js";
import { OFFLINE_AZURE_AD_AUTHORITY, offlineServices } from "../offline-services.js";
import { OfflineIssuers } from "./offline-issuers.js";
import { newPipelineContext } from "../../gateway/pipeline/new-context.js";

/** The scheme clients use in the runner: realms, X-Forwarded-Proto and context.Request.OriginalUrl show it. */
const SCHEME = "https";

export interface BackendCall {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  body: string;
  /** The thumbprint of the client certificate the request would present on the TLS connection. */
  clientCertificate: string | undefined;
}

/** What one request produced. */
export interface Exchange {
  status: number;
  headers: HeaderMap;
  body: string;
  lastError: LastError | undefined;
  variables: ReadonlyMap<string, unknown>;
  backendCalls: BackendCall[];
  /** Why the gateway answered without running a pipeline (no operation matched). */
  note: string | undefined;
}

export class OfflineGateway {
  private constructor(
    private readonly snapshot: GatewaySnapshot,
    private readonly issuers: OfflineIssuers,
    private readonly services: PolicyServices,
  ) {}

  /** Compiles the suite's documents; one that does not load is a CaseFileError at its position. */
  static open(suite: CaseSuite): OfflineGateway {
    const issuers = new OfflineIssuers(suite.issuers, OFFLINE_AZURE_AD_AUTHORITY);
    // Counter and cache state lives in these services: every case of the file shares it, in order.
    const services = offlineServices(issuers);
    // A case file has no product applications: the authority is never asked.
    const snapshot = compileSnapshot(suite.configuration, services, randomBytes(32), OFFLINE_AZURE_AD_AUTHORITY);
    if (snapshot.problems.length > 0) throw documentProblem(suite, services);
    return new OfflineGateway(snapshot, issuers, services);
  }

  async send(testCase: SuiteCase): Promise<Exchange> {
    const { request: spec } = testCase;
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(spec.headers)) {
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
    }
    const body = requestBody(spec.body, spec.json, headers);
    const tokenQuery = new URLSearchParams();
    await this.addToken(testCase, headers, tokenQuery);
    const separator = spec.path.includes("?") ? "&" : "?";
    const target = tokenQuery.size === 0 ? spec.path : `${spec.path}${separator}${tokenQuery.toString()}`;

    const method = spec.method.toUpperCase();
    let routed: RoutedRequest;
    let origin: string;
    try {
      origin = gatewayOrigin(SCHEME, headers.get("host"));
      routed = routeRequest(this.snapshot, { method, target, headers, soapAction: undefined });
    } catch (error) {
      if (!(error instanceof RequestTargetError)) throw error;
      return refusedBeforePipeline(
        gatewayError(400, error.message),
        `the gateway refuses the request: ${error.message}`,
      );
    }
    const { route, query } = routed;
    const { path } = routed.target;
    if (!route) {
      return refusedBeforePipeline(
        gatewayError(404, "Resource not found"),
        `no operation of the API matches ${method} ${path}`,
      );
    }
    const api = route.api.api;
    const host = headers.get("host") ?? "localhost";
    const request: GatewayRequest = {
      method,
      path: route.path,
      query,
      headers,
      originalUrl: originalUrlOf(routed.target, origin),
      originalMethod: method,
      ipAddress: spec.ipAddress,
      matchedParameters: route.params,
      body,
    };
    const { subscription } = testCase;
    if (subscription && subscriptionKeyOf(api, request) === undefined) {
      headers.set(api.subscriptionKeyParameterNames.header, [subscription.primaryKey]);
    }
    const access = decideAccess(api, subscriptionKeyOf(api, request), this.snapshot.access, Date.now());
    const product = access.allowed ? access.product : undefined;
    const pipeline = pipelineFor(route.operation.value, product);
    // open() refused every document that does not load.
    if (pipeline instanceof PolicyLoadError) throw pipeline;
    const preflightPolicies = routed.preflight ? corsPolicies(pipeline.inbound.map((s) => s.step)) : undefined;
    if (preflightPolicies?.length === 0) {
      return refusedBeforePipeline(
        gatewayError(404, "Resource not found"),
        `a preflight to ${path}, whose operations have no cors policy`,
      );
    }

    const backendCalls: BackendCall[] = [];
    const context = newPipelineContext({
      api,
      operation: route.operation.operation,
      product,
      subscription: access.allowed ? access.subscription : undefined,
      user: access.allowed ? access.user : undefined,
      request,
      services: pipelineServices(testCase, backendCalls),
    });
    if (preflightPolicies) context.response = answerPreflight(preflightPolicies, context);
    else if (access.allowed) await executePipeline(pipeline, context);
    else await failBeforePipeline(pipeline, context, accessFailure(access.reason, api, SCHEME, host));
    return {
      ...(await settle(context.response ?? emptyResponse())),
      lastError: context.lastError,
      variables: context.variables,
      backendCalls,
      note: undefined,
    };
  }

  close(): Promise<void> {
    return this.services.keySources.close();
  }

  /** The case's token in Authorization (`Bearer …`), another header or a query parameter. */
  private async addToken(testCase: SuiteCase, headers: HeaderMap, query: URLSearchParams): Promise<void> {
    const { token } = testCase.request;
    if (token === undefined) return;
    const value =
      "value" in token
        ? token.value
        : await this.issuers.token({
            claims: token.claims,
            expiresIn: token.expiresIn,
            signingKey: token.signingKey,
          });
    if (token.query !== undefined) {
      query.append(token.query, value);
      return;
    }
    const header = token.header ?? "Authorization";
    const scheme = token.scheme ?? (header.toLowerCase() === "authorization" ? "Bearer" : "");
    headers.set(header, [scheme === "" ? value : `${scheme} ${value}`]);
  }
}

/** An answer the gateway gives before any pipeline runs, and why. */
async function refusedBeforePipeline(response: GatewayResponse, note: string): Promise<Exchange> {
  return { ...(await settle(response)), lastError: undefined, variables: new Map(), backendCalls: [], note };
}

/** The fake transports: forward-request records what it would send and gets the case's backend answer. */
function pipelineServices(testCase: SuiteCase, calls: BackendCall[]): PipelineServices {
  const answer = testCase.backend;
  return {
    deployment: DEFAULT_DEPLOYMENT,
    async forward(context: PipelineContext, options) {
      const target = backendRequest(context, SCHEME);
      calls.push({
        method: context.request.method,
        url: `${target.origin}${target.path}`,
        headers: target.headers,
        body: await bodyText(context.request.body),
        clientCertificate: (context.clientCertificate ?? context.backend.clientCertificate)?.thumbprint,
      });
      context.response = backendResponse(answer);
      if (options.failOnErrorStatusCode && answer.status >= 400) throw errorStatusFailure(answer.status);
    },
    async send(request) {
      const url = request.url.toString();
      const method = request.method.toUpperCase();
      const found = testCase.sendRequests.find(
        (candidate) =>
          (candidate.url === undefined || matches(candidate.url, url)) &&
          (candidate.method === undefined || candidate.method.toUpperCase() === method),
      );
      if (found === undefined) {
        throw new OutboundRequestError(
          "BackendConnectionFailure",
          `${method} ${url} is not answered offline: add it under the case's sendRequests`,
        );
      }
      return backendResponse(found);
    },
    rejected: () => undefined,
    metric: () => undefined,
    managedIdentity: {
      async token(resource, clientId) {
        const found = testCase.managedIdentityTokens.find(
          (t) => t.resource === resource && t.clientId?.toLowerCase() === clientId?.toLowerCase(),
        );
        if (found === undefined) {
          const identity = clientId === undefined ? "the system-assigned identity" : `client id '${clientId}'`;
          throw new ManagedIdentityTokenError(
            `no token for resource '${resource}' and ${identity} offline: add it under the case's managedIdentityTokens`,
            400,
          );
        }
        return found.token;
      },
    },
    // No client certificates offline: validate-client-certificate finds none to check.
    certificateTrust: CertificateTrust.only([]),
  };
}

/** The first document that does not load, at its position in the user's files. */
function documentProblem(suite: CaseSuite, services: PolicyServices): CaseFileError {
  const { configuration } = suite;
  const environment = {
    namedValues: namedValueLookup(configuration.namedValues),
    backends: new Map(configuration.backends.map((b) => [b.name, b])),
    certificates: new CertificateIndex(configuration.certificates),
    services,
  };
  for (const document of suite.documents) {
    const { scope } = document;
    const operation =
      scope.kind === "operation" ? configuration.operations.find((o) => o.name === scope.operation) : undefined;
    try {
      loadPolicyDocument(document.xml, scope, { ...environment, operation });
    } catch (error) {
      if (!(error instanceof PolicyLoadError)) throw error;
      return new CaseFileError(`${document.locate(error.position)}: ${error.detail}`);
    }
  }
  return new CaseFileError(`${suite.file}: a policy document does not load`);
}

function requestBody(text: string | undefined, json: unknown, headers: HeaderMap): Buffer | undefined {
  let body = text;
  if (json !== undefined) {
    body = JSON.stringify(json);
    if (!headers.has("content-type")) headers.set("Content-Type", ["application/json"]);
  }
  if (body === undefined) return undefined;
  const bytes = Buffer.from(body);
  // As a client sends it: the gateway sees a body only when the request declares one.
  if (!headers.has("content-length")) headers.set("Content-Length", [String(bytes.length)]);
  return bytes;
}

function backendResponse(answer: BackendAnswer): GatewayResponse {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(answer.headers)) {
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  let body = answer.body;
  if (answer.json !== undefined) {
    body = JSON.stringify(answer.json);
    if (!headers.has("content-type")) headers.set("Content-Type", ["application/json"]);
  }
  return { statusCode: answer.status, statusReason: STATUS_CODES[answer.status] ?? "", headers, body };
}

async function settle(response: GatewayResponse): Promise<Pick<Exchange, "status" | "headers" | "body">> {
  return { status: response.statusCode, headers: response.headers, body: await bodyText(response.body) };
}

async function bodyText(body: GatewayResponse["body"]): Promise<string> {
  if (body === undefined) return "";
  if (typeof body === "string") return body;
  if (Buffer.isBuffer(body)) return body.toString("utf8");
  const chunks: Buffer[] = [];
  for await (const chunk of body as Readable) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}
