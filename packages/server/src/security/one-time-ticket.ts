/**
 * Invitation and password-reset tickets: the one-time links that let a developer set a password. A ticket is an id and
 * a 256-bit random secret, as API Management's confirmation links carry (`userid`, `ticketid`, `ticket`, presented
 * back as `Authorization: Ticket id="…",ticket="…"`). Only a keyed digest of the secret is stored, bound to the ticket's
 * purpose and user, so an invitation cannot reset a password and a ticket cannot be moved to another user. A ticket
 * works once, until it expires; issuing a new one for the same user and purpose replaces the old.
 */
import { randomUUID } from "node:crypto";
import { digestsEqual, generateSecret, hashSecret } from "../crypto/secrets.js";

export type TicketPurpose = "invitation" | "password-reset";

/**
 * An invitation waits for someone who may not read their mail today, and only creates a password for an account the
 * administrator made; a reset takes over an existing account, so its link is short-lived (OWASP's Forgot Password
 * Cheat Sheet).
 */
export const TICKET_LIFETIME_SECONDS: Readonly<Record<TicketPurpose, number>> = {
  invitation: 7 * 24 * 60 * 60,
  "password-reset": 60 * 60,
};

/** A ticket as issued: the secret is here once, to be put in a link, and never again. */
export interface IssuedTicket {
  readonly id: string;
  readonly secret: string;
  readonly purpose: TicketPurpose;
  readonly userId: string;
  readonly expiresAt: Date;
}

/** A ticket as a caller presents it back. */
export interface PresentedTicket {
  readonly id: string;
  readonly secret: string;
  readonly userId: string;
}

export interface StoredTicket {
  readonly id: string;
  readonly purpose: TicketPurpose;
  readonly userId: string;
  /** base64url HMAC-SHA-256. */
  readonly digest: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export interface TicketRepository {
  /** Stores the ticket and deletes the user's other tickets of its purpose, in one transaction. */
  replace(ticket: StoredTicket): Promise<void>;
  find(id: string): Promise<StoredTicket | undefined>;
  /** Deletes the ticket; true only for the one call that deleted it, so two redeemers cannot both succeed. */
  consume(id: string): Promise<boolean>;
  /** Deletes the user's tickets (of one purpose, or all). */
  deleteForUser(userId: string, purpose?: TicketPurpose): Promise<void>;
}

/** No such ticket, used already, for another purpose or user, or a wrong secret: callers are not told which. */
export class InvalidTicketError extends Error {
  override name = "InvalidTicketError";
  constructor() {
    super("The link is invalid or has already been used.");
  }
}

/** The right ticket, too late; it is deleted, so asking again gives InvalidTicketError. */
export class ExpiredTicketError extends Error {
  override name = "ExpiredTicketError";
  constructor() {
    super("The link has expired. Ask for a new one.");
  }
}

/** Bounds on what a caller presents, so nothing unbounded is hashed or looked up. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
const MAX_USER_ID_LENGTH = 80;

export class OneTimeTickets {
  constructor(
    private readonly repository: TicketRepository,
    /** The key of the secrets' digests (derived from the master key, apart from other peppers). */
    private readonly pepper: Buffer,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A new ticket for the user, replacing any earlier one of the same purpose. */
  async issue(userId: string, purpose: TicketPurpose): Promise<IssuedTicket> {
    const now = this.clock();
    const ticket = {
      id: randomUUID(),
      secret: generateSecret(),
      purpose,
      userId,
      expiresAt: new Date(now + TICKET_LIFETIME_SECONDS[purpose] * 1000),
    };
    await this.repository.replace({
      id: ticket.id,
      purpose,
      userId,
      digest: this.digest(purpose, userId, ticket.secret),
      createdAt: new Date(now),
      expiresAt: ticket.expiresAt,
    });
    return ticket;
  }

  /**
   * The stored ticket when the presented one is valid for this purpose and user and not expired; throws
   * InvalidTicketError or ExpiredTicketError (deleting the expired ticket). Nothing is used up yet: do the work that
   * may fail (hashing the new password) and then `consume`, so a failure leaves the link usable.
   */
  async check(purpose: TicketPurpose, presented: PresentedTicket): Promise<StoredTicket> {
    const { id, secret, userId } = presented;
    if (!UUID.test(id) || !SECRET.test(secret) || userId.length === 0 || userId.length > MAX_USER_ID_LENGTH) {
      throw new InvalidTicketError();
    }
    const stored = await this.repository.find(id);
    const expected = Buffer.from(this.digest(purpose, userId, secret), "base64url");
    // The digest binds purpose and user; comparing the stored columns too guards against a row edited by hand.
    if (
      !stored ||
      stored.purpose !== purpose ||
      stored.userId !== userId ||
      !digestsEqual(Buffer.from(stored.digest, "base64url"), expected)
    ) {
      throw new InvalidTicketError();
    }
    if (stored.expiresAt.getTime() <= this.clock()) {
      await this.repository.consume(id);
      throw new ExpiredTicketError();
    }
    return stored;
  }

  /** Uses up a checked ticket; InvalidTicketError when a concurrent request used it first. */
  async consume(ticket: StoredTicket): Promise<void> {
    if (!(await this.repository.consume(ticket.id))) throw new InvalidTicketError();
  }

  /** Voids the user's outstanding tickets: on deletion, on blocking, or (reset tickets) once the password is set. */
  revoke(userId: string, purpose?: TicketPurpose): Promise<void> {
    return this.repository.deleteForUser(userId, purpose);
  }

  private digest(purpose: TicketPurpose, userId: string, secret: string): string {
    // JSON keeps the parts apart whatever characters a user id holds.
    return hashSecret(this.pepper, JSON.stringify([purpose, userId, secret])).toString("base64url");
  }
}
