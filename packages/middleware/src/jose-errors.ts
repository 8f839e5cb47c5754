import { errors } from "jose";
import { AuthError } from "./auth-error.js";

const invalid = (description: string, cause: unknown) => new AuthError("invalid_token", description, { cause });

/** jose's verification error as the short reason the caller gets; jose's own wording stays in `cause`. */
export function fromJoseError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof errors.JWTExpired) return invalid("The token is expired.", error);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return invalid("The token is not valid yet.", error);
    if (error.claim === "aud") return invalid("The audience is invalid.", error);
    if (error.claim === "exp" && error.reason === "missing") return invalid("The token has no expiration time.", error);
    return invalid(`The ${error.claim} claim is invalid.`, error);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid("The signature is invalid.", error);
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return invalid("The signing key was not found.", error);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return invalid("The signing algorithm is not allowed.", error);
  }
  return invalid("The token is malformed.", error);
}
