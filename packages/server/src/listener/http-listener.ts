import { createServer as createHttpServer, type RequestListener, type Server, type ServerOptions } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { ListenerLimits } from "../config/options.js";
import { answerClientErrors, type ErrorPage } from "./client-errors.js";

export interface ListenerOptions {
  host: string;
  port: number;
  tls: { cert: Buffer | string; key: Buffer | string } | undefined;
  /** TLS clients may present a certificate (validate-client-certificate judges it); TLS never requires or checks one. */
  askClientCertificate?: boolean;
  limits: ListenerLimits;
  handler: RequestListener;
  /** The body of what node's HTTP parser refuses, in the shape of the service this listener imitates. */
  errorPage: ErrorPage;
  logger: Logger;
}

export interface Listener {
  port: number;
  close(): Promise<void>;
}

/** Errors that mean "this machine has no such address family", not "the port is taken". */
const NO_ADDRESS = new Set(["EADDRNOTAVAIL", "EAFNOSUPPORT"]);

/**
 * Every Gatehouse listener's node servers (identity and admin run fastify's handler on them, the gateway its data
 * plane): the same timeouts, caps and error bodies everywhere. `localhost` listens on both 127.0.0.1 and ::1,
 * whichever of them a client resolves the name to.
 */
export async function startListener(options: ListenerOptions): Promise<Listener> {
  const hosts = options.host === "localhost" ? ["127.0.0.1", "::1"] : [options.host];
  const servers: Server[] = [];
  let port = options.port;
  try {
    for (const [index, host] of hosts.entries()) {
      const server = createServer(options);
      try {
        await listen(server, host, port);
      } catch (error) {
        // IPv6 may be disabled: then 127.0.0.1 alone serves `localhost`.
        if (index > 0 && NO_ADDRESS.has((error as NodeJS.ErrnoException).code ?? "")) continue;
        throw error;
      }
      servers.push(server);
      port = (server.address() as AddressInfo).port;
    }
  } catch (error) {
    await Promise.all(servers.map(close));
    throw error;
  }
  return { port, close: () => Promise.all(servers.map(close)).then(() => undefined) };
}

function createServer(options: ListenerOptions): Server {
  const { limits } = options;
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  const serverOptions: ServerOptions = {
    headersTimeout,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxHeaderSize: limits.maxHeaderSize,
    // Node looks for expired requests this often (30 s by default), so short timeouts need a shorter period.
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, headersTimeout / 4)),
  };
  const clientCertificates = options.askClientCertificate ? { requestCert: true, rejectUnauthorized: false } : {};
  // A TLS handshake is bounded like the headers that follow it (node allows 120 s).
  const handshakeTimeout = headersTimeout;
  const server = options.tls
    ? createHttpsServer({ ...serverOptions, ...options.tls, ...clientCertificates, handshakeTimeout }, options.handler)
    : createHttpServer(serverOptions, options.handler);
  server.maxConnections = limits.maxConnections;
  answerClientErrors(server, options.errorPage, options.logger);
  return server;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port }, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
