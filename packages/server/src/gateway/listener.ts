import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { DataPlane } from "./data-plane.js";

export interface GatewayListenerOptions {
  host: string;
  port: number;
  tls: { cert: Buffer | string; key: Buffer | string } | undefined;
  dataPlane: DataPlane;
}

export interface GatewayListener {
  port: number;
  close(): Promise<void>;
}

/** Errors that mean "this machine has no such address family", not "the port is taken". */
const NO_ADDRESS = new Set(["EADDRNOTAVAIL", "EAFNOSUPPORT"]);

/**
 * The gateway's own node servers: no framework between the socket and the data plane, for speed. `localhost` listens
 * on both 127.0.0.1 and ::1, as the fastify listeners do, whichever of them a client resolves the name to.
 */
export async function startGatewayListener(options: GatewayListenerOptions): Promise<GatewayListener> {
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

function createServer(options: GatewayListenerOptions): Server {
  const serverOptions = { keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 };
  // Clients may present a certificate (validate-client-certificate judges it); TLS itself never requires or checks one.
  const clientCertificates = { requestCert: true, rejectUnauthorized: false };
  return options.tls
    ? createHttpsServer({ ...serverOptions, ...options.tls, ...clientCertificates }, options.dataPlane.handle)
    : createHttpServer(serverOptions, options.dataPlane.handle);
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
