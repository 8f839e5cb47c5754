import { Counter, Histogram, Registry } from "prom-client";
import type { CustomMetric } from "../gateway/pipeline/context.js";
import { CustomMetrics } from "./custom-metrics.js";

/** Seconds; from sub-millisecond cached-token requests to the 300 s forward-request timeout. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** The gateway's Prometheus metrics, served at /metrics on the admin listener. */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "gatehouse_gateway_requests_total",
    help: "Gateway requests by API, operation and response status",
    labelNames: ["api", "operation", "status"] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: "gatehouse_gateway_request_duration_seconds",
    help: "Time from request arrival to the end of the response, by API and operation",
    labelNames: ["api", "operation"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly backend = new Histogram({
    name: "gatehouse_gateway_backend_duration_seconds",
    help: "Time until the backend's response headers arrived, by API",
    labelNames: ["api"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly rejections = new Counter({
    name: "gatehouse_gateway_policy_rejections_total",
    help: "Requests refused by a policy or a built-in check, by source and reason (LastError.Source and Reason)",
    labelNames: ["source", "reason"] as const,
    registers: [this.registry],
  });
  private readonly keyRefreshes = new Counter({
    name: "gatehouse_gateway_jwks_refreshes_total",
    help: "openid-config and JWKS fetches made for token validation, by outcome",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  private readonly applicationRequests = new Counter({
    name: "gatehouse_gateway_application_requests_total",
    help: "Gateway requests opened by an application token, by product, client application and response status",
    labelNames: ["product", "client_application", "status"] as const,
    registers: [this.registry],
  });
  private readonly customMetrics = new CustomMetrics(this.registry);

  request(api: string, operation: string, status: number, seconds: number): void {
    this.requests.inc({ api, operation, status: String(status) });
    this.duration.observe({ api, operation }, seconds);
  }

  applicationRequest(product: string, clientApplication: string, status: number): void {
    this.applicationRequests.inc({ product, client_application: clientApplication, status: String(status) });
  }

  backendResponse(api: string, seconds: number): void {
    this.backend.observe({ api }, seconds);
  }

  rejected(source: string, reason: string): void {
    this.rejections.inc({ source, reason });
  }

  keyRefresh(outcome: "ok" | "failed"): void {
    this.keyRefreshes.inc({ outcome });
  }

  /** emit-metric's observations. */
  custom(metric: CustomMetric): void {
    this.customMetrics.add(metric);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
