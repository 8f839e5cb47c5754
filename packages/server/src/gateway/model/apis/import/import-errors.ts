/**
 * Why an import or export was refused. Each is a GatewayValidationError naming the request property at fault
 * (`format`, `value`, `wsdlSelector`, …), so the ARM layer answers API Management's 400 `ValidationError` for it.
 */
import { GatewayValidationError } from "../../errors.js";

export abstract class ApiImportError extends GatewayValidationError {
  constructor(
    /** The request property at fault. */
    readonly target: string,
    message: string,
  ) {
    super(message, [{ target, message }]);
  }
}

/** A format Gatehouse does not read or write (`wadl-xml`, `graphql-link` …). */
export class UnsupportedFormatError extends ApiImportError {
  override name = "UnsupportedFormatError";
  constructor(message: string) {
    super("format", message);
  }
}

/** The API cannot be written in the format asked for: `wsdl` of an API not imported from one, a `*` method … */
export class ExportError extends ApiImportError {
  override name = "ExportError";
  constructor(message: string) {
    super("format", message);
  }
}

/** An import option with a value it cannot have, or given with a format it does not apply to. */
export class ImportOptionError extends ApiImportError {
  override name = "ImportOptionError";
}

/** The document cannot be read: not JSON/YAML/XML, not OpenAPI/WSDL, or inconsistent ("Parsing error(s): …"). */
export class DocumentParseError extends ApiImportError {
  override name = "DocumentParseError";
  constructor(reason: string) {
    super("value", `Parsing error(s): ${reason}`);
  }
}

/** The document is larger or more deeply nested than an import may be. */
export class DocumentTooLargeError extends ApiImportError {
  override name = "DocumentTooLargeError";
  constructor(message: string) {
    super("value", message);
  }
}

/** A construct API Management does not import either: external `$ref`s, `wsdl:import`, `xsd:include`, RPC style … */
export class UnsupportedConstructError extends ApiImportError {
  override name = "UnsupportedConstructError";
  constructor(message: string) {
    super("value", message);
  }
}

/** The WSDL has several services or endpoints and `wsdlSelector` does not pick one of them. */
export class WsdlSelectorError extends ApiImportError {
  override name = "WsdlSelectorError";
  constructor(message: string) {
    super("wsdlSelector", message);
  }
}

/** The file a configuration's `specification` or the CLI names cannot be read as text. */
export class DocumentFileError extends ApiImportError {
  override name = "DocumentFileError";
  constructor(message: string) {
    super("specification", message);
  }
}

export type LinkFailure = "url" | "status" | "redirects" | "size" | "timeout" | "network" | "encoding";

/** A `*-link` document could not be downloaded. Messages show the URL without its query, which may hold a SAS token. */
export class LinkFetchError extends ApiImportError {
  override name = "LinkFetchError";
  constructor(
    readonly failure: LinkFailure,
    message: string,
  ) {
    super("value", message);
  }
}

/** Document text in a message, cut short: messages stay small whatever the document holds. */
export const cut = (text: string): string => (text.length > 120 ? `${text.slice(0, 117)}...` : text);

export const quoted = (text: string): string => `'${cut(text)}'`;
