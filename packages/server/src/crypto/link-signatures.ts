/**
 * Links that work without a token until they expire, as API Management's SAS URLs do (a trace's location, an API
 * export's download): an HMAC of the link's subject and expiry under a key derived from the master key for one
 * purpose, so every node and the admin API agree without sharing anything else.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { MasterKey } from "./master-key.js";

export class LinkSignatures {
  private readonly key: Buffer;

  constructor(masterKey: MasterKey, purpose: string) {
    this.key = masterKey.derive(purpose);
  }

  /** `expires=…&sig=…`: the query that makes a link to `subject` valid until `expiresAt` (milliseconds). */
  query(subject: string, expiresAt: number): string {
    const expires = Math.floor(expiresAt / 1000);
    return `expires=${expires}&sig=${this.sign(subject, expires)}`;
  }

  /** Whether `sig` is this key's signature of the subject and `expires` (seconds), and it has not expired at `now`. */
  verify(subject: string, expires: string, sig: string, now: number): boolean {
    if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 <= now) return false;
    const expected = Buffer.from(this.sign(subject, Number(expires)));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(subject: string, expires: number): string {
    return createHmac("sha256", this.key).update(`${subject}\n${expires}`).digest("base64url");
  }
}
