/**
 * How a developer gets a password: an invitation the administrator sends, a reset the administrator or the developer
 * asks for, or a new password set directly. Links carry a one-time ticket (security/one-time-ticket.ts); setting a
 * password ends the user's sessions and voids the user's other links.
 */
import type { Notifier } from "../security/notifier.js";
import type { IssuedTicket, OneTimeTickets, PresentedTicket, TicketPurpose } from "../security/one-time-ticket.js";
import type { PasswordHasher } from "../security/password-hash.js";
import type { DeveloperAccount, DeveloperAccounts } from "./accounts.js";
import { AccountBlockedError, AccountNotFoundError } from "./errors.js";
import type { DeveloperSessions } from "./session.js";

/** The developer portal's pages that read a link's ticket (the second is the APIM portal's own path). */
export const CONFIRMATION_PATHS: Readonly<Record<TicketPurpose, string>> = {
  invitation: "/developer/confirm-invitation",
  "password-reset": "/developer/confirm-password",
};

/** A link as returned to the administrator who asked for it. */
export interface TicketLink {
  readonly link: string;
  readonly expiresAt: Date;
}

export interface PasswordSetupOptions {
  readonly accounts: DeveloperAccounts;
  readonly tickets: OneTimeTickets;
  readonly sessions: DeveloperSessions;
  readonly hasher: PasswordHasher;
  readonly notifier: Notifier;
  /** Where the developer portal is served; links point at its confirmation pages. */
  readonly portalUrl: URL;
}

export class PasswordSetup {
  constructor(private readonly options: PasswordSetupOptions) {}

  /** An invitation for a user the administrator created: delivered, and returned to the administrator. */
  async invite(userId: string): Promise<TicketLink> {
    return this.send(await this.usable(userId), "invitation");
  }

  /** A reset link the administrator asks for on a user's behalf: delivered, and returned to the administrator. */
  async resetByAdministrator(userId: string): Promise<TicketLink> {
    return this.send(await this.usable(userId), "password-reset");
  }

  /**
   * A reset the developer asks for (the portal's "forgot password"): the link goes only to the notifier, and an email
   * without an active account is answered the same, so the request tells nobody which emails have accounts.
   */
  async requestReset(email: string): Promise<void> {
    const account = await this.options.accounts.findByEmail(email);
    if (account?.state === "active") await this.send(account, "password-reset");
  }

  /** Sets the first password from an invitation link; a pending user becomes active. */
  acceptInvitation(presented: PresentedTicket, password: string): Promise<void> {
    return this.redeem("invitation", presented, password);
  }

  /** Sets a new password from a reset link. */
  resetPassword(presented: PresentedTicket, password: string): Promise<void> {
    return this.redeem("password-reset", presented, password);
  }

  /** Sets a password directly (the administrator's `password` property, or a developer who proved the old one). */
  async setPassword(userId: string, password: string): Promise<void> {
    await this.usable(userId);
    await this.store(userId, await this.options.hasher.hash(password), false);
  }

  /**
   * The ticket is checked first, so a made-up link costs no hashing; then the password is hashed (and its rules
   * checked); only then is the ticket used up, so a refused password leaves the link working.
   */
  private async redeem(purpose: TicketPurpose, presented: PresentedTicket, password: string): Promise<void> {
    const { tickets, hasher } = this.options;
    const ticket = await tickets.check(purpose, presented);
    await this.usable(ticket.userId);
    const hash = await hasher.hash(password);
    await tickets.consume(ticket);
    await this.store(ticket.userId, hash, purpose === "invitation");
  }

  private async store(userId: string, hash: string, activate: boolean): Promise<void> {
    const { accounts, sessions, tickets } = this.options;
    await accounts.setPasswordHash(userId, hash, { activate });
    await Promise.all([sessions.revokeUser(userId), tickets.revoke(userId)]);
  }

  /** The account, when it is one a password can be set for: not deleted, not blocked. */
  private async usable(userId: string): Promise<DeveloperAccount> {
    const account = await this.options.accounts.findById(userId);
    if (!account || account.state === "deleted") throw new AccountNotFoundError();
    if (account.state === "blocked") throw new AccountBlockedError();
    return account;
  }

  private async send(account: DeveloperAccount, purpose: TicketPurpose): Promise<TicketLink> {
    const ticket = await this.options.tickets.issue(account.id, purpose);
    const link = this.link(ticket);
    await this.options.notifier.deliver({
      purpose,
      userId: account.id,
      email: account.email,
      link,
      expiresAt: ticket.expiresAt,
    });
    return { link, expiresAt: ticket.expiresAt };
  }

  private link(ticket: IssuedTicket): string {
    const url = new URL(CONFIRMATION_PATHS[ticket.purpose], this.options.portalUrl);
    // In the fragment, which browsers never send: the ticket stays out of server logs, proxies and Referer headers.
    url.hash = new URLSearchParams({ userid: ticket.userId, ticketid: ticket.id, ticket: ticket.secret }).toString();
    return url.href;
  }
}
