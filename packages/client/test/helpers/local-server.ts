import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What a request to a local test server carried. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  at: number;
}

/** An answer of a local test server; "drop" closes the connection without one, "hang" never answers. */
export type Answer = { status: number; headers?: Record<string, string>; body?: unknown } | "drop" | "hang";

export interface LocalServer {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 answering each request with `answer`, for failures Gatehouse never produces. */
export async function startLocalServer(answer: (request: Received, index: number) => Answer): Promise<LocalServer> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: Received = {
        method: req.method ?? "GET",
        path: req.url ?? "/",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      };
      received.push(request);
      const reply = answer(request, received.length - 1);
      if (reply === "drop") req.socket.destroy();
      if (typeof reply === "string") return;
      const body =
        reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

const TENANT = "7d3c5e0a-1b2c-4d5e-8f90-0a1b2c3d4e5f";

export interface FakeAuthority extends LocalServer {
  authority: string;
  tokenEndpoint: string;
  /** Only the token requests (the discovery GETs are answered but not listed here). */
  tokenRequests: Received[];
}

/**
 * An authority whose discovery document is served normally and whose token endpoint answers as the test scripts
 * it: `answer(n)` is called with the number of the token request, from 0.
 */
export async function startFakeAuthority(answer: (n: number, request: Received) => Answer): Promise<FakeAuthority> {
  const tokenRequests: Received[] = [];
  let origin = "";
  const server = await startLocalServer((request) => {
    if (request.path === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
      return { status: 200, body: { token_endpoint: `${origin}/${TENANT}/oauth2/v2.0/token`, issuer: origin } };
    }
    if (request.method === "POST" && request.path === `/${TENANT}/oauth2/v2.0/token`) {
      tokenRequests.push(request);
      return answer(tokenRequests.length - 1, request);
    }
    return { status: 404, body: { error: "not_found" } };
  });
  origin = server.url;
  return {
    ...server,
    authority: `${origin}/${TENANT}`,
    tokenEndpoint: `${origin}/${TENANT}/oauth2/v2.0/token`,
    tokenRequests,
  };
}

/** A v2 token response carrying `token`. */
export const tokenAnswer = (token: string, extra: Record<string, unknown> = {}): Answer => ({
  status: 200,
  body: { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: token, ...extra },
});

/** An Entra-shaped error answer. */
export const entraError = (
  status: number,
  error: string,
  code: number,
  text: string,
  correlationId?: string,
): Answer => {
  const timestamp = "2025-01-09 02:02:12Z";
  const traceId = "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5";
  const correlation = correlationId ?? "11111111-2222-4333-8444-555555555555";
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlation,
    },
  };
};
