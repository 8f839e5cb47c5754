import { isSafeEndpoint } from "./authority.js";
import { DiscoveryError, NO_ENTRA_FIELDS, entraErrorFields, type EndpointErrorDetails } from "./errors.js";
import { parseJson, unreachableReason, type RetryingSender } from "./sender.js";

// MSAL keeps authority metadata for a day; the endpoints of a tenant do not move in practice.
const DOCUMENT_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The authority's token endpoint from its OpenID configuration document (v2 `{authority}/v2.0/.well-known/…`,
 * or v1 `{authority}/.well-known/…` for `resource` requests), fetched once and kept for a day. Concurrent
 * callers share one request; a failure is not kept, so the next call asks again.
 */
export class TokenEndpointDiscovery {
  readonly documentUrl: string;
  private cached: { endpoint: string; until: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    authority: string,
    version: "v1" | "v2",
    private readonly sender: RetryingSender,
  ) {
    this.documentUrl = `${authority}/${version === "v2" ? "v2.0/" : ""}.well-known/openid-configuration`;
  }

  tokenEndpoint(): Promise<string> {
    if (this.cached && Date.now() < this.cached.until) return Promise.resolve(this.cached.endpoint);
    this.pending ??= this.fetchEndpoint().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchEndpoint(): Promise<string> {
    const exchange = await this.sender.send(this.documentUrl, async () => ({
      method: "GET",
      headers: { accept: "application/json" },
    }));
    if (exchange.kind === "unreachable") {
      throw this.error(unreachableReason(exchange.cause), {}, exchange.cause);
    }
    const body = parseJson(exchange.text);
    const { status, retryAfterMs } = exchange;
    if (status !== 200) {
      const fields = entraErrorFields(body);
      throw this.error(fields.errorDescription ?? `answered ${status}`, { ...fields, status, retryAfterMs });
    }
    const endpoint = (body as { token_endpoint?: unknown } | undefined)?.token_endpoint;
    if (typeof endpoint !== "string" || !URL.canParse(endpoint) || !isSafeEndpoint(new URL(endpoint))) {
      throw this.error("the document names no https token_endpoint", { status });
    }
    this.cached = { endpoint, until: Date.now() + DOCUMENT_TTL_MS };
    return endpoint;
  }

  private error(detail: string, details: Partial<EndpointErrorDetails>, cause?: unknown) {
    return new DiscoveryError(
      `cannot discover the token endpoint from ${this.documentUrl}: ${detail}`,
      { ...NO_ENTRA_FIELDS, status: undefined, retryAfterMs: undefined, ...details, url: this.documentUrl },
      { cause },
    );
  }
}
