import { aadsts } from "../errors.js";

/**
 * The longest a client assertion may be valid, from its `nbf` (or `iat`) and from now. Entra's guidance is minutes
 * (MSAL and @azure/identity send exp = now + 10 min); an hour leaves room for any client while bounding how long a
 * stolen assertion is worth anything and how long its `jti` must be remembered.
 */
export const MAX_ASSERTION_LIFETIME_SECONDS = 3600;

/** The time claims of an assertion, as found: a NumericDate or absent. */
export interface AssertionTimes {
  exp: number | undefined;
  nbf: number | undefined;
  iat: number | undefined;
}

/** `exp`, `nbf` and `iat` of a payload; a time claim that is not a finite number makes the assertion malformed. */
export function assertionTimes(claims: Record<string, unknown>): AssertionTimes {
  const read = (name: "exp" | "nbf" | "iat") => {
    const value = claims[name];
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value)) throw aadsts.malformedAssertion();
    return value;
  };
  return { exp: read("exp"), nbf: read("nbf"), iat: read("iat") };
}

/**
 * Checks that `now` (seconds) is inside the assertion's window (`exp` required, `nbf` and `iat` when present) with
 * `skewSeconds` of tolerance; returns `exp`. An external issuer's token (a federated credential) is checked by this
 * alone: its lifetime is the issuer's choice, and it is meant to be presented more than once.
 */
export function checkValidityWindow(times: AssertionTimes, now: number, skewSeconds: number): number {
  const { exp, nbf, iat } = times;
  if (
    exp === undefined ||
    exp + skewSeconds <= now ||
    (nbf !== undefined && nbf - skewSeconds > now) ||
    (iat !== undefined && iat - skewSeconds > now)
  ) {
    throw aadsts.assertionTimeRange(now, nbf, exp);
  }
  return exp;
}

/**
 * Checks that `now` (seconds) is inside the assertion's window with `skewSeconds` of tolerance, and that the window
 * is no longer than MAX_ASSERTION_LIFETIME_SECONDS. Returns the second until which the assertion is accepted.
 */
export function checkAssertionTime(times: AssertionTimes, now: number, skewSeconds: number): number {
  const exp = checkValidityWindow(times, now, skewSeconds);
  const { nbf, iat } = times;
  const start = nbf ?? iat;
  if (
    exp - now > MAX_ASSERTION_LIFETIME_SECONDS + skewSeconds ||
    (start !== undefined && exp - start > MAX_ASSERTION_LIFETIME_SECONDS)
  ) {
    throw aadsts.assertionTimeRange(
      now,
      nbf,
      exp,
      `A client assertion may be valid for at most ${MAX_ASSERTION_LIFETIME_SECONDS / 60} minutes.`,
    );
  }
  return exp + skewSeconds;
}
