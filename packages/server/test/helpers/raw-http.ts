import { connect } from "node:net";

export interface RawReply {
  status: number;
  /** The body as it came over the wire (not de-chunked). */
  body: string;
}

/**
 * One HTTP/1.1 request written byte for byte on a socket (`Host: localhost` unless given), with `Connection: close`:
 * fetch and undici resolve dot segments and reject odd targets themselves, so only a raw request line reaches a
 * listener as an attacker writes it.
 */
export function rawRequest(
  port: number,
  method: string,
  target: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const headers = {
      Host: "localhost",
      ...options.headers,
      ...(options.body === undefined ? {} : { "Content-Length": String(Buffer.byteLength(options.body)) }),
    };
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    // write, not end: a half-closed socket may be closed by the server before an asynchronous answer.
    socket.write(
      `${method} ${target} HTTP/1.1\r\nConnection: close\r\n${lines.join("")}\r\n${options.body ?? ""}`,
      "latin1",
    );
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!status) return reject(new Error(`no HTTP response to ${method} ${target}: ${JSON.stringify(text)}`));
      resolve({ status: Number(status[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
  });
}
