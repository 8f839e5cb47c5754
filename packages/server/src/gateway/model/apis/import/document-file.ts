/**
 * An API document in a file (configuration's `specification:`, `gatehouse api import FILE`): its format given or
 * told by the file's extension, at most MAX_DOCUMENT_BYTES read, UTF-8, then imported as the inline formats are.
 */
import { open } from "node:fs/promises";
import { extname } from "node:path";
import { MAX_DOCUMENT_BYTES } from "./document-limits.js";
import { importApiDocument, type ImportApiRequest } from "./import-api-document.js";
import { DocumentFileError, DocumentTooLargeError, UnsupportedFormatError } from "./import-errors.js";
import { DOCUMENT_FORMATS, type DocumentFormat, type ImportedApi } from "./imported-api.js";

const BY_EXTENSION: Readonly<Record<string, DocumentFormat>> = {
  ".yaml": "openapi",
  ".yml": "openapi",
  ".json": "openapi+json",
  ".wsdl": "wsdl",
  ".xml": "wsdl",
};

/** The format a file's extension tells: `.yaml`/`.yml` OpenAPI YAML, `.json` OpenAPI or Swagger JSON, `.wsdl`/`.xml`. */
function formatOfFile(path: string): DocumentFormat {
  const format = BY_EXTENSION[extname(path).toLowerCase()];
  if (format === undefined) {
    throw new UnsupportedFormatError(
      `The format of '${path}' cannot be told from its extension (.yaml, .yml, .json, .wsdl, .xml): name it (${DOCUMENT_FORMATS.join(", ")}).`,
    );
  }
  return format;
}

type FileImportRequest = Omit<ImportApiRequest, "format" | "value"> & { format?: string | undefined };

export async function importApiDocumentFile(path: string, request: FileImportRequest = {}): Promise<ImportedApi> {
  const format = request.format ?? formatOfFile(path);
  if (!(DOCUMENT_FORMATS as readonly string[]).includes(format.toLowerCase())) {
    throw new UnsupportedFormatError(
      `The format '${format.slice(0, 60)}' is not a format of a document in a file: use ${DOCUMENT_FORMATS.join(", ")}.`,
    );
  }
  return importApiDocument({ ...request, format, value: await readText(path) });
}

/** The file's text; one larger than an import takes is refused before it is read. */
async function readText(path: string): Promise<string> {
  let file;
  try {
    file = await open(path, "r");
  } catch (error) {
    throw new DocumentFileError(`Cannot read '${path}' (${(error as NodeJS.ErrnoException).code ?? "error"}).`);
  }
  try {
    const { size } = await file.stat();
    if (size > MAX_DOCUMENT_BYTES) {
      throw new DocumentTooLargeError(
        `'${path}' is ${size} bytes long; an imported document may be at most ${MAX_DOCUMENT_BYTES} bytes (4 MiB).`,
      );
    }
    const bytes = Buffer.alloc(size);
    const { bytesRead } = await file.read(bytes, 0, size, 0);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, bytesRead));
    } catch {
      throw new DocumentFileError(`'${path}' is not UTF-8 text.`);
    }
  } finally {
    await file.close();
  }
}
