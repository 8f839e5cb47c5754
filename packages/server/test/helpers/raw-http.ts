import { readFileSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";

export interface RawResponse {
  status: number;
  reason: string;
  /** Lower-case names; repeated lines joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

/**
 * One TCP (or TLS) connection to a listener, written byte for byte: for what a well-behaved HTTP client never sends
 * (malformed framing, slow bodies, `Expect`). Everything the server sends is kept, to be parsed as it completes.
 */
export class RawConnection {
  private received = "";
  private waiters: (() => void)[] = [];
  /** Resolves when the server ended or reset the connection. */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      this.received += chunk;
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    void this.closed.then(() => {
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on("error", () => undefined);
  }

  /** Connects to the host and port of `url`; https URLs over TLS trusting `caPath`. */
  static async open(url: string, caPath?: string): Promise<RawConnection> {
    const { protocol, hostname, port } = new URL(url);
    const host = hostname === "localhost" ? "127.0.0.1" : hostname;
    const socket =
      protocol === "https:"
        ? tlsConnect({
            host,
            port: Number(port),
            servername: "localhost",
            ...(caPath ? { ca: readFileSync(caPath) } : {}),
          })
        : netConnect({ host, port: Number(port) });
    await new Promise<void>((resolve, reject) => {
      socket.once(protocol === "https:" ? "secureConnect" : "connect", () => resolve());
      socket.once("error", reject);
    });
    return new RawConnection(socket);
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed || !this.socket.writable) resolve();
      else this.socket.write(data, () => resolve());
    });
  }

  get isClosed(): boolean {
    return this.socket.destroyed || this.socket.readableEnded;
  }

  /** Waits until the server's bytes contain `text` (or the connection closed); returns everything received so far. */
  async waitFor(text: string): Promise<string> {
    while (!this.received.includes(text) && !this.isClosed) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.received;
  }

  /** Waits for a complete final response (interim ones skipped), or for the server to close the connection. */
  async response(): Promise<RawResponse> {
    for (;;) {
      const response = completeResponse(this.received);
      if (response) return response;
      if (this.isClosed) return parseResponse(this.received);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Sends `request` on a new connection and returns the server's (final) response; the connection is then closed. */
export async function rawRequest(url: string, request: string | Buffer, caPath?: string): Promise<RawResponse> {
  const connection = await RawConnection.open(url, caPath);
  try {
    await connection.write(request);
    return await connection.response();
  } finally {
    connection.close();
  }
}

/** The response, once its headers and as many body bytes as Content-Length says arrived; undefined before. */
function completeResponse(text: string): RawResponse | undefined {
  const rest = withoutInterim(text);
  const end = rest.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const length = /\r\ncontent-length: *(\d+)/i.exec(rest.slice(0, end))?.[1];
  if (length === undefined || rest.length - end - 4 < Number(length)) return undefined;
  return parseResponse(text);
}

function withoutInterim(text: string): string {
  let rest = text;
  while (/^HTTP\/1\.1 1\d\d /.test(rest) && rest.includes("\r\n\r\n")) rest = rest.slice(rest.indexOf("\r\n\r\n") + 4);
  return rest;
}

function parseResponse(text: string): RawResponse {
  // Interim 1xx responses (100 Continue) come first.
  const rest = withoutInterim(text);
  const end = rest.indexOf("\r\n\r\n");
  if (end < 0) throw new Error(`no complete response in ${JSON.stringify(text)}`);
  const [statusLine = "", ...lines] = rest.slice(0, end).split("\r\n");
  const match = /^HTTP\/1\.1 (\d{3}) ?(.*)$/.exec(statusLine);
  if (!match) throw new Error(`not an HTTP response: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  let body = rest.slice(end + 4);
  if (headers["transfer-encoding"] === "chunked") body = dechunk(body);
  else if (headers["content-length"] !== undefined) body = body.slice(0, Number(headers["content-length"]));
  return {
    status: Number(match[1]),
    reason: match[2] ?? "",
    headers,
    body: Buffer.from(body, "latin1").toString("utf8"),
  };
}

function dechunk(text: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf("\r\n", at);
    if (lineEnd < 0) return out;
    const size = parseInt(text.slice(at, lineEnd), 16);
    if (!(size > 0)) return out;
    out += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

/**
 * One plain-HTTP request to 127.0.0.1:`port` with `target` in its request line exactly as given (`Host: localhost`
 * unless set, `Connection: close`): fetch and undici resolve dot segments and reject odd targets themselves, so only a
 * raw request line reaches a listener as an attacker writes it.
 */
export function rawTarget(
  port: number,
  method: string,
  target: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const headers = {
    Host: "localhost",
    ...options.headers,
    ...(options.body === undefined ? {} : { "Content-Length": String(Buffer.byteLength(options.body)) }),
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  const request = `${method} ${target} HTTP/1.1\r\nConnection: close\r\n${lines.join("")}\r\n${options.body ?? ""}`;
  return rawRequest(`http://127.0.0.1:${port}`, Buffer.from(request, "latin1"));
}
