/**
 * How large an imported document may be. API Management takes inline documents of up to 4 MB; a link is held to the
 * same size, so that whatever is imported fits in one stored document.
 */
import { DocumentTooLargeError } from "./import-errors.js";

export const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

/** Values of a parsed OpenAPI document (objects, arrays, scalars): far beyond real ones, whose 4 MB hold fewer. */
export const MAX_DOCUMENT_NODES = 1_000_000;

/** How deeply a parsed OpenAPI document may nest: what reads and writes it may recurse this deep. */
export const MAX_DOCUMENT_DEPTH = 256;

export function checkDocumentSize(text: string): void {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_DOCUMENT_BYTES) {
    throw new DocumentTooLargeError(
      `The document is ${bytes} bytes long; an imported document may be at most ${MAX_DOCUMENT_BYTES} bytes (4 MiB).`,
    );
  }
}
