/**
 * Responses the gateway makes itself: API Management's error envelope (reference apim.md §2 "Common response
 * envelope", §4.2–4.5) and the empty 200 a pipeline starts from when nothing else answered.
 */
import { STATUS_CODES } from "node:http";
import type { GatewayResponse, PipelineContext } from "./context.js";
import { HeaderMap } from "./headers.js";
import type { ErrorPage } from "../../listener/client-errors.js";

export interface GatewayErrorOptions {
  /** 5xx bodies carry it (the request id). */
  activityId?: string;
  headers?: Readonly<Record<string, string>>;
  /** The status line's reason phrase, e.g. "Access Denied" for subscription failures; node's phrase by default. */
  reason?: string;
}

/** `{ "statusCode": 401, "message": "…" }` with APIM's spacing, as application/json. */
export function gatewayError(status: number, message: string, options: GatewayErrorOptions = {}): GatewayResponse {
  const headers = new HeaderMap();
  headers.set("Content-Type", ["application/json"]);
  if (options.headers) for (const [name, value] of Object.entries(options.headers)) headers.set(name, [value]);
  return {
    statusCode: status,
    statusReason: options.reason ?? STATUS_CODES[status] ?? "",
    headers,
    body: errorEnvelope(status, message, options.activityId),
  };
}

function errorEnvelope(status: number, message: string, activityId: string | undefined): string {
  const activity = activityId === undefined ? "" : `, "activityId": ${JSON.stringify(activityId)}`;
  return `{ "statusCode": ${status}, "message": ${JSON.stringify(message)}${activity} }`;
}

/** What node's parser refuses on the gateway's listener gets APIM's envelope too. */
export const gatewayErrorPage: ErrorPage = (status, message) => ({
  headers: { "Content-Type": "application/json" },
  body: errorEnvelope(status, message, undefined),
});

/** 200 OK with no headers and no body: return-response's start, and the answer when no backend was called. */
export function emptyResponse(): GatewayResponse {
  return { statusCode: 200, statusReason: "OK", headers: new HeaderMap(), body: undefined };
}

/** The response policies change, created empty when there is none yet (set-status in inbound, for instance). */
export function responseOf(context: PipelineContext): GatewayResponse {
  return (context.response ??= emptyResponse());
}
