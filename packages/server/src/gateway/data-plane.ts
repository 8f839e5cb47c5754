/**
 * The gateway's request path: route, check the subscription, run the compiled pipeline, answer. Everything it reads
 * comes from the current immutable snapshot; nothing here touches the database or parses XML.
 */
import { randomUUID, type X509Certificate } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { TLSSocket } from "node:tls";
import type { Logger } from "pino";
import type { CredentialNames } from "../observability/credential-names.js";
import type { GatewayMetrics } from "../observability/gateway-metrics.js";
import {
  ACCESS_MESSAGES,
  decideAccess,
  decideTokenAccess,
  subscriptionKeyOf,
  type AccessDecision,
  type TokenRefused,
} from "./access.js";
import { appTokenFailure, missingTokenFailure } from "./app-token/refusal.js";
import type { Deployment, GatewayRequest, GatewayResponse, PipelineServices } from "./pipeline/context.js";
import { newPipelineContext } from "./pipeline/new-context.js";
import { executePipeline, failBeforePipeline } from "./pipeline/executor.js";
import { emptyResponse, gatewayError } from "./pipeline/gateway-error.js";
import { HeaderMap } from "./pipeline/headers.js";
import { PolicyFailure, PolicyLoadError } from "./policy/definition.js";
import { answerPreflight, corsPolicies } from "./policy/policies/cors.js";
import type { Api } from "./model/apis/types.js";
import type { Forwarder } from "./proxy/forwarder.js";
import type { RequestSender } from "./proxy/request-sender.js";
import { RequestTargetError, originalUrlOf, type RequestTarget } from "./routing/canonical-path.js";
import { gatewayOrigin } from "./routing/host-header.js";
import { pipelineFor, routeRequest, type GatewaySnapshot, type RoutedRequest } from "./snapshot.js";
import type { GatewayTracing } from "./tracing/gateway-tracing.js";
import type { CertificateTrust } from "../tls/certificate-trust.js";
import type { ManagedIdentityTokenSource } from "./managed-identity/token-source.js";
import type { CredentialThrottle } from "../security/credential-throttle.js";
import { KEY_THROTTLE_REASON, keyThrottled, keyThrottleFailure, type KeyThrottled } from "./key-throttle.js";

export const REQUEST_ID_HEADER = "x-gatehouse-request-id";

export interface DataPlaneOptions {
  snapshot: () => GatewaySnapshot;
  forwarder: Forwarder;
  metrics: GatewayMetrics;
  logger: Logger;
  /** The listener's scheme: APIs answer only on the protocols they list. */
  scheme: "http" | "https";
  deployment: Deployment;
  /** send-request's transport. */
  sender: RequestSender;
  /** validate-client-certificate's trusted authorities. */
  certificateTrust: CertificateTrust;
  /** authentication-managed-identity's tokens. */
  managedIdentity: ManagedIdentityTokenSource;
  tracing: GatewayTracing;
  /** Headers and query parameters whose values the log hides. */
  credentialNames: CredentialNames;
  /** Counts invalid subscription keys per source address, and refuses a source over its limit. */
  keyThrottle: CredentialThrottle;
}

export class DataPlane {
  private readonly services: PipelineServices;

  constructor(private readonly options: DataPlaneOptions) {
    this.services = {
      deployment: options.deployment,
      forward: options.forwarder.forward,
      send: options.sender.send,
      rejected: (source, reason) => options.metrics.rejected(source, reason),
      metric: (metric) => options.metrics.custom(metric),
      certificateTrust: options.certificateTrust,
      managedIdentity: options.managedIdentity,
    };
  }

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    const startedAt = process.hrtime.bigint();
    const requestId = randomUUID();
    this.serve(req, res, startedAt, requestId).catch((error: unknown) => {
      // A defect, not a policy decision: log it, answer like APIM, never with the error's text.
      this.options.logger.error({ err: error, requestId }, "gateway request failed");
      if (!res.headersSent)
        this.send(res, gatewayError(500, "Internal server error", { activityId: requestId }), requestId);
      else res.destroy();
    });
  };

  private async serve(req: IncomingMessage, res: ServerResponse, startedAt: bigint, requestId: string): Promise<void> {
    const { logger, metrics } = this.options;
    const snapshot = this.options.snapshot();
    const method = req.method ?? "GET";
    const headers = HeaderMap.fromIncoming(req.headers, req.rawHeaders);

    // A CORS preflight is answered by the cors policies of the operation it asks about, without a subscription key.
    let routed: RoutedRequest;
    let origin: string;
    try {
      origin = gatewayOrigin(this.options.scheme, req.headers.host);
      routed = routeRequest(snapshot, { method, target: req.url ?? "/", headers, soapAction: soapActionOf(headers) });
    } catch (error) {
      if (!(error instanceof RequestTargetError)) throw error;
      metrics.rejected("configuration", "InvalidRequestTarget");
      this.finish(req, res, gatewayError(400, error.message), requestId, startedAt, "", "");
      return;
    }
    const { route, preflight, query, target } = routed;
    if (!route || !route.api.api.protocols.includes(this.options.scheme)) {
      metrics.rejected("configuration", "OperationNotFound");
      this.finish(req, res, gatewayError(404, "Resource not found"), requestId, startedAt, "", "");
      return;
    }
    const api = route.api.api;
    const operation = route.operation.operation;
    const host = req.headers.host ?? "localhost";
    const request = new ClientRequest(req, origin, target, route.path, query, headers, route.params);

    const key = subscriptionKeyOf(api, request);
    // A source that sent too many invalid keys is refused before its key is looked up (security/credential-throttle).
    const throttled =
      key === undefined ? undefined : this.options.keyThrottle.retryAfter({ address: request.ipAddress });
    const now = Date.now();
    // A key decides when one is sent; else, on an API of a product with application-token, a bearer token (a token
    // verified before is decided without a promise).
    let byToken =
      throttled === undefined && key === undefined
        ? decideTokenAccess(api, headers.get("authorization"), snapshot.access, now)
        : undefined;
    if (byToken instanceof Promise) byToken = await byToken;
    const access: AccessDecision | TokenRefused | KeyThrottled =
      throttled !== undefined ? keyThrottled(throttled) : (byToken ?? decideAccess(api, key, snapshot.access, now));
    if (!access.allowed && access.reason === "SubscriptionKeyInvalid") {
      await this.options.keyThrottle.failed({ address: request.ipAddress });
    }
    // A refused key runs the on-error section without product context, as APIM does.
    const product = access.allowed ? access.product : undefined;
    const pipeline = pipelineFor(route.operation.value, product);
    if (pipeline instanceof PolicyLoadError) {
      logger.error(
        { requestId, api: api.name, operation: operation.name, problem: pipeline.message },
        "policy unusable",
      );
      const failure = gatewayError(500, "Internal server error", { activityId: requestId });
      this.finish(req, res, failure, requestId, startedAt, api.name, operation.name);
      return;
    }
    const preflightPolicies = preflight ? corsPolicies(pipeline.inbound.map((s) => s.step)) : [];
    if (preflight && preflightPolicies.length === 0) {
      metrics.rejected("configuration", "OperationNotFound");
      this.finish(req, res, gatewayError(404, "Resource not found"), requestId, startedAt, "", "");
      return;
    }

    const subscription = access.allowed ? access.subscription : undefined;
    const trace = this.options.tracing.start(api, request, subscription, requestId, startedAt);
    const context = newPipelineContext({
      requestId,
      startedAt,
      api,
      operation,
      product,
      subscription,
      user: access.allowed ? access.user : undefined,
      request,
      trace,
      services: trace ? this.options.tracing.services(this.services, trace) : this.services,
    });
    if (preflight) context.response = answerPreflight(preflightPolicies, context);
    else if (access.allowed) await executePipeline(pipeline, context);
    else {
      const realm = apiRealm(api, this.options.scheme, host);
      const failure =
        access.reason === KEY_THROTTLE_REASON
          ? keyThrottleFailure(access.retryAfterSeconds)
          : access.reason === "AppTokenRefused"
            ? access.refusal
              ? appTokenFailure(access.refusal, realm)
              : missingTokenFailure(realm)
            : accessFailure(access.reason, api, this.options.scheme, host);
      await failBeforePipeline(pipeline, context, failure);
    }
    const response = context.response ?? emptyResponse();
    if (context.lastError) {
      const { source, reason, message } = context.lastError;
      // The detail can quote what the client sent (a refused header value), so it is kept for debug logs.
      const detail = logger.isLevelEnabled("debug") ? { detail: message } : {};
      // A refusal is the client's doing; a failure on the gateway's side (a policy's bad header, the backend) warns.
      if (response.statusCode >= 500) logger.warn({ requestId, source, reason, ...detail }, "request failed");
      else logger.info({ requestId, source, reason, ...detail }, "request refused");
    }
    if (trace) this.options.tracing.complete(trace, context, response, res);
    this.finish(
      req,
      res,
      response,
      requestId,
      startedAt,
      api.name,
      operation.name,
      api.subscriptionKeyParameterNames.query,
      access.allowed && access.application && product
        ? { product: product.name, clientApplication: access.application.clientApplicationName }
        : undefined,
    );
  }

  private finish(
    req: IncomingMessage,
    res: ServerResponse,
    response: GatewayResponse,
    requestId: string,
    startedAt: bigint,
    api: string,
    operation: string,
    keyQueryName?: string,
    /** The product and client application of a request an application token opened. */
    application?: { product: string; clientApplication: string },
  ): void {
    const { logger, metrics } = this.options;
    res.once("close", () => {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      const completed = res.writableFinished;
      metrics.request(api, operation, response.statusCode, seconds);
      if (application)
        metrics.applicationRequest(application.product, application.clientApplication, response.statusCode);
      if (logger.isLevelEnabled("info")) {
        logger.info(
          {
            requestId,
            method: req.method,
            url: this.options.credentialNames.redact(req.url ?? "/", keyQueryName),
            api,
            operation,
            status: response.statusCode,
            ms: Math.round(seconds * 1e4) / 10,
            ...(completed ? {} : { reason: "ClientConnectionFailure" }),
          },
          "gateway request",
        );
      }
    });
    // The client's body may be unread (no forward, or an early refusal): drain it so the connection can be reused.
    if (!req.readableEnded && req.listenerCount("data") === 0) req.resume();
    this.send(res, response, requestId);
  }

  private send(res: ServerResponse, response: GatewayResponse, requestId: string): void {
    const { body } = response;
    response.headers.set(REQUEST_ID_HEADER, [requestId]);
    if (body === undefined || typeof body === "string" || Buffer.isBuffer(body)) {
      response.headers.set("Content-Length", [String(body === undefined ? 0 : Buffer.byteLength(body))]);
      res.writeHead(response.statusCode, response.statusReason, response.headers.toOutgoing());
      res.end(body);
      return;
    }
    res.writeHead(response.statusCode, response.statusReason, response.headers.toOutgoing());
    // pipe() rather than stream.pipeline(): the latter costs an AbortController per response on the hot path.
    const stream = body as Readable;
    stream.once("error", () => res.destroy());
    res.once("close", () => {
      if (!stream.readableEnded) stream.destroy();
    });
    stream.pipe(res);
  }
}

/** A refused subscription key: 401 with APIM's challenge (the offline policy test runner refuses keys the same way). */
export function accessFailure(
  reason: keyof typeof ACCESS_MESSAGES,
  api: Api,
  scheme: string,
  host: string,
): PolicyFailure {
  const realm = apiRealm(api, scheme, host);
  const challenge = `AzureApiManagementKey realm="${realm}",name="${api.subscriptionKeyParameterNames.header}",type="header"`;
  const message = ACCESS_MESSAGES[reason];
  return new PolicyFailure(
    401,
    message,
    "authorization",
    reason,
    message,
    { "WWW-Authenticate": challenge },
    false,
    "Access Denied",
  );
}

/** The API's URL, the realm of the gateway's challenges. */
const apiRealm = (api: Api, scheme: string, host: string): string => `${scheme}://${host}/${api.path}`;

/**
 * The client's request as the pipeline sees it; the original URL (the canonical target, the API suffix included) is
 * built only if a policy or the forwarder asks.
 */
class ClientRequest implements GatewayRequest {
  readonly method: string;
  readonly originalMethod: string;
  readonly ipAddress: string;
  body: GatewayRequest["body"];
  private parsedUrl: URL | undefined;

  constructor(
    private readonly req: IncomingMessage,
    /** `scheme://host[:port]` as the client addressed the gateway. */
    private readonly origin: string,
    private readonly target: RequestTarget,
    public path: string,
    public query: URLSearchParams,
    public headers: HeaderMap,
    readonly matchedParameters: ReadonlyMap<string, string>,
  ) {
    this.method = req.method ?? "GET";
    this.originalMethod = this.method;
    this.ipAddress = normaliseIp(req.socket.remoteAddress);
    this.body = hasBody(req) ? req : undefined;
  }

  get originalUrl(): URL {
    return (this.parsedUrl ??= originalUrlOf(this.target, this.origin));
  }

  /** The TLS peer's certificate, looked up only when a policy asks. */
  get certificate(): X509Certificate | undefined {
    const socket = this.req.socket;
    return socket instanceof TLSSocket ? socket.getPeerX509Certificate() : undefined;
  }
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return (length !== undefined && length !== "0") || req.headers["transfer-encoding"] !== undefined;
}

/** SOAP 1.1 `SOAPAction` header (quotes removed), else SOAP 1.2's `action` content-type parameter. */
function soapActionOf(headers: HeaderMap): string | undefined {
  const header = headers.get("soapaction");
  if (header !== undefined) return header.trim().replace(/^"(.*)"$/, "$1");
  const type = headers.get("content-type");
  if (!type?.toLowerCase().includes("application/soap+xml")) return undefined;
  return /;\s*action\s*=\s*"?([^";]+)"?/i.exec(type)?.[1];
}

/** `::ffff:127.0.0.1` → `127.0.0.1`, as APIM reports IPv4 callers. */
function normaliseIp(address: string | undefined): string {
  if (!address) return "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}
