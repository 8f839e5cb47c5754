/**
 * Refusals of developer sign-in and sessions. Messages are shown to the caller: they never quote a password or a
 * token, and a wrong email reads the same as a wrong password.
 */

/** Unknown email, no password set, or a wrong password: the developer portal's own words for a 401 from /identity. */
export class InvalidCredentialsError extends Error {
  override name = "InvalidCredentialsError";
  constructor() {
    super("Please provide a valid email and password.");
  }
}

/** Too many failed sign-ins from the caller's address; refused before the password is looked at. */
export class SignInThrottledError extends Error {
  override name = "SignInThrottledError";
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed sign-in attempts from this address. Retry after ${retryAfterSeconds} seconds.`);
  }
}

/** The user is blocked: told only to someone who gave the right password or holds a session. */
export class AccountBlockedError extends Error {
  override name = "AccountBlockedError";
  constructor() {
    super("The account is blocked. Contact the administrator.");
  }
}

/** The user has not yet accepted the invitation or confirmed the sign-up. */
export class AccountPendingError extends Error {
  override name = "AccountPendingError";
  constructor() {
    super("The account is not yet active. Follow the link of the invitation or confirmation first.");
  }
}

/** A session token that is malformed, unknown, expired, signed out, or of a user who can no longer sign in. */
export class InvalidSessionError extends Error {
  override name = "InvalidSessionError";
  constructor() {
    super("The access token is invalid or has expired. Sign in again.");
  }
}

/** An expiry a token cannot have: not in the future, or beyond a session's maximum age. */
export class TokenExpiryError extends Error {
  override name = "TokenExpiryError";
  /** The property at fault, as API Management's validation errors name it. */
  readonly target = "expiry";
}

/** No account is in a state the operation applies to (a deleted or unknown user). */
export class AccountNotFoundError extends Error {
  override name = "AccountNotFoundError";
  constructor() {
    super("User not found.");
  }
}
