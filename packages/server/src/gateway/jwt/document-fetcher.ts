import { Agent, request } from "undici";
import { isHttpsOrLoopback } from "../../util/loopback.js";
import { trustingConnect } from "../../util/trusted-tls.js";

/** Discovery and JWKS documents are a few kilobytes; anything far larger is not one. */
const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** A document could not be fetched or is not JSON. The message never holds the response body. */
export class KeyDocumentError extends Error {
  override name = "KeyDocumentError";
}

export interface DocumentFetcherOptions {
  extraCa: readonly string[];
  timeoutMs: number;
  /** Refuse plain http except to loopback hosts (issuers trusted by federated credentials). */
  httpsOnly?: boolean;
  logger: { warn(obj: object, msg: string): void } | undefined;
}

/** Where openid-config and JWKS documents come from: the network, or memory for the offline policy test runner. */
export interface JsonDocumentSource {
  /** The parsed document; rejects with KeyDocumentError when it cannot be had. */
  json(url: string): Promise<unknown>;
  close(): Promise<void>;
}

/** GETs JSON documents over one keep-alive agent, with a timeout and a size limit. */
export class DocumentFetcher implements JsonDocumentSource {
  private readonly agent: Agent;

  constructor(private readonly options: DocumentFetcherOptions) {
    const connect = trustingConnect(options.extraCa, (path, code) =>
      options.logger?.warn({ path, code }, "cannot read NODE_EXTRA_CA_CERTS"),
    );
    this.agent = new Agent(connect ? { connect } : {});
  }

  async json(url: string): Promise<unknown> {
    const parsed = URL.canParse(url) ? new URL(url) : undefined;
    if (parsed?.protocol !== "https:" && parsed?.protocol !== "http:") {
      throw new KeyDocumentError(`${url} is not an http or https URL`);
    }
    if (this.options.httpsOnly && !isHttpsOrLoopback(parsed)) {
      throw new KeyDocumentError(`${url} is not an https URL (http is allowed only for loopback hosts)`);
    }
    const timeoutMs = this.options.timeoutMs;
    let text: string;
    try {
      const response = await request(parsed, {
        dispatcher: this.agent,
        headers: { accept: "application/json" },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new KeyDocumentError(`${url} answered ${response.statusCode}`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_DOCUMENT_BYTES) {
          response.body.destroy();
          throw new KeyDocumentError(`${url} answered with more than ${MAX_DOCUMENT_BYTES} bytes`);
        }
        chunks.push(chunk);
      }
      text = Buffer.concat(chunks).toString("utf8");
    } catch (error) {
      if (error instanceof KeyDocumentError) throw error;
      throw new KeyDocumentError(`cannot fetch ${url}: ${describe(error)}`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new KeyDocumentError(`${url} answered with a body that is not JSON`);
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** The network-level reason (code or message of the cause), which never holds a response body. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError" || error.name === "AbortError") return "timed out";
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = (error as NodeJS.ErrnoException).code ?? cause?.code;
  return typeof code === "string" ? code : error.message;
}
