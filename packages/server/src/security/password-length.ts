/**
 * The passwords developer users may choose. Only length is ruled (NIST SP 800-63B §3.1.1.2: no composition rules);
 * the upper bound keeps the KDF's input, and the work before it, bounded.
 */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

/** A password the rules refuse; the message names the rule, never the password. */
export class PasswordRuleError extends Error {
  override name = "PasswordRuleError";
  /** The property at fault, as API Management's validation errors name it. */
  readonly target = "password";
}

/**
 * A password being set, as it is hashed: Unicode NFC, so the same characters typed on different systems give the same
 * hash. Throws PasswordRuleError when its length (in characters, after normalisation) is outside the bounds.
 */
export function newPassword(password: string): string {
  const normalized = normalize(password);
  if (!normalized || normalized.length < MIN_PASSWORD_LENGTH) {
    throw new PasswordRuleError(
      `Password must be between ${MIN_PASSWORD_LENGTH} and ${MAX_PASSWORD_LENGTH} characters long.`,
    );
  }
  return normalized.text;
}

/**
 * A password presented at sign-in, normalised as newPassword does; undefined when it is longer than any password can
 * be. The minimum is not checked: a password set under an older, shorter rule must still be accepted.
 */
export function presentedPassword(password: string): string | undefined {
  return normalize(password)?.text;
}

/** NFC text and its length in code points (an emoji counts once); undefined when over the maximum. */
function normalize(password: string): { text: string; length: number } | undefined {
  // Four UTF-16 units per character is more than NFC ever makes: a longer input cannot pass, so it is not normalised.
  if (password.length > MAX_PASSWORD_LENGTH * 4) return undefined;
  const text = password.normalize("NFC");
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    length++;
  }
  return length > MAX_PASSWORD_LENGTH ? undefined : { text, length };
}
