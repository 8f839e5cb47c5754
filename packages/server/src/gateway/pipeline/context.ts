import type { ManagedIdentityTokenSource } from "../managed-identity/token-source.js";
import type { X509Certificate } from "node:crypto";
import type { Readable } from "node:stream";
import type { CertificateTrust } from "../../tls/certificate-trust.js";
import type { Api } from "../model/apis/types.js";
import type { BackendCredentials } from "../model/backends/types.js";
import type { ClientCertificate } from "../model/certificates/types.js";
import type { Operation } from "../model/operations/types.js";
import type { PolicyScopeKind } from "../model/configuration.js";
import type { Product } from "../model/products/types.js";
import type { Subscription } from "../model/subscriptions/types.js";
import type { UserState } from "../model/users/types.js";
import type { HeaderMap } from "./headers.js";
import type { TraceRecorder } from "./trace.js";

export type Section = "inbound" | "backend" | "outbound" | "on-error";
export const SECTIONS: readonly Section[] = ["inbound", "backend", "outbound", "on-error"];

/** `context.LastError` (reference apim.md §1.4). */
export interface LastError {
  source: string;
  reason: string;
  message: string;
  scope: PolicyScopeKind | undefined;
  section: Section | undefined;
  path: string | undefined;
  policyId: string | undefined;
}

/** The request as the pipeline sees and changes it; what is forwarded is built from this. */
export interface GatewayRequest {
  method: string;
  /** The path below the API's suffix (`/users/5`), appended to the backend base URL; changed by rewrite-uri. */
  path: string;
  /** Query parameters in order; changed by set-query-parameter and rewrite-uri. */
  query: URLSearchParams;
  headers: HeaderMap;
  readonly originalUrl: URL;
  readonly originalMethod: string;
  /** The TCP peer, never X-Forwarded-For. */
  readonly ipAddress: string;
  /** Template parameters of the matched operation (`{id}` → value), URL-decoded. */
  readonly matchedParameters: ReadonlyMap<string, string>;
  /** The client's body, streamed to the backend unless a policy replaces it. */
  body: Readable | Buffer | string | undefined;
  /**
   * The TLS client certificate the caller presented (HTTPS listener), undefined without one. Its `issuerCertificate`
   * chain holds the intermediates the client sent.
   */
  readonly certificate?: X509Certificate;
}

export interface GatewayResponse {
  statusCode: number;
  statusReason: string;
  headers: HeaderMap;
  body: Readable | Buffer | string | undefined;
}

/** Where forward-request sends the request: the API's serviceUrl unless set-backend-service changed it. */
export interface BackendTarget {
  baseUrl: string | null;
  /** Set when the target came from a backend entity (set-backend-service backend-id). */
  backendId: string | null;
  credentials: BackendCredentials | null;
  validateCertificate: boolean;
  /** What the backend entity's credentials (certificateIds) present on the TLS connection. */
  clientCertificate: ClientCertificate | null;
}

export interface ForwardOptions {
  timeoutMs: number;
  followRedirects: boolean;
  /** false: stream the backend's body to the client as it arrives. */
  bufferResponse: boolean;
  /** true: a backend 4xx/5xx is an error that runs on-error. */
  failOnErrorStatusCode: boolean;
}

/** `context.Deployment` (reference apim.md §3.2). */
export interface Deployment {
  readonly serviceName: string;
  readonly region: string;
  /** `managed` for APIM's cloud gateway; a self-hosted gateway's name otherwise. */
  readonly gatewayId: string;
}

/** A request a policy sends itself (send-request, send-one-way-request), not the one being forwarded. */
export interface OutboundRequest {
  url: URL;
  method: string;
  headers: HeaderMap;
  body: Buffer | string | undefined;
  /** For the whole exchange, the response's body included. */
  timeoutMs: number;
  /** Presented on the TLS connection (authentication-certificate inside send-request). */
  clientCertificate?: ClientCertificate;
}

/** One emit-metric observation (reference apim.md §2.27). */
export interface CustomMetric {
  namespace: string;
  name: string;
  value: number;
  /** Dimension name and value, in the policy's order. */
  dimensions: readonly (readonly [name: string, value: string])[];
}

/** What the data plane lends the pipeline: the forwarder, send-request's transport and telemetry hooks. */
export interface PipelineServices {
  readonly deployment: Deployment;
  forward(context: PipelineContext, options: ForwardOptions): Promise<void>;
  /** Sends a policy's own request; the response's body is read into memory. Throws OutboundRequestError. */
  send(request: OutboundRequest): Promise<GatewayResponse>;
  /** Counts a policy rejection for /metrics (`reason` as in LastError.Reason). */
  rejected(policy: string, reason: string): void;
  /** emit-metric's sink: a counter on /metrics. */
  metric(metric: CustomMetric): void;
  /** The certificate authorities validate-client-certificate's validate-trust accepts. */
  readonly certificateTrust: CertificateTrust;
  /** Tokens of the gateway's managed identities (authentication-managed-identity). */
  readonly managedIdentity: ManagedIdentityTokenSource;
}

/** A group as `context.User.Groups` lists it (APIM's IGroup). */
export interface GroupRef {
  readonly id: string;
  readonly name: string;
}

/**
 * A user as `context.User` shows them (APIM's IUser): the owner of the calling subscription or client application.
 * Built once per configuration revision (callers.ts).
 */
export interface UserContext {
  readonly id: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly note: string | null;
  readonly registrationDate: string;
  readonly state: UserState;
  readonly groups: readonly GroupRef[];
  readonly identities: readonly { readonly id: string; readonly provider: string }[];
}

export interface SubscriptionContext extends Subscription {
  /** The key the caller sent. */
  key: string;
  primaryKey: string;
  secondaryKey: string;
}

/** One request's state while its pipeline runs (APIM's `context`). */
export interface PipelineContext {
  readonly requestId: string;
  /** process.hrtime.bigint() when the request arrived. */
  readonly startedAt: bigint;
  readonly api: Api;
  readonly operation: Operation;
  /** The product the request is processed under; undefined without product context. */
  readonly product: Product | undefined;
  readonly subscription: SubscriptionContext | undefined;
  /** The owner of the subscription or client application the request came with; undefined without one. */
  readonly user: UserContext | undefined;
  readonly request: GatewayRequest;
  /** Set by forward-request, return-response, mock-response or a gateway error. */
  response: GatewayResponse | undefined;
  backend: BackendTarget;
  /** Set by authentication-certificate: presented to the backend, before the backend entity's own certificate. */
  clientCertificate: ClientCertificate | undefined;
  readonly variables: Map<string, unknown>;
  lastError: LastError | undefined;
  /** The section now running. */
  section: Section;
  /** Set by return-response / mock-response: the rest of the pipeline, outbound included, is skipped. */
  ended: boolean;
  /** Set by a cache-lookup hit: the rest of inbound and the backend section are skipped; outbound runs on the hit. */
  skipToOutbound: boolean;
  /**
   * Work that must see the final response (rate-limit-by-key's increment-condition, cache-store): run in order by
   * the executor once the pipeline, on-error included, has finished and before the response is sent.
   */
  readonly completions: (() => void | Promise<void>)[];
  /** Where inside a container the failure being handled happened (see executor.ts runSteps). */
  innerFailure: { error: unknown; path: string; policyId: string | undefined } | undefined;
  /** While a traced request runs a step: its path and scope, under which nested steps are recorded. */
  traceFrame: { path: string; scope: PolicyScopeKind | undefined } | undefined;
  /** Set for a traced request (Ocp-Apim-Trace, or tracing turned on for the API). */
  trace: TraceRecorder | undefined;
  readonly services: PipelineServices;
}
