/**
 * `Ocp-Apim-Trace-Location`: where a trace is read. As APIM's location is a SAS URL, it works without credentials
 * until it expires: an HMAC of the trace id and the expiry, under a key derived from the master key, so every node
 * and the admin API agree without sharing anything else. The admin API also serves it to an admin token.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { MasterKey } from "../../crypto/master-key.js";

/** The admin route a trace is read at, below the admin base URL. */
export const TRACE_PATH = "/gateway/traces";

export class TraceSignatures {
  private readonly key: Buffer;

  constructor(masterKey: MasterKey) {
    this.key = masterKey.derive("gateway-trace-location");
  }

  /** `{adminUrl}/gateway/traces/{id}?expires=…&sig=…` */
  location(adminUrl: string, id: string, expiresAt: number): string {
    const expires = Math.floor(expiresAt / 1000);
    return `${adminUrl.replace(/\/+$/, "")}${TRACE_PATH}/${encodeURIComponent(id)}?expires=${expires}&sig=${this.sign(id, expires)}`;
  }

  /** Whether `sig` is this key's signature of the id and `expires` (seconds), and it has not expired at `now`. */
  verify(id: string, expires: string, sig: string, now: number): boolean {
    if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 <= now) return false;
    const expected = Buffer.from(this.sign(id, Number(expires)));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(id: string, expires: number): string {
    return createHmac("sha256", this.key).update(`${id}\n${expires}`).digest("base64url");
  }
}
