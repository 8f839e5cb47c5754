import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.js";

/** Expired records are deleted at most this often per process: one indexed delete, off the request's path. */
const PURGE_INTERVAL_MS = 60_000;

/**
 * The client assertions already used, in the database every identity node shares, so an assertion is accepted once
 * across the cluster. A record lives until its assertion expires; the jti is stored hashed, so its length is bounded.
 * Written outside the revisioned store: using an assertion is not a configuration change for other nodes to reload.
 */
export class UsedAssertions {
  private nextPurge = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly onPurgeError: (error: Error) => void = () => undefined,
  ) {}

  /**
   * Records that `clientId` used `jti` until `expiresAt` (ms since the epoch). False when the pair is already
   * recorded and not yet expired: a replay. One statement, atomic in SQLite and PostgreSQL alike.
   */
  async claim(clientId: string, jti: string, expiresAt: number, now = Date.now()): Promise<boolean> {
    const expires_at = new Date(expiresAt).toISOString();
    const result = await this.db
      .insertInto("used_client_assertions")
      .values({ client_id: clientId, jti_hash: createHash("sha256").update(jti).digest("base64url"), expires_at })
      .onConflict((conflict) =>
        conflict
          .columns(["client_id", "jti_hash"])
          .doUpdateSet({ expires_at })
          .where("used_client_assertions.expires_at", "<=", new Date(now).toISOString()),
      )
      .executeTakeFirst();
    if (now >= this.nextPurge) {
      this.nextPurge = now + PURGE_INTERVAL_MS;
      this.purge(now).catch((error: unknown) =>
        this.onPurgeError(error instanceof Error ? error : new Error(String(error))),
      );
    }
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  /** Deletes the records of assertions that have expired. */
  async purge(now = Date.now()): Promise<void> {
    await this.db.deleteFrom("used_client_assertions").where("expires_at", "<=", new Date(now).toISOString()).execute();
  }
}
