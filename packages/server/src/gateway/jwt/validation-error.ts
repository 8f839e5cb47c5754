/** LastError.Reason values of validate-jwt (apim.md §1.4). */
export type JwtFailureReason =
  | "TokenNotPresent"
  | "TokenSignatureInvalid"
  | "TokenAudienceNotAllowed"
  | "TokenIssuerNotAllowed"
  | "TokenExpired"
  | "TokenSignatureKeyNotFound"
  | "TokenClaimNotFound"
  | "TokenClaimValueNotAllowed"
  | "JwtInvalid";

/** A token refused by a check; the policy turns it into a PolicyFailure with its own status and client message. */
export class JwtValidationError extends Error {
  override name = "JwtValidationError";
  constructor(
    readonly reason: JwtFailureReason,
    /** The detailed, IDX-style message for LastError.Message; never the token itself. */
    message: string,
  ) {
    super(message);
  }
}

/** Token-supplied text quoted in a message, cut short so a crafted header cannot flood logs. */
export function quote(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
