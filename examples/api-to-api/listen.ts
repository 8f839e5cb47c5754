import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";

/** A service listening on loopback. */
export interface RunningService {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  close(): Promise<void>;
}

/** The only address the example's services listen on. */
export const HOST = "127.0.0.1";

/** Serves an app (Express or any request listener) on 127.0.0.1; port 0 lets the system choose. */
export async function listen(app: RequestListener, port: number): Promise<RunningService> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections from a caller's pool would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
