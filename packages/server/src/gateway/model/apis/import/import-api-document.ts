/**
 * API import as `PUT …/apis/{id}` takes it (reference apim.md §4.9, §6.2): `format` and `value`, with
 * `wsdlSelector`, `translateRequiredQueryParameters` and `apiType`. A link is downloaded first; a format Gatehouse
 * does not read (`wadl-xml`, `graphql-link` …) is refused by name, never imported as nothing.
 */
import { DocumentRefs } from "./document-refs.js";
import { readDocumentTree } from "./document-tree.js";
import { DocumentParseError, ImportOptionError, UnsupportedFormatError } from "./import-errors.js";
import {
  DOCUMENT_FORMATS,
  LINK_FORMATS,
  type DocumentFormat,
  type ImportedApi,
  type ImportFormat,
  type ReadApi,
  type RequiredQueryTranslation,
} from "./imported-api.js";
import { isObject } from "./json-value.js";
import { fetchDocument, type LinkFetchOptions } from "./link-fetcher.js";
import { readOpenApi3 } from "./openapi3-reader.js";
import { readSwagger2 } from "./swagger2-reader.js";
import { readWsdl, type WsdlSelector } from "./wsdl-reader.js";

export interface ImportApiRequest {
  format: string;
  /** The document, or its URL for a `*-link` format. */
  value: string;
  wsdlSelector?: WsdlSelector | null;
  translateRequiredQueryParameters?: RequiredQueryTranslation | null;
  /** `soap` (SOAP pass-through) is the only kind of API a WSDL makes, and the default for one. */
  apiType?: "http" | "soap" | null;
}

export interface ReadOptions {
  translation: RequiredQueryTranslation;
  wsdlSelector: WsdlSelector | undefined;
  /** Where the document was downloaded from, for a link. */
  sourceUrl: string | undefined;
}

const OPENAPI_VERSION = /^3\.[01]\.\d+$/;

export async function importApiDocument(request: ImportApiRequest, link: LinkFetchOptions = {}): Promise<ImportedApi> {
  const format = importFormat(request.format);
  const wsdl = format === "wsdl" || format === "wsdl-link";
  if (request.wsdlSelector && !wsdl) {
    throw new ImportOptionError("wsdlSelector", "wsdlSelector applies only to the formats wsdl and wsdl-link.");
  }
  if (wsdl && request.apiType === "http") {
    throw new ImportOptionError(
      "apiType",
      "SOAP to REST (apiType 'http' with a WSDL document) is not supported: a WSDL document is imported as a SOAP " +
        "pass-through API (apiType 'soap').",
    );
  }
  if (!wsdl && request.apiType === "soap") {
    throw new ImportOptionError("apiType", "apiType 'soap' needs a WSDL document (format wsdl or wsdl-link).");
  }
  const translation = request.translateRequiredQueryParameters ?? "template";
  if (translation !== "template" && translation !== "query") {
    throw new ImportOptionError(
      "translateRequiredQueryParameters",
      "translateRequiredQueryParameters must be 'template' or 'query'.",
    );
  }
  const options = { translation, wsdlSelector: request.wsdlSelector ?? undefined, sourceUrl: undefined };
  if (!Object.hasOwn(LINK_FORMATS, format)) return readApiDocument(format as DocumentFormat, request.value, options);
  const fetched = await fetchDocument(request.value, link);
  return readApiDocument(LINK_FORMATS[format as keyof typeof LINK_FORMATS], fetched.text, {
    ...options,
    sourceUrl: fetched.url,
  });
}

/** Reads a document given as text (inline, downloaded, or a file named by configuration). */
export function readApiDocument(format: DocumentFormat, text: string, options: ReadOptions): ImportedApi {
  const read =
    format === "wsdl"
      ? readWsdl(text, options.wsdlSelector, options.sourceUrl)
      : readOpenApiFamily(format, text, options);
  return { ...read, document: { format, text } };
}

/** `openapi`, `openapi+json` and `swagger-json` each take OpenAPI 3.0/3.1 and Swagger 2.0, told apart by content. */
function readOpenApiFamily(format: DocumentFormat, text: string, options: ReadOptions): ReadApi {
  const root = readDocumentTree(text, format === "openapi" ? "yaml" : "json");
  if (!isObject(root))
    throw new DocumentParseError("The document is not an OpenAPI or Swagger document: not an object.");
  const refs = new DocumentRefs(root);
  if (root.openapi !== undefined) {
    if (typeof root.openapi !== "string" || !OPENAPI_VERSION.test(root.openapi)) {
      throw new DocumentParseError(
        `The OpenAPI version ${JSON.stringify(root.openapi).slice(0, 40)} is not supported: API Management imports ` +
          "OpenAPI 2.0 (Swagger), 3.0.x and 3.1.x documents.",
      );
    }
    return readOpenApi3(root, refs, options);
  }
  if (root.swagger !== undefined) {
    if (root.swagger !== "2.0") {
      throw new DocumentParseError(`The Swagger version ${JSON.stringify(root.swagger).slice(0, 40)} is not 2.0.`);
    }
    return readSwagger2(root, refs, options);
  }
  throw new DocumentParseError(
    "The document is neither OpenAPI 3 (an 'openapi' field) nor Swagger 2.0 (a 'swagger' field).",
  );
}

function importFormat(given: string): ImportFormat {
  const format = given.toLowerCase();
  if ((DOCUMENT_FORMATS as readonly string[]).includes(format) || Object.hasOwn(LINK_FORMATS, format)) {
    return format as ImportFormat;
  }
  throw new UnsupportedFormatError(
    `The format '${given.slice(0, 60)}' is not supported: Gatehouse imports ${[...DOCUMENT_FORMATS, ...Object.keys(LINK_FORMATS)].join(", ")}.`,
  );
}
