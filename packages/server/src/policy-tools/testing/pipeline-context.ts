/**
 * A request's pipeline context built without a socket: the policy test runner and the engine's tests start every
 * pipeline from the state the data plane gives a request as it arrives.
 */
import { randomUUID } from "node:crypto";
import type { Api, Operation, Product } from "../../gateway/model.js";
import type {
  GatewayRequest,
  PipelineContext,
  PipelineServices,
  SubscriptionContext,
} from "../../gateway/pipeline/context.js";

export interface ContextParts {
  api: Api;
  operation: Operation;
  product: Product | undefined;
  subscription: SubscriptionContext | undefined;
  request: GatewayRequest;
  services: PipelineServices;
  requestId?: string;
}

export function newPipelineContext(parts: ContextParts): PipelineContext {
  return {
    requestId: parts.requestId ?? randomUUID(),
    startedAt: process.hrtime.bigint(),
    api: parts.api,
    operation: parts.operation,
    product: parts.product,
    subscription: parts.subscription,
    request: parts.request,
    response: undefined,
    // The API's serviceUrl until set-backend-service changes it, as in the data plane.
    backend: { baseUrl: parts.api.serviceUrl, backendId: null, credentials: null, validateCertificate: true },
    variables: new Map(),
    lastError: undefined,
    section: "inbound",
    ended: false,
    skipToOutbound: false,
    completions: [],
    trace: undefined,
    services: parts.services,
  };
}
