/** A user, with API Management's names (reference apim.md §4.11, §6.2). */
import type { UserState } from "../../../developer/accounts.js";

export type { UserState } from "../../../developer/accounts.js";

export const USER_STATES: readonly UserState[] = ["active", "blocked", "pending", "deleted"];

/** API Management's built-in administrator, which every instance has. */
export const ADMINISTRATOR_USER = "1";

/** How the user signs in: Gatehouse knows email and password (`Basic`, its id the email). */
export interface UserIdentity {
  provider: string;
  id: string;
}

/** A user's own fields, as stored. */
export interface UserFields {
  name: string;
  email: string;
  firstName: string;
  lastName: string;
  state: UserState;
  note: string | null;
  registrationDate: string;
  identities: UserIdentity[];
}

export interface User extends UserFields {
  /** The groups the user is in (read-only): explicit memberships and the built-in groups' implicit ones. */
  groups: string[];
}

export interface UserInput {
  email: string;
  firstName: string;
  lastName: string;
  /** Default "active". */
  state?: UserState;
  note?: string | null;
  /** Only `[{ provider: "Basic", id: <email> }]`, which every user has; other providers are refused. */
  identities?: UserIdentity[];
  /**
   * A PHC scrypt string (security/password-hash.ts): a password is hashed before the write, so no transaction waits
   * on the KDF. Absent: the stored one is kept (none for a new user).
   */
  passwordHash?: string;
}
