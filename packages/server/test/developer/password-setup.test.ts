import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import { AccountBlockedError, AccountNotFoundError, InvalidSessionError } from "../../src/developer/errors.js";
import { PasswordSetup } from "../../src/developer/password-setup.js";
import { DeveloperSessions } from "../../src/developer/session.js";
import { SqlSessions } from "../../src/developer/sql-sessions.js";
import { SqlTickets } from "../../src/developer/sql-tickets.js";
import { MemoryState } from "../../src/gateway/state/memory-state.js";
import { CredentialThrottle, DEFAULT_CREDENTIAL_THROTTLE } from "../../src/security/credential-throttle.js";
import { ConsoleNotifier } from "../../src/security/notifier.js";
import { InvalidTicketError, OneTimeTickets, type PresentedTicket } from "../../src/security/one-time-ticket.js";
import { PasswordHasher } from "../../src/security/password-hash.js";
import { PasswordRuleError } from "../../src/security/password-length.js";
import { databaseTargets } from "../helpers/databases.js";
import { MemoryAccounts, openDeveloperDatabase, type DeveloperDatabase } from "./developer-store.js";

const hasher = new PasswordHasher({ parameters: { ln: 10, r: 8, p: 1 } });
const PORTAL = new URL("https://localhost:8443/");

/** The ticket of a link, as the portal's confirmation page reads it from the fragment. */
function ticketOf(link: string): PresentedTicket {
  const url = new URL(link);
  assert.equal(url.search, "", "nothing secret in the query, which servers log");
  const fragment = new URLSearchParams(url.hash.slice(1));
  return {
    userId: fragment.get("userid") ?? "",
    id: fragment.get("ticketid") ?? "",
    secret: fragment.get("ticket") ?? "",
  };
}

for (const target of await databaseTargets()) {
  describe(`invitations and password resets on ${target.name}`, { skip: target.skip }, () => {
    let store: DeveloperDatabase;
    const accounts = new MemoryAccounts();
    const terminal = new PassThrough();
    let printed = "";
    terminal.on("data", (chunk: Buffer) => (printed += chunk.toString("utf8")));
    let sessions: DeveloperSessions;
    let setup: PasswordSetup;
    const sweepErrors: Error[] = [];
    let nextAddress = 1;
    const signIn = (email: string, password: string) => sessions.signIn(email, password, `127.0.2.${nextAddress++}`);

    before(async () => {
      store = await openDeveloperDatabase(target);
      const onSweepError = (error: Error) => sweepErrors.push(error);
      const tickets = new OneTimeTickets(new SqlTickets(store.db, onSweepError), randomBytes(32));
      sessions = new DeveloperSessions({
        accounts,
        repository: new SqlSessions(store.db, onSweepError),
        hasher,
        throttle: new CredentialThrottle(new MemoryState(), "developer-sign-in", DEFAULT_CREDENTIAL_THROTTLE),
        pepper: randomBytes(32),
      });
      setup = new PasswordSetup({
        accounts,
        tickets,
        sessions,
        hasher,
        notifier: new ConsoleNotifier(terminal),
        portalUrl: PORTAL,
      });
      accounts.add("dev", "dev@contoso.example", "pending");
      accounts.add("active", "active@contoso.example", "active", await hasher.hash("old-password-1"));
      accounts.add("blocked", "blocked@contoso.example", "blocked");
    });
    after(async () => {
      await store.close();
      assert.deepEqual(sweepErrors, []);
    });

    it("invites: the link goes to the administrator and the notifier, and setting the first password activates", async () => {
      printed = "";
      const { link, expiresAt } = await setup.invite("dev");
      assert.match(
        link,
        /^https:\/\/localhost:8443\/developer\/confirm-invitation#userid=dev&ticketid=[0-9a-f-]{36}&ticket=[\w-]{43}$/,
      );
      assert.ok(Math.abs(expiresAt.getTime() - Date.now() - 7 * 24 * 3_600_000) < 60_000);
      assert.equal(
        printed,
        `Invitation to the developer portal for dev@contoso.example (user dev)\n  ${link}\n  valid until ${expiresAt.toISOString()}, once\n`,
      );

      // A refused password leaves the link usable.
      await assert.rejects(setup.acceptInvitation(ticketOf(link), "short"), PasswordRuleError);
      assert.equal(accounts.get("dev")?.state, "pending");
      // An invitation is not a reset.
      await assert.rejects(setup.resetPassword(ticketOf(link), "a-new-password"), InvalidTicketError);

      await setup.acceptInvitation(ticketOf(link), "my-first-password");
      assert.equal(accounts.get("dev")?.state, "active");
      await signIn("dev@contoso.example", "my-first-password");
      await assert.rejects(setup.acceptInvitation(ticketOf(link), "my-second-password"), InvalidTicketError);
    });

    it("resets on the developer's request through the notifier only, ending sessions and older links", async () => {
      const session = await signIn("active@contoso.example", "old-password-1");
      const byAdministrator = await setup.resetByAdministrator("active");
      printed = "";
      await setup.requestReset("ACTIVE@contoso.example");
      const link = /^ {2}(https:\S+)$/m.exec(printed)?.[1] ?? "";
      assert.match(printed, /^Password reset for the developer portal for active@contoso\.example \(user active\)$/m);
      assert.match(link, /\/developer\/confirm-password#userid=active&/);

      await setup.resetPassword(ticketOf(link), "new-password-2");
      await assert.rejects(signIn("active@contoso.example", "old-password-1"));
      await signIn("active@contoso.example", "new-password-2");
      await assert.rejects(sessions.authenticate(session.value), InvalidSessionError);
      await assert.rejects(setup.resetPassword(ticketOf(byAdministrator.link), "new-password-3"), InvalidTicketError);
    });

    it("answers a reset request for an email without an active account the same, sending nothing", async () => {
      printed = "";
      await setup.requestReset("nobody@contoso.example");
      await setup.requestReset("blocked@contoso.example");
      assert.equal(printed, "");
    });

    it("sets a password directly, ending the user's sessions and outstanding links", async () => {
      const session = await signIn("active@contoso.example", "new-password-2");
      const { link } = await setup.resetByAdministrator("active");
      await setup.setPassword("active", "direct-password-4");
      await assert.rejects(sessions.authenticate(session.value), InvalidSessionError);
      await assert.rejects(setup.resetPassword(ticketOf(link), "new-password-5"), InvalidTicketError);
      await signIn("active@contoso.example", "direct-password-4");
    });

    it("refuses blocked and unknown users", async () => {
      await assert.rejects(setup.invite("blocked"), AccountBlockedError);
      await assert.rejects(setup.setPassword("blocked", "some-password-6"), AccountBlockedError);
      await assert.rejects(setup.invite("nobody"), AccountNotFoundError);
      const { link } = await setup.resetByAdministrator("active");
      accounts.setState("active", "blocked");
      await assert.rejects(setup.resetPassword(ticketOf(link), "new-password-7"), AccountBlockedError);
      accounts.setState("active", "active");
      await setup.resetPassword(ticketOf(link), "new-password-7");
    });

    it("prints control characters in an email as '?', so a notice cannot forge lines", async () => {
      accounts.add("odd", "odd@contoso.example\n  https://evil.example/", "pending");
      printed = "";
      await setup.invite("odd");
      assert.equal(printed.split("\n").length, 4);
      assert.match(printed, /odd@contoso\.example\? {2}https:\/\/evil\.example\//);
    });
  });
}
