/**
 * The gateway's origin as the client addressed it (`context.Request.OriginalUrl`, X-Forwarded-Host, the realm of a
 * key refusal), from the Host header: a host name or IP literal and an optional port (RFC 9110 §7.2), nothing else.
 */
import { isIPv6 } from "node:net";
import { RequestTargetError } from "./canonical-path.js";

const HOST = /^(?:([A-Za-z0-9._~-]+)|\[([0-9A-Fa-f:.]+)\])(?::(\d{0,5}))?$/;

/** The Host value checked last: nearly every request of a gateway names the same one, so it is checked once. */
let lastValidHost: string | undefined;

/** `scheme://host[:port]`; without a Host header (HTTP/1.0), `localhost`. */
export function gatewayOrigin(scheme: string, host: string | undefined): string {
  if (host === undefined) return `${scheme}://localhost`;
  if (host !== lastValidHost) {
    const parts = HOST.exec(host);
    const [, , literal, port] = parts ?? [];
    if (!parts || (literal !== undefined && !isIPv6(literal)) || Number(port ?? 0) > 65535) {
      throw new RequestTargetError("The Host header is not a valid host and port.");
    }
    lastValidHost = host;
  }
  return `${scheme}://${host}`;
}
