/**
 * OpenAPI and Swagger text as a tree of plain values: JSON through JSON.parse, YAML through the project's YAML reader
 * (duplicate keys refused in linear time; yaml's alias limit stops alias-expansion bombs). The size is checked first.
 */
import { parseYamlDocument } from "../../../../util/yaml-document.js";
import { checkDocumentSize } from "./document-limits.js";
import { DocumentParseError, DocumentTooLargeError } from "./import-errors.js";

export type DocumentSyntax = "json" | "yaml";

export function readDocumentTree(text: string, syntax: DocumentSyntax): unknown {
  checkDocumentSize(text);
  if (text.trim() === "") throw new DocumentParseError("The document is empty.");
  // YAML is a superset of JSON: a JSON document given as `openapi` takes the fast path, and its errors keep YAML's
  // line and column.
  if (syntax === "json" || /^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      if (syntax === "json")
        throw new DocumentParseError(`The document is not valid JSON: ${(error as Error).message}.`);
    }
  }
  return readYaml(text);
}

function readYaml(text: string): unknown {
  try {
    const document = parseYamlDocument(text);
    const [first] = document.errors;
    if (first) throw new DocumentParseError(`The document is not valid YAML: ${first.message.split("\n")[0]}`);
    return document.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (error) {
    if (error instanceof DocumentParseError) throw error;
    // yaml throws ReferenceError for an alias bomb; a document nested past the stack ends in RangeError.
    if (error instanceof ReferenceError) throw new DocumentTooLargeError(`Parsing error(s): ${error.message}.`);
    if (error instanceof RangeError)
      throw new DocumentTooLargeError("Parsing error(s): The document nests too deeply.");
    throw error;
  }
}
