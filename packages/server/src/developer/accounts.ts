/**
 * What sign-in and password setup need of the users entity (reference apim.md §4.11), which implements it: the users
 * live with the gateway's configuration, these modules only read them and store password hashes.
 */

/** API Management's user states: only `active` users sign in; `blocked` users can do nothing. */
export type UserState = "active" | "blocked" | "pending" | "deleted";

export interface DeveloperAccount {
  readonly id: string;
  readonly email: string;
  readonly state: UserState;
  /** The PHC scrypt string (security/password-hash.ts); undefined until a password is set (an invited user). */
  readonly passwordHash: string | undefined;
}

export interface DeveloperAccounts {
  /** The user with this email, compared without regard to case as API Management does. */
  findByEmail(email: string): Promise<DeveloperAccount | undefined>;
  findById(id: string): Promise<DeveloperAccount | undefined>;
  /**
   * Stores a new password hash. `activate` also makes a `pending` user `active` (an accepted invitation); a user in
   * another state keeps it.
   */
  setPasswordHash(id: string, passwordHash: string, options: { activate: boolean }): Promise<void>;
}
