/**
 * Downloads the document of a `*-link` import: http or https only (loopback included: a document served next to
 * Gatehouse), at most MAX_DOCUMENT_BYTES, within one time budget for every hop, through a bounded number of
 * redirects. Errors show the URL without its query and credentials (a storage link's query is a SAS token).
 */
import { request, type Dispatcher } from "undici";
import { MAX_DOCUMENT_BYTES } from "./document-limits.js";
import { LinkFetchError } from "./import-errors.js";

export interface LinkFetchOptions {
  /** For the whole download, redirects included. Default 10 s. */
  timeoutMs?: number;
  /** Default MAX_DOCUMENT_BYTES (4 MiB). */
  maxBytes?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** The agent to connect through, e.g. one that trusts the local CA. Default undici's global one. */
  dispatcher?: Dispatcher;
}

export interface FetchedDocument {
  /** Where the document was found, after redirects: relative server URLs in it are relative to this. */
  url: string;
  text: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function fetchDocument(link: string, options: LinkFetchOptions = {}): Promise<FetchedDocument> {
  const { timeoutMs = 10_000, maxBytes = MAX_DOCUMENT_BYTES, maxRedirects = 5, dispatcher } = options;
  const signal = AbortSignal.timeout(timeoutMs);
  let url = httpUrl(link, undefined);
  for (let redirects = 0; ; redirects++) {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method: "GET",
        headers: { accept: "application/json, application/yaml, text/yaml, text/xml, application/xml, */*" },
        signal,
        ...(dispatcher ? { dispatcher } : {}),
      });
    } catch (error) {
      throw failure(error, url, timeoutMs);
    }
    const location = response.headers.location;
    if (REDIRECTS.has(response.statusCode) && typeof location === "string") {
      await response.body.dump();
      if (redirects >= maxRedirects) {
        throw new LinkFetchError("redirects", `${unable(url)}: more than ${maxRedirects} redirects.`);
      }
      url = httpUrl(location, url);
      continue;
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new LinkFetchError("status", `${unable(url)}: the server answered ${response.statusCode}.`);
    }
    return { url: url.href, text: await bodyText(response, url, maxBytes, timeoutMs) };
  }
}

async function bodyText(
  response: Dispatcher.ResponseData,
  url: URL,
  maxBytes: number,
  timeoutMs: number,
): Promise<string> {
  const tooLarge = () =>
    new LinkFetchError(
      "size",
      `${unable(url)}: the document is larger than ${maxBytes} bytes, the most an import takes.`,
    );
  const declared = Number(response.headers["content-length"]);
  if (declared > maxBytes) {
    response.body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        response.body.destroy();
        throw tooLarge();
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof LinkFetchError) throw error;
    throw failure(error, url, timeoutMs);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks, size));
  } catch {
    throw new LinkFetchError("encoding", `${unable(url)}: the document is not UTF-8 text.`);
  }
}

function httpUrl(text: string, base: URL | undefined): URL {
  let url: URL | undefined;
  try {
    url = new URL(text, base);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    const shown = base === undefined ? "The link" : `${unable(base)}: it redirects to a URL that`;
    throw new LinkFetchError("url", `${shown} is not an absolute http or https URL.`);
  }
  return url;
}

/** The URL as messages show it: no credentials, no query, no fragment. */
const shown = (url: URL): string => `${url.protocol}//${url.host}${url.pathname}`;

const unable = (url: URL): string => `Unable to download the document from '${shown(url)}'`;

function failure(error: unknown, url: URL, timeoutMs: number): LinkFetchError {
  const name = (error as Error | undefined)?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new LinkFetchError("timeout", `${unable(url)}: no complete answer within ${timeoutMs / 1000} seconds.`);
  }
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = (error as NodeJS.ErrnoException).code ?? cause?.code;
  return new LinkFetchError("network", `${unable(url)}: ${typeof code === "string" ? code : "the connection failed"}.`);
}
