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

/** The gateway's own node server: no framework between the socket and the data plane, for speed. */
export async function startGatewayListener(options: GatewayListenerOptions): Promise<GatewayListener> {
  const serverOptions = { keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 };
  const server: Server = options.tls
    ? createHttpsServer({ ...serverOptions, ...options.tls }, options.dataPlane.handle)
    : createHttpServer(serverOptions, options.dataPlane.handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
