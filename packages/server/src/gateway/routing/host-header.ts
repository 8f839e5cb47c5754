/**
 * The gateway's origin as the client addressed it (`context.Request.OriginalUrl`, X-Forwarded-Host, the realm of a
 * key refusal), from the Host header: a host name or IP literal and an optional port (RFC 9110 §7.2), nothing else.
 */
import { isIPv6 } from "node:net";
import { RequestTargetError } from "./canonical-path.js";

const HOST = /^(?:([A-Za-z0-9._~-]+)|\[([0-9A-Fa-f:.]+)\])(?::(\d{0,5}))?$/;

/** `scheme://host[:port]`; without a Host header (HTTP/1.0), `localhost`. */
export function gatewayOrigin(scheme: string, host: string | undefined): string {
  if (host === undefined) return `${scheme}://localhost`;
  const parts = HOST.exec(host);
  const [, , literal, port] = parts ?? [];
  if (!parts || (literal !== undefined && !isIPv6(literal)) || Number(port ?? 0) > 65535) {
    throw new RequestTargetError("The Host header is not a valid host and port.");
  }
  return `${scheme}://${host}`;
}
