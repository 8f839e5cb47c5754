// The Node targets that run in their own process (see target-child.ts): the backend, the fastify peer, the bare proxy.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import fastifyHttpProxy from "@fastify/http-proxy";
import fastifyJwt from "@fastify/jwt";
import Fastify from "fastify";
import { Pool } from "undici";

/** What the backend answers to every request: a small JSON document. */
export const BACKEND_BODY = JSON.stringify({ id: "42", name: "bench item", price: 9.99, inStock: true });

/** The path prefix of the API on every proxy; it is stripped before forwarding, as Gatehouse strips the API path. */
export const API_PREFIX = "/bench";

export interface ListeningTarget {
  /** Origin, e.g. http://127.0.0.1:12345 */
  origin: string;
  close(): Promise<void>;
}

/** The backend behind every proxy, and the "direct" target: the limit of this machine for one Node process. */
export function startBackend(): Promise<ListeningTarget> {
  const body = Buffer.from(BACKEND_BODY);
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
  // Outlive the proxies' idle pooled connections, so the backend never closes one a proxy is about to reuse.
  server.keepAliveTimeout = 65_000;
  return listen(server);
}

export interface FastifyPeerOptions {
  backendOrigin: string;
  publicKeyPem: string;
  audience: string;
  /** fast-jwt's verified-token cache (off by default in @fastify/jwt, as most deployments leave it). */
  verifyCache: boolean;
}

/**
 * The Node peer: fastify with @fastify/jwt checking an RS256 signature with the public key, the audience and a
 * required `exp`, and @fastify/http-proxy (undici) forwarding to the backend.
 */
export async function startFastifyPeer(o: FastifyPeerOptions): Promise<ListeningTarget> {
  const app = Fastify({ logger: false });
  await app.register(fastifyJwt, {
    secret: { public: o.publicKeyPem },
    verify: {
      algorithms: ["RS256"],
      allowedAud: o.audience,
      requiredClaims: ["exp"],
      ...(o.verifyCache ? { cache: true } : {}),
    },
  });
  app.addHook("onRequest", async (request) => {
    await request.jwtVerify();
  });
  await app.register(fastifyHttpProxy, { upstream: o.backendOrigin, prefix: API_PREFIX });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => app.close() };
}

// Connection-level headers are not forwarded (RFC 9110 §7.6.1); undici refuses some of them outright.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "host",
]);

/** The reference point: node:http in front of an undici Pool, forwarding without any token check. */
export function startBareProxy(backendOrigin: string): Promise<ListeningTarget> {
  const pool = new Pool(backendOrigin, { connections: 256, pipelining: 1 });
  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    const path = url.startsWith(API_PREFIX) ? url.slice(API_PREFIX.length) || "/" : url;
    const hasBody = req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined;
    pool
      .request({
        method: req.method as "GET",
        path,
        headers: forwardable(req.headers),
        ...(hasBody ? { body: req } : {}),
      })
      .then(async (upstream) => {
        res.writeHead(upstream.statusCode, forwardable(upstream.headers as IncomingHttpHeaders));
        await pipeline(upstream.body, res);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
        res.end();
      });
  });
  server.keepAliveTimeout = 65_000;
  return listen(server, () => pool.close());
}

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

function listen(server: Server, onClose?: () => Promise<void>): Promise<ListeningTarget> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `http://127.0.0.1:${port}`,
        close: async () => {
          await new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          await onClose?.();
        },
      });
    });
  });
}
