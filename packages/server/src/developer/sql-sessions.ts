import type { Selectable } from "kysely";
import { ExpiringRowsTable } from "./expiring-rows-table.js";
import type { SessionRepository, StoredSession } from "./session.js";
import type { DeveloperSessionTable } from "./tables.js";

/** Developer session tokens in the `developer_sessions` table, shared by every node. */
export class SqlSessions extends ExpiringRowsTable implements SessionRepository {
  protected readonly table = "developer_sessions";

  async insert(session: StoredSession): Promise<void> {
    await this.db
      .insertInto("developer_sessions")
      .values({
        token_digest: session.tokenDigest,
        session_id: session.sessionId,
        user_id: session.userId,
        signed_in_at: session.signedInAt.toISOString(),
        expires_at: session.expiresAt.toISOString(),
        renewed: 0,
      })
      .execute();
    this.maybeSweep();
  }

  async find(tokenDigest: string): Promise<StoredSession | undefined> {
    const row = await this.db
      .selectFrom("developer_sessions")
      .selectAll()
      .where("token_digest", "=", tokenDigest)
      .executeTakeFirst();
    return row && toSession(row);
  }

  async claimRenewal(tokenDigest: string): Promise<boolean> {
    const result = await this.db
      .updateTable("developer_sessions")
      .set({ renewed: 1 })
      .where("token_digest", "=", tokenDigest)
      .where("renewed", "=", 0)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.db.deleteFrom("developer_sessions").where("session_id", "=", sessionId).execute();
  }

  async deleteForUser(userId: string): Promise<void> {
    await this.db.deleteFrom("developer_sessions").where("user_id", "=", userId).execute();
  }
}

function toSession(row: Selectable<DeveloperSessionTable>): StoredSession {
  return {
    tokenDigest: row.token_digest,
    sessionId: row.session_id,
    userId: row.user_id,
    signedInAt: new Date(row.signed_in_at),
    expiresAt: new Date(row.expires_at),
  };
}
