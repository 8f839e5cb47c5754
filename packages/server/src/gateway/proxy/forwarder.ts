/**
 * forward-request's transport: undici agents with pooled keep-alive connections, bodies streamed both ways.
 */
import { STATUS_CODES } from "node:http";
import { Readable } from "node:stream";
import { Agent, errors, interceptors, type Dispatcher } from "undici";
import { trustedCa, trustingConnect } from "../../util/trusted-tls.js";
import { ClientCertificateAgents } from "./client-certificate-agents.js";
import { PolicyFailure } from "../policy/definition.js";
import type { ForwardOptions, PipelineContext } from "../pipeline/context.js";
import { backendLocation } from "../pipeline/backend-url.js";
import { HeaderMap } from "../pipeline/headers.js";
import { endToEnd, putField } from "./hop-by-hop.js";

export interface ForwarderOptions {
  /** CA certificates (PEM) trusted for HTTPS backends besides the system roots: the local Gatehouse CA. */
  extraCa?: string[];
  /** Connections per backend origin. */
  connections?: number;
  /** The scheme clients used to reach the gateway, for X-Forwarded-Proto. */
  scheme: "http" | "https";
  /** Called with the backend's response time, for metrics. */
  onBackendResponse?: (context: PipelineContext, seconds: number) => void;
}

export class Forwarder {
  private readonly verifying: Dispatcher;
  private readonly notVerifying: Dispatcher;
  private readonly redirecting = new WeakMap<Dispatcher, Dispatcher>();
  private readonly agents: Agent[];
  /** With a client certificate: pools per certificate, verifying the backend or not. */
  private readonly withCertificate: Readonly<Record<"verifying" | "notVerifying", ClientCertificateAgents>>;

  constructor(private readonly options: ForwarderOptions) {
    const common = { connections: options.connections ?? 128, keepAliveTimeout: 30_000, pipelining: 1 };
    const connect = trustingConnect(options.extraCa ?? []);
    const verifying = new Agent(connect ? { ...common, connect } : common);
    const notVerifying = new Agent({ ...common, connect: { rejectUnauthorized: false } });
    this.agents = [verifying, notVerifying];
    const ca = trustedCa(options.extraCa ?? []);
    this.withCertificate = {
      verifying: new ClientCertificateAgents({ agent: common, ca, verify: true }),
      notVerifying: new ClientCertificateAgents({ agent: common, ca, verify: false }),
    };
    this.verifying = verifying;
    this.notVerifying = notVerifying;
  }

  /** forward-request: sends context.request to context.backend and sets context.response. */
  forward = async (context: PipelineContext, options: ForwardOptions): Promise<void> => {
    const { request, backend } = context;
    const { origin, path, headers } = backendRequest(context, this.options.scheme);

    const certificate = context.clientCertificate ?? backend.clientCertificate;
    let dispatcher: Dispatcher;
    if (certificate) {
      dispatcher = this.withCertificate[backend.validateCertificate ? "verifying" : "notVerifying"].get(certificate);
    } else {
      dispatcher = backend.validateCertificate ? this.verifying : this.notVerifying;
    }
    if (options.followRedirects) dispatcher = this.withRedirects(dispatcher);
    const started = process.hrtime.bigint();
    let response: Dispatcher.ResponseData;
    try {
      response = await dispatcher.request({
        origin,
        path,
        method: request.method as Dispatcher.HttpMethod,
        headers,
        body: request.body,
        headersTimeout: options.timeoutMs,
        bodyTimeout: 0,
      });
    } catch (error) {
      throw clientGone(request.body) ? clientFailure() : backendFailure(error, origin);
    }
    this.options.onBackendResponse?.(context, Number(process.hrtime.bigint() - started) / 1e9);
    const responseHeaders = HeaderMap.fromIncoming(endToEnd(response.headers));
    // Always streamed: buffer-response only matters to policies that read the body, which buffer it themselves.
    context.response = {
      statusCode: response.statusCode,
      statusReason: STATUS_CODES[response.statusCode] ?? "",
      headers: responseHeaders,
      body: response.body,
    };
    if (options.failOnErrorStatusCode && response.statusCode >= 400) {
      response.body.resume();
      throw errorStatusFailure(response.statusCode);
    }
  };

  private withRedirects(dispatcher: Dispatcher): Dispatcher {
    let composed = this.redirecting.get(dispatcher);
    if (!composed) {
      composed = dispatcher.compose(interceptors.redirect({ maxRedirections: 10 }));
      this.redirecting.set(dispatcher, composed);
    }
    return composed;
  }

  async close(): Promise<void> {
    await Promise.allSettled([
      ...this.agents.map((agent) => agent.close()),
      this.withCertificate.verifying.close(),
      this.withCertificate.notVerifying.close(),
    ]);
  }
}

/** What forward-request sends, but the method and body: where, and with which headers. */
export interface BackendRequest {
  origin: string;
  /** The backend base URL's path, then the request's path and query (plus the backend credentials' parameters). */
  path: string;
  headers: Record<string, string | string[]>;
}

/** The request as forward-request sends it to context.backend; without a backend, APIM's failure. */
export function backendRequest(context: PipelineContext, scheme: "http" | "https"): BackendRequest {
  const { request, backend } = context;
  if (!backend.baseUrl) {
    throw new PolicyFailure(
      500,
      "Internal server error",
      "forward-request",
      "BackendConnectionFailure",
      `API '${context.api.name}' has no backend: set serviceUrl or use set-backend-service`,
      {},
      true,
    );
  }
  const headers = outgoingHeaders(context, scheme);
  // The request's own query is sent as is; it is copied only when the backend's credentials add parameters.
  let query = request.query;
  const credentialQuery = backend.credentials?.query;
  if (credentialQuery) {
    query = new URLSearchParams(query);
    for (const [name, values] of Object.entries(credentialQuery)) for (const value of values) query.append(name, value);
  }
  for (const [name, values] of Object.entries(backend.credentials?.header ?? {})) headers[name.toLowerCase()] = values;
  if (backend.credentials?.authorization) {
    const { scheme: authScheme, parameter } = backend.credentials.authorization;
    headers.authorization = `${authScheme} ${parameter}`;
  }
  return { ...backendLocation(context, query), headers };
}

/** fail-on-error-status-code: a backend 4xx or 5xx is an error that runs on-error. */
export function errorStatusFailure(statusCode: number): PolicyFailure {
  return new PolicyFailure(
    500,
    "Internal server error",
    "forward-request",
    "BackendErrorStatusCode",
    `the backend answered ${statusCode} and fail-on-error-status-code is set`,
    {},
    true,
  );
}

function outgoingHeaders(context: PipelineContext, scheme: "http" | "https"): Record<string, string | string[]> {
  const { request } = context;
  const all: Record<string, string | string[]> = {};
  for (const [name, values] of request.headers) {
    putField(all, name.toLowerCase(), values.length === 1 ? (values[0] as string) : [...values]);
  }
  const headers = endToEnd(all);
  // A body replaced by a policy has a new length; undici computes it from the buffer.
  if (typeof request.body === "string" || Buffer.isBuffer(request.body)) delete headers["content-length"];
  const forwardedFor = request.headers.get("x-forwarded-for");
  headers["x-forwarded-for"] = forwardedFor ? `${forwardedFor}, ${request.ipAddress}` : request.ipAddress;
  headers["x-forwarded-host"] ??= request.originalUrl.host;
  headers["x-forwarded-proto"] ??= scheme;
  return headers;
}

/** The client's body stream ended before it was complete: the client left, or its listener cut a slow body off. */
function clientGone(body: PipelineContext["request"]["body"]): boolean {
  return body instanceof Readable && body.destroyed && !body.readableEnded;
}

/** APIM's ClientConnectionFailure; the client's doing, so a 4xx, which no one receives. */
function clientFailure(): PolicyFailure {
  return new PolicyFailure(
    400,
    "The request body was not received completely.",
    "forward-request",
    "ClientConnectionFailure",
    "the client's request body ended before it was complete (connection closed or too slow)",
  );
}

function backendFailure(error: unknown, origin: string): PolicyFailure {
  const timeout = error instanceof errors.HeadersTimeoutError || error instanceof errors.ConnectTimeoutError;
  const code = (error as { code?: string }).code ?? (error as Error).message;
  return new PolicyFailure(
    500,
    "Internal server error",
    "forward-request",
    timeout ? "Timeout" : "BackendConnectionFailure",
    timeout
      ? `the backend ${origin} did not answer within the forward-request timeout`
      : `cannot reach the backend ${origin}: ${code}`,
    {},
    true,
  );
}
