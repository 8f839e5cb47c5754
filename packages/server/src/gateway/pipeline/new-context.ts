/**
 * The state a request's pipeline starts from: the data plane builds every context with it, and so do the policy test
 * runner and the engine's tests, so all three start alike.
 */
import { randomUUID } from "node:crypto";
import type { Api } from "../model/apis/types.js";
import type { Operation } from "../model/operations/types.js";
import type { Product } from "../model/products/types.js";
import type { GatewayRequest, PipelineContext, PipelineServices, SubscriptionContext, UserContext } from "./context.js";
import type { TraceRecorder } from "./trace.js";

export interface ContextParts {
  api: Api;
  operation: Operation;
  product: Product | undefined;
  subscription: SubscriptionContext | undefined;
  /** Default: none. */
  user?: UserContext | undefined;
  request: GatewayRequest;
  services: PipelineServices;
  requestId?: string;
  /** process.hrtime.bigint() when the request arrived; now by default. */
  startedAt?: bigint;
  trace?: TraceRecorder;
}

export function newPipelineContext(parts: ContextParts): PipelineContext {
  return {
    requestId: parts.requestId ?? randomUUID(),
    startedAt: parts.startedAt ?? process.hrtime.bigint(),
    api: parts.api,
    operation: parts.operation,
    product: parts.product,
    subscription: parts.subscription,
    user: parts.user,
    request: parts.request,
    response: undefined,
    // The API's serviceUrl until set-backend-service changes it, as in the data plane.
    backend: {
      baseUrl: parts.api.serviceUrl,
      backendId: null,
      credentials: null,
      validateCertificate: true,
      clientCertificate: null,
    },
    clientCertificate: undefined,
    variables: new Map(),
    lastError: undefined,
    section: "inbound",
    ended: false,
    skipToOutbound: false,
    completions: [],
    innerFailure: undefined,
    traceFrame: undefined,
    trace: parts.trace,
    services: parts.services,
  };
}
