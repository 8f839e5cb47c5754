/**
 * Request tracing on a gateway node: which requests are traced, the recorder they carry, the
 * `Ocp-Apim-Trace-Location` header, and the record saved once the response has been sent. An untraced request costs
 * one header lookup, plus one map lookup while the admin has tracing on for some API.
 */
import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Api } from "../model/apis/types.js";
import type { Subscription } from "../model/subscriptions/types.js";
import type { CredentialNames } from "../../observability/credential-names.js";
import type {
  GatewayRequest,
  GatewayResponse,
  PipelineContext,
  PipelineServices,
  SubscriptionContext,
} from "../pipeline/context.js";
import { PolicyFailure } from "../policy/definition.js";
import type { ApiTracingView } from "./api-tracing.js";
import type { TraceSignatures } from "./location.js";
import { RequestTrace, type TraceTrigger } from "./recorder.js";
import { SecretValues, credentialsSent } from "./secret-values.js";
import { TRACE_RETENTION_MS, type TraceStore } from "./trace-store.js";

/** Lower-cased, as HeaderMap keys are. */
export const TRACE_REQUEST_HEADER = "ocp-apim-trace";
export const TRACE_LOCATION_HEADER = "Ocp-Apim-Trace-Location";

/**
 * APIM's rule: `Ocp-Apim-Trace: true` with a key of a subscription that allows tracing; or any request of an API the
 * admin turned tracing on for.
 */
export function traceTrigger(
  header: string | undefined,
  subscription: Subscription | undefined,
  apis: Pick<ApiTracingView, "traces">,
  api: string,
): TraceTrigger | undefined {
  if (header !== undefined && subscription?.allowTracing && header.trim().toLowerCase() === "true") return "header";
  return apis.traces(api) ? "api" : undefined;
}

export interface GatewayTracingOptions {
  store: TraceStore;
  apis: ApiTracingView;
  signatures: TraceSignatures;
  /** The admin API's base URL, where the location points. */
  adminUrl: string;
  logger: Logger;
  /** Headers and query parameters whose values a trace hides. */
  credentialNames: CredentialNames;
  /** The current configuration's secret values, hidden wherever they appear. */
  secretValues: () => readonly string[];
}

export class GatewayTracing {
  constructor(private readonly options: GatewayTracingOptions) {}

  /** The request's recorder when it is traced, else undefined. */
  start(
    api: Api,
    request: GatewayRequest,
    subscription: SubscriptionContext | undefined,
    requestId: string,
    startedAt: bigint,
  ): RequestTrace | undefined {
    const trigger = traceTrigger(request.headers.get(TRACE_REQUEST_HEADER), subscription, this.options.apis, api.name);
    if (!trigger) return undefined;
    // The subscription's keys and the credentials the client sent are secrets too, wherever a policy might copy them.
    const secrets = new SecretValues([
      ...this.options.secretValues(),
      subscription?.primaryKey,
      subscription?.secondaryKey,
      ...credentialsSent(request, this.options.credentialNames, api),
    ]);
    return new RequestTrace(requestId, startedAt, trigger, api, request, this.options.credentialNames, secrets);
  }

  /** The data plane's services, with forward-request's exchange recorded in the trace. */
  services(services: PipelineServices, trace: RequestTrace): PipelineServices {
    return {
      ...services,
      async forward(context, options) {
        trace.backendRequested(context);
        try {
          await services.forward(context, options);
        } catch (error) {
          if (error instanceof PolicyFailure) trace.backendFailed(error.reason, error.message);
          throw error;
        }
        trace.backendAnswered(context.response?.statusCode);
      },
    };
  }

  /** Points the response at the trace, and saves the trace once the response is sent (or the client went away). */
  complete(trace: RequestTrace, context: PipelineContext, response: GatewayResponse, res: ServerResponse): void {
    const { signatures, adminUrl, store, logger } = this.options;
    const location = signatures.location(adminUrl, trace.id, Date.now() + TRACE_RETENTION_MS);
    response.headers.set(TRACE_LOCATION_HEADER, [location]);
    res.once("close", () => {
      store
        .save(trace.finish(context, response))
        .catch((err: unknown) => logger.warn({ err, traceId: trace.id }, "could not save a request trace"));
    });
  }
}
