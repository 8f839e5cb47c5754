import { GatehouseClientError, ManagedIdentityCredential } from "@gatehouse/client";
import { EntraAuthenticationError, EntraDirectoryError, GraphRequestError, GraphUnavailableError } from "./errors.js";
import { isHttpsOrLoopback } from "../../util/loopback.js";

/** Graph pages of app registrations are a few hundred kilobytes at most; anything far larger is not one. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** A listing the gateway reads (a client's role assignments, registrations of one name) is a page or two. */
const MAX_PAGES = 50;

/** The gateway's managed identity, as its host's token endpoint serves it, and what its tokens are for. */
export interface DirectoryIdentity {
  /** The App Service-style endpoint (`IDENTITY_ENDPOINT`). */
  endpoint: string;
  /** Its `X-IDENTITY-HEADER` secret. */
  identityHeader: string;
  /** `https://graph.microsoft.com`, or `api://<management API appId>` for Gatehouse. */
  resource: string;
}

export interface GraphClientOptions {
  /** The gateway's identity, or why it has none (every call then fails with EntraAuthenticationError). */
  identity: DirectoryIdentity | { missing: string };
  /** Graph's versioned base URL: `https://graph.microsoft.com/v1.0`, or `<admin URL>/<tenant>/v1.0` for Gatehouse. */
  graphUrl: string;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
}

interface GraphPage<T> {
  value?: T[];
  "@odata.nextLink"?: string;
}

interface GraphBase {
  origin: string;
  /** Without a trailing slash ("" for the root). */
  path: string;
}

/** HTTPS, or HTTP to loopback only: a bearer token travels with every call. */
function graphBase(graphUrl: string): GraphBase {
  const url = URL.canParse(graphUrl) ? new URL(graphUrl) : undefined;
  if (!url) throw new EntraDirectoryError(`graphUrl '${graphUrl}' is not a URL`);
  if (!isHttpsOrLoopback(url)) {
    throw new EntraDirectoryError(`graphUrl ${url.origin} must use https (http only for loopback hosts)`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new EntraDirectoryError("graphUrl must not have credentials, a query or a fragment");
  }
  return { origin: url.origin, path: url.pathname.replace(/\/+$/, "") };
}

/** Reads at most `limit` bytes of a body; a longer one is cancelled and refused. */
async function boundedText(response: Response, limit: number, request: string): Promise<string> {
  const tooLarge = () => new GraphUnavailableError(`${request} answered with more than ${limit} bytes`);
  if (Number(response.headers.get("content-length")) > limit) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Microsoft Graph v1.0 calls with a token of the gateway's managed identity, from the client package's
 * ManagedIdentityCredential: cached, renewed ahead of expiry, and renewed once more when Graph answers 401.
 */
export class GraphClient {
  private readonly credential: ManagedIdentityCredential | { missing: string };
  private readonly base: GraphBase;

  constructor(private readonly options: GraphClientOptions) {
    this.base = graphBase(options.graphUrl);
    const { identity } = options;
    if ("missing" in identity) {
      this.credential = identity;
      return;
    }
    try {
      this.credential = new ManagedIdentityCredential({
        endpoint: identity.endpoint,
        identityHeader: identity.identityHeader,
        resource: identity.resource,
        fetch: options.fetch,
        timeoutMs: options.timeoutMs,
      });
    } catch (error) {
      throw new EntraDirectoryError(`unusable settings for the gateway's identity: ${(error as Error).message}`);
    }
  }

  /** GET one object; a missing one is a GraphRequestError with status 404. */
  get<T>(path: string): Promise<T> {
    return this.send<T>("GET", path) as Promise<T>;
  }

  /** GET a collection, following `@odata.nextLink` (only below the Graph base URL, where the token may go). */
  async list<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let url: string | undefined = this.url(path);
    for (let page = 0; url !== undefined; page++) {
      if (page === MAX_PAGES) throw new GraphUnavailableError(`GET ${path} has more than ${MAX_PAGES} pages`);
      const body: GraphPage<T> = (await this.call<GraphPage<T>>("GET", url, `GET ${path}`)) ?? {};
      if (!Array.isArray(body.value)) throw new GraphUnavailableError(`GET ${path} answered without a value array`);
      items.push(...body.value);
      url = body["@odata.nextLink"];
      if (url !== undefined && !this.isBelowBase(url)) {
        throw new GraphUnavailableError(`GET ${path} answered with a nextLink outside ${this.url("")}`);
      }
    }
    return items;
  }

  /** A call with an optional JSON body; the parsed JSON answer, or undefined for 204. */
  send<T>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T | undefined> {
    return this.call<T>(method, this.url(path), `${method} ${path}`, body);
  }

  private url(path: string): string {
    return `${this.base.origin}${this.base.path}${path}`;
  }

  private isBelowBase(url: string): boolean {
    const next = URL.canParse(url) ? new URL(url) : undefined;
    return next?.origin === this.base.origin && next.pathname.startsWith(`${this.base.path}/`);
  }

  private async call<T>(method: string, url: string, request: string, body?: unknown): Promise<T | undefined> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if ("missing" in this.credential) {
      throw new EntraAuthenticationError(`the gateway has no managed identity: ${this.credential.missing}`);
    }
    let response: Response;
    try {
      response = await this.credential.fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      if (error instanceof GatehouseClientError) {
        throw new EntraAuthenticationError(`no token for the gateway's identity: ${error.message}`, { cause: error });
      }
      const reason = (error as Error).name === "TimeoutError" ? "timed out" : (error as Error).message;
      throw new GraphUnavailableError(`${request} failed: ${reason}`);
    }
    const text = await boundedText(response, MAX_RESPONSE_BYTES, request);
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      throw new GraphUnavailableError(`${request} answered ${response.status} with a body that is not JSON`);
    }
    if (response.ok) return json as T | undefined;
    const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    throw new GraphRequestError(
      response.status,
      typeof error?.code === "string" ? error.code : "UnknownError",
      typeof error?.message === "string" ? error.message : `HTTP ${response.status}`,
      request,
    );
  }
}
