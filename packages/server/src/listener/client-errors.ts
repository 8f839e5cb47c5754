/**
 * What node's HTTP layer refuses before any handler runs (a malformed request, headers too large, a timeout, an
 * expectation other than 100-continue) is answered with the listener's own error body, never node's empty 400/431/417
 * or a framework's JSON, and the connection is closed.
 */
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";

/** The statuses a listener answers requests with that never reached a route. */
export type ProtocolStatus = 400 | 408 | 413 | 417 | 431;

export interface ErrorResponse {
  /** Content-Type and the service's own fields; framing (length, Connection) is added. */
  headers: Readonly<Record<string, string>>;
  body: string;
}

/** The listener's counterpart's error body; `path` is the request's when it is known (admin picks Graph or ARM by it). */
export type ErrorPage = (status: ProtocolStatus, message: string, path: string | undefined) => ErrorResponse;

interface ParserError extends Error {
  code?: string;
  /** What node's parser was reading when it failed (not for timeouts). */
  rawPacket?: Buffer;
}

/** llhttp's error codes (and node's request timeout) by what the client got wrong; other HPE_ codes are a plain 400. */
const PARSER_ERRORS: Readonly<Record<string, readonly [ProtocolStatus, string]>> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, "The request was not received in time."],
  HPE_HEADER_OVERFLOW: [431, "The request's header fields are too large."],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, "The chunk extensions of the request's body are too large."],
  HPE_INVALID_METHOD: [400, "The request method is not valid."],
  HPE_INVALID_URL: [400, "The request target is not valid."],
  HPE_INVALID_VERSION: [400, "The request's HTTP version is not valid."],
  HPE_INVALID_HEADER_TOKEN: [400, "A request header field has an invalid name or value."],
  HPE_INVALID_CONTENT_LENGTH: [400, "The request's Content-Length is not valid."],
  HPE_UNEXPECTED_CONTENT_LENGTH: [400, "The request has both Content-Length and Transfer-Encoding."],
  HPE_INVALID_TRANSFER_ENCODING: [400, "The request's Transfer-Encoding is not valid."],
  HPE_INVALID_CHUNK_SIZE: [400, "The request's chunked body is not valid."],
};
const MALFORMED: readonly [ProtocolStatus, string] = [400, "The request is not valid HTTP/1.1."];
const ANSWER_GRACE_MS = 10_000;

const REQUEST_LINE = /^[A-Za-z]{1,20} (\/[^ \r\n?]{0,2048})/;

export function answerClientErrors(server: Server, page: ErrorPage, logger: Logger): void {
  server.on("clientError", (error: ParserError, socket: Duplex) => {
    // The in-flight response, if the request reached a handler (a body that arrived too slowly).
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    const code = error.code ?? "";
    // Only HTTP's own errors can be answered in HTTP: not a reset, nor a TLS failure before any HTTP was spoken.
    const answer = PARSER_ERRORS[code] ?? (code.startsWith("HPE_") ? MALFORMED : undefined);
    if (answer === undefined || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, message] = answer;
    const path = inFlight?.req.url?.split("?")[0] ?? requestPath(error.rawPacket);
    logger.info({ code: error.code, status }, "client error");
    const response = page(status, message, path);
    const body = Buffer.from(response.body, "utf8");
    const head = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}`,
      ...Object.entries(response.headers).map(([name, value]) => `${name}: ${value}`),
      `Content-Length: ${body.length}`,
      "Connection: close",
      "",
      "",
    ].join("\r\n");
    socket.end(Buffer.concat([Buffer.from(head, "latin1"), body]), () => socket.destroy());
    // A client that does not read its answer does not keep the socket either.
    setTimeout(() => socket.destroy(), ANSWER_GRACE_MS).unref();
  });
  // Node answers any expectation but 100-continue with an empty 417; the request is not served.
  server.on("checkExpectation", (req: IncomingMessage, res: ServerResponse) => {
    const response = page(417, "Only the expectation '100-continue' is supported.", req.url?.split("?")[0]);
    const body = Buffer.from(response.body, "utf8");
    res.writeHead(417, { ...response.headers, "Content-Length": body.length, Connection: "close" });
    res.end(body);
  });
}

/** The path of the request line the parser was reading, when the packet starts with one. */
function requestPath(packet: Buffer | undefined): string | undefined {
  return packet ? REQUEST_LINE.exec(packet.subarray(0, 2100).toString("latin1"))?.[1] : undefined;
}
