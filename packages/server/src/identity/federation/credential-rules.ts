import { isHttpsOrLoopback } from "../../util/loopback.js";
import type { FederatedIdentityCredential } from "../model.js";
import { conflict, invalid } from "../registry-errors.js";

/** The audience Entra expects external tokens to name, and the default of a new credential. */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
/** Graph's limit per application (and per user-assigned identity). */
export const MAX_FEDERATED_CREDENTIALS = 20;
/** Graph's limit on issuer, subject, each audience and description. */
const MAX_TEXT = 600;
/** 3–120 characters, letters, digits, '-' and '_', starting with a letter or digit: URL friendly, as Graph asks. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/;

export interface FederatedCredentialFields {
  issuer: string;
  subject: string;
  audiences?: string[];
  description?: string | null;
}

export interface FederatedCredentialInput extends FederatedCredentialFields {
  name: string;
}

export function checkName(name: string): string {
  if (!NAME.test(name)) {
    throw invalid(
      `name '${name.slice(0, 130)}' must be 3 to 120 characters of letters, digits, '-' and '_', starting with a letter or digit.`,
    );
  }
  return name;
}

function text(value: string, field: string): string {
  if (value.trim() === "") throw invalid(`${field} is required.`);
  if (value.length > MAX_TEXT) throw invalid(`${field} must be at most ${MAX_TEXT} characters.`);
  return value;
}

/**
 * The issuer is fetched from (its discovery document and keys), so it must be an https URL (http only on loopback)
 * without credentials, query or fragment.
 */
function issuerUrl(value: string): string {
  text(value, "issuer");
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !isHttpsOrLoopback(url) || url.username || url.password || url.search || url.hash) {
    throw invalid(`issuer '${value}' must be an https URL (http only for loopback hosts) without query or fragment.`);
  }
  return value;
}

/** Issuer, subject, audiences and description as Graph checks them; values are kept as given (matching is exact). */
export function federatedFields(input: FederatedCredentialFields): Omit<FederatedIdentityCredential, "id" | "name"> {
  const audiences = input.audiences ?? [TOKEN_EXCHANGE_AUDIENCE];
  if (audiences.length !== 1) throw invalid("audiences must contain exactly one value.");
  const description = input.description ?? null;
  if (description !== null && description.length > MAX_TEXT) {
    throw invalid(`description must be at most ${MAX_TEXT} characters.`);
  }
  return {
    issuer: issuerUrl(input.issuer),
    subject: text(input.subject, "subject"),
    audiences: audiences.map((a) => text(a, "audiences")),
    description,
  };
}

/**
 * Graph's rules across an owner's credentials: at most MAX_FEDERATED_CREDENTIALS, names unique regardless of case,
 * and each issuer + subject pair once. `candidate` replaces the credential with its id when that is among `existing`.
 */
export function checkAmong(existing: readonly FederatedIdentityCredential[], candidate: FederatedIdentityCredential) {
  const others = existing.filter((c) => c.id !== candidate.id);
  if (others.length === existing.length && existing.length >= MAX_FEDERATED_CREDENTIALS) {
    throw invalid(`An application can have at most ${MAX_FEDERATED_CREDENTIALS} federated identity credentials.`);
  }
  if (others.some((c) => c.name.toLowerCase() === candidate.name.toLowerCase())) {
    throw conflict(`A federated identity credential named '${candidate.name}' already exists.`);
  }
  if (others.some((c) => c.issuer === candidate.issuer && c.subject === candidate.subject)) {
    throw conflict("A federated identity credential with the same issuer and subject already exists.");
  }
}
