import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleEcho } from "./echo.js";
import { handleNumberConversion } from "./number-to-words.js";

export type { EchoReply } from "./echo.js";

export interface DemoBackendsOptions {
  /** A loopback address, e.g. 127.0.0.1. */
  host: string;
  /** NumberConversion listens on `port` and Echo on `port + 1`; 0 or absent: two ports chosen by the system. */
  port?: number;
}

export interface DemoBackends {
  /** The SOAP service (any path answers; this is the public service's path). `?wsdl` gives its description. */
  numbersUrl: string;
  /** The Echo API root; every method and path below it is echoed. */
  echoUrl: string;
  close(): Promise<void>;
}

/** The demo's backends: the NumberConversion SOAP service and the Echo API, each a plain node:http server. */
export async function startDemoBackends(options: DemoBackendsOptions): Promise<DemoBackends> {
  const port = options.port ?? 0;
  const numbers = await listen(handleNumberConversion, options.host, port);
  let echo: Server;
  try {
    echo = await listen(handleEcho, options.host, port === 0 ? 0 : port + 1);
  } catch (error) {
    await close(numbers);
    throw error;
  }
  return {
    numbersUrl: `${origin(numbers)}/webservicesserver/NumberConversion.wso`,
    echoUrl: origin(echo),
    close: async () => {
      await Promise.all([close(numbers), close(echo)]);
    },
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function listen(handler: Handler, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => void handler(req, res));
  // Longer than a gateway's pooled-connection idle time, so the backend never closes a socket the gateway is reusing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

function origin(server: Server): string {
  const { address, port, family } = server.address() as AddressInfo;
  return `http://${family === "IPv6" ? `[${address}]` : address}:${port}`;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
