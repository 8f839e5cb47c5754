import type { TicketPurpose } from "../security/one-time-ticket.js";

/**
 * The tables of migration 005-developer: developer sessions and one-time tickets. Neither is configuration: they are
 * written outside the revisioned store, as used client assertions are, and never exported. Timestamps are ISO-8601
 * text, as everywhere in the store.
 */

/** One bearer token of a developer session: a session renewed holds several, each expiring on its own. */
export interface DeveloperSessionTable {
  /** base64url HMAC-SHA-256 of the whole token with the server's pepper; the token itself is never stored. */
  token_digest: string;
  /** Shared by a sign-in and its renewals, so signing out revokes them all. */
  session_id: string;
  user_id: string;
  /** When the developer signed in: renewals never take the session past this plus its maximum age. */
  signed_in_at: string;
  expires_at: string;
  /** 1 once the token has been renewed: a client that keeps using it gets no second renewal. */
  renewed: number;
}

/** An invitation or password-reset ticket, single use. */
export interface OneTimeTicketTable {
  id: string;
  purpose: TicketPurpose;
  user_id: string;
  /** base64url HMAC-SHA-256 of the purpose, user and secret with the server's pepper; the secret is never stored. */
  digest: string;
  created_at: string;
  expires_at: string;
}

export interface DeveloperTables {
  developer_sessions: DeveloperSessionTable;
  one_time_tickets: OneTimeTicketTable;
}
