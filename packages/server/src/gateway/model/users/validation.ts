import { parsePasswordHash, PasswordHashFormatError } from "../../../security/password-hash.js";
import { checkName, invalid, oneOf, optionalText, text } from "../checks.js";
import { USER_STATES, type UserFields, type UserIdentity, type UserInput } from "./types.js";

/** RFC 5321's limit on a forward path. */
const MAX_EMAIL_LENGTH = 254;
/** Whitespace, controls and the characters that delimit an address in a header: never part of one here. */
// eslint-disable-next-line no-control-regex
const NOT_IN_ADDRESS = /[\s\u0000-\u001f\u007f"(),:;<>[\\\]]/;

/** The identities every user has: email and password. */
export const basicIdentity = (email: string): UserIdentity[] => [{ provider: "Basic", id: email }];

/**
 * An address of the form local@domain.tld, checked by position rather than by one pattern, so the check is linear
 * whatever the input. Internationalised addresses pass: only what cannot be in any address is refused.
 */
function email(value: string): string {
  const at = value.lastIndexOf("@");
  const domain = value.slice(at + 1);
  const dot = domain.lastIndexOf(".");
  if (
    value.length > MAX_EMAIL_LENGTH ||
    at < 1 ||
    NOT_IN_ADDRESS.test(value) ||
    value.indexOf("@") !== at ||
    dot < 1 ||
    dot === domain.length - 1
  ) {
    throw invalid("email", `'${value.slice(0, MAX_EMAIL_LENGTH)}' is not a valid email address.`);
  }
  return value;
}

function identities(value: UserIdentity[] | undefined, address: string): UserIdentity[] {
  for (const identity of value ?? []) {
    if (identity.provider !== "Basic") {
      throw invalid(
        "identities",
        `provider '${identity.provider}' is not supported: Gatehouse users sign in with Basic.`,
      );
    }
    if (identity.id.toLowerCase() !== address.toLowerCase()) {
      throw invalid("identities", "the Basic identity's id must be the user's email.");
    }
  }
  return basicIdentity(address);
}

/** The user without its password hash (checked by `checkPasswordHash`); the caller keeps registrationDate. */
export function userFrom(name: string, input: UserInput, registrationDate: string): UserFields {
  checkName("User", name);
  const address = email(text("email", input.email, MAX_EMAIL_LENGTH).trim());
  const note = optionalText(input.note);
  if (note !== null && note.length > 1000) throw invalid("note", "must be at most 1000 characters long.");
  return {
    name,
    email: address,
    firstName: text("firstName", input.firstName, 100),
    lastName: text("lastName", input.lastName, 100),
    state: oneOf("state", input.state ?? "active", USER_STATES),
    note,
    registrationDate,
    identities: identities(input.identities, address),
  };
}

/** A hash the hasher can verify: never a password given where a hash belongs. */
export function checkPasswordHash(hash: string): string {
  try {
    parsePasswordHash(hash);
  } catch (error) {
    if (error instanceof PasswordHashFormatError) throw invalid("password", "could not be stored.");
    throw error;
  }
  return hash;
}

export const userInputOf = ({ name: _name, registrationDate: _date, ...input }: UserFields): UserInput => input;
