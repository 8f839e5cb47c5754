import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { SqlTickets } from "../../src/developer/sql-tickets.js";
import {
  ExpiredTicketError,
  InvalidTicketError,
  OneTimeTickets,
  type IssuedTicket,
  type PresentedTicket,
} from "../../src/security/one-time-ticket.js";
import { databaseTargets } from "../helpers/databases.js";
import { openDeveloperDatabase, type DeveloperDatabase } from "./developer-store.js";

const HOUR = 3_600_000;
const presented = (ticket: IssuedTicket): PresentedTicket => ({
  id: ticket.id,
  secret: ticket.secret,
  userId: ticket.userId,
});

for (const target of await databaseTargets()) {
  describe(`one-time tickets on ${target.name}`, { skip: target.skip }, () => {
    let store: DeveloperDatabase;
    let now = Date.parse("2026-03-01T10:00:00Z");
    let tickets: OneTimeTickets;
    const sweepErrors: Error[] = [];

    before(async () => {
      store = await openDeveloperDatabase(target);
      const clock = () => now;
      tickets = new OneTimeTickets(
        new SqlTickets(store.db, (error) => sweepErrors.push(error), clock),
        randomBytes(32),
        clock,
      );
    });
    after(async () => {
      await store.close();
      assert.deepEqual(sweepErrors, []);
    });

    const redeem = async (purpose: "invitation" | "password-reset", ticket: PresentedTicket) =>
      tickets.consume(await tickets.check(purpose, ticket));

    it("issues a 256-bit secret with an id, stores only a digest, and expires invitations in 7 days, resets in 1 hour", async () => {
      const invitation = await tickets.issue("user-a", "invitation");
      const reset = await tickets.issue("user-a", "password-reset");
      assert.match(invitation.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.match(invitation.secret, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(invitation.secret, "base64url").length, 32);
      assert.equal(invitation.expiresAt.getTime(), now + 7 * 24 * HOUR);
      assert.equal(reset.expiresAt.getTime(), now + HOUR);

      const rows = await store.db.selectFrom("one_time_tickets").selectAll().where("user_id", "=", "user-a").execute();
      assert.equal(rows.length, 2);
      for (const row of rows) {
        for (const secret of [invitation.secret, reset.secret]) assert.ok(!JSON.stringify(row).includes(secret));
      }
    });

    it("works once", async () => {
      const ticket = await tickets.issue("user-b", "password-reset");
      const checked = await tickets.check("password-reset", presented(ticket));
      assert.equal(checked.userId, "user-b");
      await tickets.consume(checked);
      await assert.rejects(tickets.check("password-reset", presented(ticket)), InvalidTicketError);
      await assert.rejects(tickets.consume(checked), InvalidTicketError);
    });

    it("is bound to its purpose and its user, and refuses a wrong or malformed secret, without using it up", async () => {
      const ticket = await tickets.issue("user-c", "invitation");
      const wrong: PresentedTicket[] = [
        { ...presented(ticket), userId: "user-d" },
        { ...presented(ticket), secret: `${ticket.secret.slice(0, -1)}${ticket.secret.endsWith("A") ? "B" : "A"}` },
        { ...presented(ticket), secret: `${ticket.secret}=` },
        { ...presented(ticket), id: ticket.id.toUpperCase() },
        { ...presented(ticket), id: "not-an-id" },
        { ...presented(ticket), userId: "" },
        { ...presented(ticket), userId: "u".repeat(81) },
      ];
      for (const attempt of wrong) {
        await assert.rejects(tickets.check("invitation", attempt), InvalidTicketError, JSON.stringify(attempt));
      }
      await assert.rejects(tickets.check("password-reset", presented(ticket)), InvalidTicketError);
      await redeem("invitation", presented(ticket));
    });

    it("expires: the right ticket too late is ExpiredTicketError once, then gone", async () => {
      const ticket = await tickets.issue("user-e", "password-reset");
      const started = now;
      try {
        now = started + HOUR - 1;
        await tickets.check("password-reset", presented(ticket));
        now = started + HOUR;
        await assert.rejects(tickets.check("password-reset", presented(ticket)), (error: unknown) => {
          assert.ok(error instanceof ExpiredTicketError);
          assert.equal(error.message, "The link has expired. Ask for a new one.");
          return true;
        });
        await assert.rejects(tickets.check("password-reset", presented(ticket)), InvalidTicketError);
      } finally {
        now = started;
      }
    });

    it("replaces the user's earlier ticket of the same purpose, not the other purpose's or another user's", async () => {
      const first = await tickets.issue("user-f", "password-reset");
      const invitation = await tickets.issue("user-f", "invitation");
      const someoneElse = await tickets.issue("user-g", "password-reset");
      const second = await tickets.issue("user-f", "password-reset");
      await assert.rejects(tickets.check("password-reset", presented(first)), InvalidTicketError);
      await redeem("password-reset", presented(second));
      await redeem("invitation", presented(invitation));
      await redeem("password-reset", presented(someoneElse));
    });

    it("lets only one of two concurrent redeemers use a ticket", async () => {
      const ticket = await tickets.issue("user-h", "invitation");
      const [a, b] = await Promise.all([
        tickets.check("invitation", presented(ticket)),
        tickets.check("invitation", presented(ticket)),
      ]);
      const results = await Promise.allSettled([tickets.consume(a), tickets.consume(b)]);
      assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
    });

    it("revokes a user's tickets, of one purpose or all", async () => {
      const reset = await tickets.issue("user-i", "password-reset");
      const invitation = await tickets.issue("user-i", "invitation");
      await tickets.revoke("user-i", "password-reset");
      await assert.rejects(tickets.check("password-reset", presented(reset)), InvalidTicketError);
      await tickets.check("invitation", presented(invitation));
      await tickets.revoke("user-i");
      await assert.rejects(tickets.check("invitation", presented(invitation)), InvalidTicketError);
    });

    it("deletes expired tickets as new ones are issued, at most once a minute", async () => {
      const count = async () =>
        Number(
          (
            await store.db
              .selectFrom("one_time_tickets")
              .select((eb) => eb.fn.countAll().as("n"))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const started = now;
      try {
        await tickets.issue("user-j", "password-reset");
        now = started + 8 * 24 * HOUR;
        await tickets.issue("user-k", "password-reset");
        // The sweep runs in the background: wait for it.
        for (let i = 0; i < 50 && (await count()) !== 1; i++) await new Promise((r) => setTimeout(r, 20));
        assert.equal(await count(), 1, "only the ticket issued now is left");
      } finally {
        now = started;
      }
    });
  });
}
