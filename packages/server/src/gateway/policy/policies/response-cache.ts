/**
 * What cache-lookup and cache-store share (reference apim.md §2.26): the entry a lookup that missed leaves for the
 * store, responses as bytes in the gateway state, and the Cache-Control sent downstream.
 */
import type { GatewayResponse, PipelineContext } from "../../pipeline/context.js";
import { HeaderMap } from "../../pipeline/headers.js";

export type DownstreamCaching = "none" | "private" | "public";
export const DOWNSTREAM_CACHING: readonly DownstreamCaching[] = ["none", "private", "public"];

export interface Downstream {
  readonly caching: DownstreamCaching;
  readonly mustRevalidate: boolean;
}

/** Left by a cache-lookup that missed: cache-store stores the response under this key. */
interface PendingEntry {
  readonly key: string;
  readonly downstream: Downstream;
}

const pending = new WeakMap<PipelineContext, PendingEntry>();

export function awaitStore(context: PipelineContext, entry: PendingEntry): void {
  pending.set(context, entry);
}

/** The lookup's entry, once: a second cache-store in the request stores nothing. */
export function takePending(context: PipelineContext): PendingEntry | undefined {
  const entry = pending.get(context);
  pending.delete(context);
  return entry;
}

/** Framing belongs to each connection; cookies belong to one caller and must not reach the next. */
const NOT_STORED = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "set-cookie"]);

interface StoredHead {
  status: number;
  reason: string;
  headers: [string, string[]][];
  /** Epoch ms the entry expires, for the max-age of hits. */
  expiresAtMs: number;
}

/** The response as bytes: a length-prefixed JSON head, then the body. The body must be in memory already. */
export function encodeResponse(response: GatewayResponse, expiresAtMs: number): Buffer {
  const head: StoredHead = {
    status: response.statusCode,
    reason: response.statusReason,
    headers: [...response.headers]
      .filter(([name]) => !NOT_STORED.has(name.toLowerCase()))
      .map(([name, values]) => [name, [...values]]),
    expiresAtMs,
  };
  const json = Buffer.from(JSON.stringify(head));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  const body = response.body;
  const bytes = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body as string);
  return Buffer.concat([length, json, bytes]);
}

export function decodeResponse(stored: Buffer): { response: GatewayResponse; expiresAtMs: number } {
  const length = stored.readUInt32BE(0);
  const head = JSON.parse(stored.subarray(4, 4 + length).toString("utf8")) as StoredHead;
  const headers = new HeaderMap();
  for (const [name, values] of head.headers) headers.set(name, values);
  const body = stored.subarray(4 + length);
  return {
    response: {
      statusCode: head.status,
      statusReason: head.reason,
      headers,
      body: body.length === 0 ? undefined : Buffer.from(body),
    },
    expiresAtMs: head.expiresAtMs,
  };
}

/**
 * downstream-caching-type: `none` leaves the response's own caching headers alone; `private` and `public` allow
 * clients (and, for public, shared caches) to keep it as long as the gateway does.
 */
export function applyDownstream(response: GatewayResponse, downstream: Downstream, maxAgeSeconds: number): void {
  if (downstream.caching === "none") return;
  const directives = [downstream.caching, `max-age=${Math.max(0, Math.floor(maxAgeSeconds))}`];
  if (downstream.mustRevalidate) directives.push("must-revalidate");
  response.headers.set("Cache-Control", [directives.join(", ")]);
}
