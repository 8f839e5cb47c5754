/**
 * send-request's transport: one pooled undici agent trusting the same authorities as the forwarder (the local
 * Gatehouse CA included), and the response's body read into memory so expressions can read it as often as they like.
 */
import { STATUS_CODES } from "node:http";
import { Agent, errors, type Dispatcher } from "undici";
import { trustedCa, trustingConnect } from "../../util/trusted-tls.js";
import { ClientCertificateAgents } from "./client-certificate-agents.js";
import { bufferBody } from "../pipeline/body-buffer.js";
import type { GatewayResponse, OutboundRequest } from "../pipeline/context.js";
import { HeaderMap } from "../pipeline/headers.js";
import { PolicyFailure } from "../policy/definition.js";
import { endToEnd } from "./hop-by-hop.js";

export type OutboundFailureReason = "Timeout" | "BackendConnectionFailure" | "ResponseTooLarge";

/** The request could not be completed; `reason` becomes LastError.Reason. */
export class OutboundRequestError extends Error {
  override name = "OutboundRequestError";
  constructor(
    readonly reason: OutboundFailureReason,
    message: string,
  ) {
    super(message);
  }
}

export class RequestSender {
  private readonly agent: Agent;
  /** Requests presenting a client certificate (authentication-certificate in send-request). */
  private readonly withCertificate: ClientCertificateAgents;

  constructor(extraCa: readonly string[] = []) {
    const connect = trustingConnect(extraCa);
    const options = { keepAliveTimeout: 30_000 };
    this.agent = new Agent({ ...options, ...(connect ? { connect } : {}) });
    this.withCertificate = new ClientCertificateAgents({ agent: options, ca: trustedCa(extraCa), verify: true });
  }

  send = async (request: OutboundRequest): Promise<GatewayResponse> => {
    const { url } = request;
    // Values comma-joined, or repeated lines for headers that may hold commas (set-header's rule); never numbers.
    const headers = endToEnd(request.headers.toOutgoing() as Record<string, string | string[]>);
    try {
      const agent = request.clientCertificate ? this.withCertificate.get(request.clientCertificate) : this.agent;
      const response = await agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: request.method as Dispatcher.HttpMethod,
        headers,
        body: request.body,
        // One deadline for the whole exchange: connecting, the headers and the body.
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      const message: GatewayResponse = {
        statusCode: response.statusCode,
        statusReason: STATUS_CODES[response.statusCode] ?? "",
        headers: HeaderMap.fromIncoming(endToEnd(response.headers)),
        body: response.body,
      };
      await bufferBody(message, "response");
      return message;
    } catch (error) {
      throw failure(error, url, request.timeoutMs);
    }
  };

  async close(): Promise<void> {
    await Promise.allSettled([this.agent.close(), this.withCertificate.close()]);
  }
}

function failure(error: unknown, url: URL, timeoutMs: number): OutboundRequestError {
  if (error instanceof PolicyFailure) return new OutboundRequestError("ResponseTooLarge", error.message);
  const name = (error as Error | undefined)?.name;
  if (
    name === "TimeoutError" ||
    name === "AbortError" ||
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    error instanceof errors.ConnectTimeoutError
  ) {
    return new OutboundRequestError("Timeout", `${url.origin} did not answer within ${timeoutMs / 1000} s`);
  }
  const code = (error as { code?: string }).code ?? (error as Error).message;
  return new OutboundRequestError("BackendConnectionFailure", `cannot reach ${url.origin}: ${code}`);
}
