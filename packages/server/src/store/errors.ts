/** The store could not be opened, migrated or reached; the message is safe to show (no credentials). */
export class StoreError extends Error {
  override name = "StoreError";
}

/** A write would break a uniqueness rule (duplicate appId, identifier URI, assignment …). */
export class ConflictError extends Error {
  override name = "ConflictError";
}
