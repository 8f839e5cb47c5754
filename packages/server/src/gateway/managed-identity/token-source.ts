import { EndpointError, GatehouseClientError, ManagedIdentityCredential } from "@gatehouse/client";

/** Distinct (resource, client id) pairs whose tokens are kept; the least recently used beyond this are dropped. */
const DEFAULT_MAX_ENTRIES = 1000;
/** Time allowed for one request to the identity endpoint. */
const TIMEOUT_MS = 10_000;

/** Where the gateway's host asks for its tokens: the App Service-style endpoint and its header (a secret). */
export interface IdentityEndpoint {
  endpoint: string;
  header: string;
}

/** Why the gateway has no token: no identity, or the identity endpoint refused (the message says why) or is down. */
export class ManagedIdentityTokenError extends Error {
  override name = "ManagedIdentityTokenError";
  constructor(
    message: string,
    /** The identity endpoint's HTTP status; undefined when it was not reached or the gateway has no identity. */
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

/** Tokens of the gateway's managed identities, as policies ask for them. */
export interface ManagedIdentityTokenSource {
  /**
   * A bearer token of the system-assigned identity, or of the attached user-assigned identity `clientId`.
   * @throws ManagedIdentityTokenError
   */
  token(resource: string, clientId?: string): Promise<string>;
}

export interface ManagedIdentityTokensOptions {
  /** The gateway host's endpoint, or undefined while it has none (then every request fails). */
  endpoint: () => IdentityEndpoint | undefined;
  fetch: typeof globalThis.fetch;
  maxEntries?: number;
}

/**
 * The gateway's managed-identity tokens per (resource, client id), as `authentication-managed-identity` and the
 * gateway's Graph client need them: each pair is one ManagedIdentityCredential of the client package, so a token is
 * cached until shortly before expiry, renewed ahead of it, and concurrent requests for the same pair share one fetch.
 * The pairs are bounded (least recently used dropped), since `resource` may come from an expression.
 */
export class ManagedIdentityTokens implements ManagedIdentityTokenSource {
  private readonly credentials = new Map<
    string,
    { endpoint: IdentityEndpoint; credential: ManagedIdentityCredential }
  >();
  private readonly maxEntries: number;

  constructor(private readonly options: ManagedIdentityTokensOptions) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  }

  async token(resource: string, clientId?: string): Promise<string> {
    try {
      return (await this.credentialFor(resource, clientId?.toLowerCase()).getToken()).accessToken;
    } catch (error) {
      if (!(error instanceof GatehouseClientError)) throw error;
      throw new ManagedIdentityTokenError(error.message, error instanceof EndpointError ? error.status : undefined);
    }
  }

  private credentialFor(resource: string, clientId: string | undefined): ManagedIdentityCredential {
    const endpoint = this.options.endpoint();
    if (!endpoint) throw new ManagedIdentityTokenError("the gateway has no managed identity", undefined);
    if (resource.trim() === "") throw new ManagedIdentityTokenError("the resource is empty", undefined);
    const key = JSON.stringify([resource, clientId ?? ""]);
    const found = this.credentials.get(key);
    this.credentials.delete(key);
    // A rotated header or a moved endpoint makes the cached credential stale: its tokens go with it.
    if (found && found.endpoint.endpoint === endpoint.endpoint && found.endpoint.header === endpoint.header) {
      this.credentials.set(key, found);
      return found.credential;
    }
    const credential = new ManagedIdentityCredential({
      endpoint: endpoint.endpoint,
      identityHeader: endpoint.header,
      resource,
      ...(clientId !== undefined ? { clientId } : {}),
      fetch: this.options.fetch,
      timeoutMs: TIMEOUT_MS,
      // A failure is the policy's to report; the next request asks again.
      onRefreshError: () => undefined,
    });
    this.credentials.set(key, { endpoint, credential });
    if (this.credentials.size > this.maxEntries) {
      const oldest = this.credentials.keys().next().value;
      if (oldest !== undefined) this.credentials.delete(oldest);
    }
    return credential;
  }
}
