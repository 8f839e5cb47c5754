export type RegistryErrorKind = "not_found" | "invalid" | "conflict";

/** A registry operation refused; the message names the field or object, never a secret value. */
export class RegistryError extends Error {
  override name = "RegistryError";
  constructor(
    readonly kind: RegistryErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) => new RegistryError("not_found", `${what} '${id}' does not exist.`);
export const invalid = (message: string) => new RegistryError("invalid", message);
export const conflict = (message: string) => new RegistryError("conflict", message);
