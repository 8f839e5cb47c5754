import { readFile } from "node:fs/promises";
import { rootCertificates } from "node:tls";
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from "undici";

/** undici's fetch trusting the test Gatehouse's local CA; close() ends its connections. */
export async function trustingFetch(caPath: string): Promise<{ fetch: typeof fetch; close(): Promise<void> }> {
  const agent = new Agent({ connect: { ca: [...rootCertificates, await readFile(caPath, "utf8")] } });
  // undici's own Request/Response types differ from the global ones in name only.
  const trusting = ((input: string | URL, init?: RequestInit) =>
    undiciFetch(input, { ...(init as UndiciRequestInit), dispatcher: agent })) as unknown as typeof fetch;
  return { fetch: trusting, close: () => agent.close() };
}

/** A request as the fetch under test sent it. */
export interface SentRequest {
  url: string;
  method: string;
  headers: Headers;
  /** The body when it was a string (token requests are forms). */
  body: string | undefined;
}

/**
 * Counts what a client sends by wrapping the fetch it is given. `hold` may return a promise to keep a request from
 * going out until the test lets it (to prove that a caller does not wait for it).
 */
export function recordingFetch(
  inner: typeof fetch,
  hold?: (request: SentRequest, index: number) => Promise<void> | undefined,
): { fetch: typeof fetch; sent: SentRequest[]; to(path: RegExp): SentRequest[] } {
  const sent: SentRequest[] = [];
  const recording = (async (input: string | URL | Request, init?: RequestInit) => {
    const request: SentRequest = {
      url: input instanceof Request ? input.url : String(input),
      method: init?.method ?? (input instanceof Request ? input.method : "GET"),
      headers: new Headers(init?.headers),
      body: typeof init?.body === "string" ? init.body : undefined,
    };
    sent.push(request);
    await hold?.(request, sent.length - 1);
    return inner(input, init);
  }) as typeof fetch;
  return { fetch: recording, sent, to: (path) => sent.filter((r) => path.test(new URL(r.url).pathname)) };
}

export const TOKEN_PATH = /\/oauth2\/(v2\.0\/)?token$/;
export const DISCOVERY_PATH = /\/\.well-known\/openid-configuration$/;

/** The form fields of a recorded token request. */
export const formOf = (request: SentRequest | undefined) => new URLSearchParams(request?.body ?? "");
