import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, readBody } from "./request-body.js";

/** Larger request bodies are answered with 413. */
export const ECHO_BODY_LIMIT = 1024 * 1024;

/** What the Echo backend answers: the request exactly as it arrived, so a test sees what a gateway forwarded. */
export interface EchoReply {
  method: string;
  /** The request path as sent, not decoded, without the query. */
  path: string;
  /** Decoded query parameters; repeated names keep every value in order. */
  query: Record<string, string[]>;
  /** Lower-case names; a header sent several times has its values joined with ", ". */
  headers: Record<string, string>;
  /** The body as UTF-8 text ("" when there is none). */
  body: string;
}

/** Any method and path → 200 JSON describing the request, like API Management's demo Echo API. */
export async function handleEcho(req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const target = req.url ?? "/";
    const q = target.indexOf("?");
    // Maps, then fromEntries: a client may send a parameter or header named "__proto__".
    const query = new Map<string, string[]>();
    for (const [key, value] of new URLSearchParams(q >= 0 ? target.slice(q + 1) : "")) {
      query.set(key, [...(query.get(key) ?? []), value]);
    }
    const headers = new Map<string, string>();
    for (const [name, values] of Object.entries(req.headersDistinct)) {
      if (values) headers.set(name, values.join(", "));
    }
    const body = (await readBody(req, ECHO_BODY_LIMIT)).toString("utf8");
    const reply: EchoReply = {
      method: req.method ?? "",
      path: q >= 0 ? target.slice(0, q) : target,
      query: Object.fromEntries(query),
      headers: Object.fromEntries(headers),
      body,
    };
    sendJson(res, 200, reply);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      res.setHeader("connection", "close");
      sendJson(res, 413, { error: `The request body exceeds ${error.limit} bytes.` });
    } else {
      sendJson(res, 500, { error: "The echo backend failed to read the request." });
    }
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value), "utf8");
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": body.length });
  res.end(body);
}
