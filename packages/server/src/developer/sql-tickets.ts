import type { Selectable } from "kysely";
import type { StoredTicket, TicketPurpose, TicketRepository } from "../security/one-time-ticket.js";
import { ExpiringRowsTable } from "./expiring-rows-table.js";
import type { OneTimeTicketTable } from "./tables.js";

/** One-time tickets in the `one_time_tickets` table, shared by every node. */
export class SqlTickets extends ExpiringRowsTable implements TicketRepository {
  protected readonly table = "one_time_tickets";

  async replace(ticket: StoredTicket): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom("one_time_tickets")
        .where("user_id", "=", ticket.userId)
        .where("purpose", "=", ticket.purpose)
        .execute();
      await trx
        .insertInto("one_time_tickets")
        .values({
          id: ticket.id,
          purpose: ticket.purpose,
          user_id: ticket.userId,
          digest: ticket.digest,
          created_at: ticket.createdAt.toISOString(),
          expires_at: ticket.expiresAt.toISOString(),
        })
        .execute();
    });
    this.maybeSweep();
  }

  async find(id: string): Promise<StoredTicket | undefined> {
    const row = await this.db.selectFrom("one_time_tickets").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toTicket(row);
  }

  async consume(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("one_time_tickets").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async deleteForUser(userId: string, purpose?: TicketPurpose): Promise<void> {
    let query = this.db.deleteFrom("one_time_tickets").where("user_id", "=", userId);
    if (purpose) query = query.where("purpose", "=", purpose);
    await query.execute();
  }
}

function toTicket(row: Selectable<OneTimeTicketTable>): StoredTicket {
  return {
    id: row.id,
    purpose: row.purpose,
    userId: row.user_id,
    digest: row.digest,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
  };
}
