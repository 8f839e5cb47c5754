/**
 * `Ocp-Apim-Trace-Location`: where a trace is read. As APIM's location is a SAS URL, it works without credentials
 * until it expires (a signed link, crypto/link-signatures.ts). The admin API also serves it to an admin token.
 */
import { LinkSignatures } from "../../crypto/link-signatures.js";
import type { MasterKey } from "../../crypto/master-key.js";

/** The admin route a trace is read at, below the admin base URL. */
export const TRACE_PATH = "/gateway/traces";

export class TraceSignatures {
  private readonly links: LinkSignatures;

  constructor(masterKey: MasterKey) {
    this.links = new LinkSignatures(masterKey, "gateway-trace-location");
  }

  /** `{adminUrl}/gateway/traces/{id}?expires=…&sig=…` */
  location(adminUrl: string, id: string, expiresAt: number): string {
    return `${adminUrl.replace(/\/+$/, "")}${TRACE_PATH}/${encodeURIComponent(id)}?${this.links.query(id, expiresAt)}`;
  }

  /** Whether `sig` signs the trace id and `expires` (seconds), and it has not expired at `now`. */
  verify(id: string, expires: string, sig: string, now: number): boolean {
    return this.links.verify(id, expires, sig, now);
  }
}
