import { writeFile } from "node:fs/promises";
import { extname } from "node:path";
import { Option, type Command } from "commander";
import { importedApiInput } from "../../gateway/model/apis/validation.js";
import {
  importApiDocument,
  importApiDocumentFile,
  ImportOptionError,
  LINK_FORMATS,
  type ImportedApi,
  type WsdlSelector,
} from "../../gateway/model/apis/import/index.js";
import { dataOption, databaseOption, type StoreFlags } from "../options.js";
import { withCore } from "./store-commands.js";

interface ImportFlags extends StoreFlags {
  path: string;
  apiId?: string;
  format?: string;
  displayName?: string;
  serviceUrl?: string;
  wsdlService?: string;
  wsdlEndpoint?: string;
  translateRequiredQueryParameters?: "template" | "query";
}

const LINK_BY_EXTENSION: Readonly<Record<string, string>> = {
  ".yaml": "openapi-link",
  ".yml": "openapi-link",
  ".json": "openapi+json-link",
  ".wsdl": "wsdl-link",
  ".xml": "wsdl-link",
};

const isLink = (source: string) => /^https?:\/\//i.test(source);

/** The document a file or an http(s) URL holds, read as `PUT …/apis/{id}` with `format` and `value` reads it. */
function readDocument(source: string, flags: ImportFlags): Promise<ImportedApi> {
  const wsdlSelector: WsdlSelector | undefined =
    flags.wsdlService === undefined && flags.wsdlEndpoint === undefined
      ? undefined
      : {
          ...(flags.wsdlService !== undefined ? { wsdlServiceName: flags.wsdlService } : {}),
          ...(flags.wsdlEndpoint !== undefined ? { wsdlEndpointName: flags.wsdlEndpoint } : {}),
        };
  const options = { wsdlSelector, translateRequiredQueryParameters: flags.translateRequiredQueryParameters };
  if (!isLink(source)) return importApiDocumentFile(source, { ...options, format: flags.format });
  const format = flags.format ?? LINK_BY_EXTENSION[extname(new URL(source).pathname).toLowerCase()] ?? "openapi-link";
  if (!Object.hasOwn(LINK_FORMATS, format.toLowerCase())) {
    throw new ImportOptionError(
      "format",
      `--format ${format} is not a link format (${Object.keys(LINK_FORMATS).join(", ")}), which a URL needs.`,
    );
  }
  return importApiDocument({ ...options, format, value: source });
}

/** An API id from the URL suffix (`shop/orders` → `shop-orders`), when none is given. */
function apiIdOf(flags: ImportFlags): string {
  if (flags.apiId !== undefined) return flags.apiId;
  const id = flags.path.replace(/^\/+|\/+$/g, "").replaceAll("/", "-");
  if (id === "") {
    throw new ImportOptionError("apiId", "--api-id is required for an API at the gateway's root (an empty --path).");
  }
  return id;
}

/** `gatehouse api import|export`: API import and export on the store, as the admin API's PUT and GET do them. */
export function registerApiCommands(program: Command): void {
  const api = program.command("api").description("import and export APIs (OpenAPI 3, Swagger 2.0, WSDL 1.1)");

  api
    .command("import")
    .description(
      "create or replace an API from a document (a file, or an http(s) URL to download): its operations replace the API's",
    )
    .argument("<file>", "the document, or its URL")
    .requiredOption("--path <suffix>", "the API's URL suffix below the gateway")
    .option("--api-id <id>", "the API's id (default: the path, with '/' as '-')")
    .option(
      "--format <format>",
      "openapi, openapi+json, swagger-json or wsdl (for a URL their -link forms); default: told by the extension",
    )
    .option("--display-name <name>", "default: the document's title")
    .option("--service-url <url>", "the backend; default: the document's first server or SOAP address")
    .option("--wsdl-service <name>", "the WSDL service to import, when it has several")
    .option("--wsdl-endpoint <name>", "the WSDL endpoint (port) to import, when the service has several")
    .addOption(
      new Option(
        "--translate-required-query-parameters <how>",
        "required query parameters become template parameters, or stay query parameters",
      ).choices(["template", "query"]),
    )
    .addOption(dataOption())
    .addOption(databaseOption())
    .action(async (source: string, flags: ImportFlags) => {
      const name = apiIdOf(flags);
      // Downloaded and read before the store is opened: no transaction waits on the network.
      const imported = await readDocument(source, flags);
      await withCore(flags, async (core) => {
        const input = importedApiInput(
          {
            path: flags.path,
            ...(flags.displayName !== undefined ? { displayName: flags.displayName } : {}),
            ...(flags.serviceUrl !== undefined ? { serviceUrl: flags.serviceUrl } : {}),
          },
          imported,
        );
        const { api: stored, created } = await core.gateway.apis.import(name, input, imported);
        process.stdout.write(
          `${created ? "Created" : "Replaced"} api ${stored.name} (${stored.displayName}) at /${stored.path}: ` +
            `${imported.operations.length} operations${stored.serviceUrl ? `, backend ${stored.serviceUrl}` : ""}.\n`,
        );
      });
    });

  api
    .command("export")
    .description("write an API as a document")
    .argument("<api-id>", "the API's id")
    .option("--format <format>", "openapi (YAML), openapi+json, swagger-json or wsdl", "openapi")
    .option("-o, --output <file>", "write to a file instead of standard output")
    .addOption(dataOption())
    .addOption(databaseOption())
    .action(async (name: string, flags: StoreFlags & { format: string; output?: string }) => {
      await withCore(flags, async (core) => {
        const { text } = await core.gateway.apis.exportDocument(name, flags.format);
        if (flags.output) await writeFile(flags.output, text);
        else process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
      });
    });
}
