import type { Operation, OperationInput } from "../operations/types.js";
import { operationsOf } from "../operations/validation.js";
import type { PolicyScope } from "../configuration.js";
import { GatewayConflictError, GatewayNotFoundError } from "../errors.js";
import { EntityObject } from "../entity-object.js";
import type { GatewayTransaction } from "../transaction.js";
import { defined } from "../checks.js";
import { GatewayApiDocumentRepository, type ApiDocumentDigest } from "./document-repository.js";
import {
  DOCUMENT_CONTENT_TYPES,
  exportApiDocument,
  exportFormat,
  type ExportedDocument,
  type ImportedApi,
  type StoredDocument,
} from "./import/index.js";
import { GatewayApiRepository } from "./repository.js";
import type { Api, ApiInput } from "./types.js";
import { apiFrom, apiInputOf } from "./validation.js";

const pathTaken = (api: Api, holder: string) =>
  new GatewayConflictError(`The path '${api.path}' of api '${api.name}' is already used by api '${holder}'.`);

/** A new API with its operations and policy documents, for `createMany`; with the document it was imported from. */
export interface NewApi {
  name: string;
  input: ApiInput;
  policy?: string | undefined;
  operations: { name: string; input: OperationInput; policy?: string | undefined }[];
  imported?: ImportedDocument | undefined;
}

/** The document an API was imported from, with the schemas its representations refer to. */
export type ImportedDocument = Pick<ImportedApi, "document" | "schemas">;

/** The APIs of one transaction. */
export class Apis extends EntityObject<GatewayApiRepository> {
  static readonly reads = ["list", "get", "document", "exportDocument"] as const;
  static readonly writes = ["put", "patch", "delete", "import"] as const;

  /** APIs already read or written in this transaction (undefined: known not to exist), to spare repeated reads. */
  private readonly known = new Map<string, Api | undefined>();
  private readonly documents: GatewayApiDocumentRepository;

  constructor(tx: GatewayTransaction) {
    super(tx, GatewayApiRepository);
    this.documents = new GatewayApiDocumentRepository(tx.db);
  }

  list(): Promise<Api[]> {
    return this.repository.list();
  }

  async get(name: string): Promise<Api | undefined> {
    if (this.known.has(name)) return this.known.get(name);
    const api = await this.repository.get(name);
    this.known.set(name, api);
    return api;
  }

  async require(name: string): Promise<Api> {
    const api = await this.get(name);
    if (!api) throw new GatewayNotFoundError("Api", name);
    return api;
  }

  async put(name: string, input: ApiInput): Promise<{ api: Api; created: boolean }> {
    const api = apiFrom(name, input);
    const { named, atPath } = await this.repository.lookup(name, api.path);
    await this.save(api, atPath);
    return { api, created: named === undefined };
  }

  async patch(name: string, patch: Partial<ApiInput>): Promise<Api> {
    const existing = await this.require(name);
    const api = apiFrom(name, {
      ...apiInputOf(existing),
      ...defined(patch),
      subscriptionKeyParameterNames: {
        ...existing.subscriptionKeyParameterNames,
        ...defined(patch.subscriptionKeyParameterNames ?? {}),
      },
    });
    await this.save(api, (await this.repository.lookup(name, api.path)).atPath);
    return api;
  }

  private async save(api: Api, atPath: Api | undefined): Promise<void> {
    if (atPath && atPath.name !== api.name) throw pathTaken(api, atPath.name);
    await this.repository.upsert(api);
    this.known.set(api.name, api);
  }

  /**
   * Creates or replaces the API from an imported document (read before the transaction: a link is downloaded and
   * the document parsed outside it): the document's operations replace the API's, and the document and its schemas
   * are kept for export. `input` is the API as the request gives it, completed from the document (`importedApiInput`).
   */
  async import(name: string, input: ApiInput, imported: ImportedApi): Promise<{ api: Api; created: boolean }> {
    const result = await this.put(name, input);
    const operations = operationsOf(
      result.api,
      imported.operations.map((operation) => ({ name: operation.name, input: operation })),
    );
    await this.tx.operations.replaceAll(name, operations);
    await this.keepDocument(name, imported);
    return result;
  }

  /** Keeps the document the API was imported from, with its schemas, for export. */
  keepDocument(name: string, { document, schemas }: ImportedDocument): Promise<void> {
    return this.documents.replace(name, document, schemas);
  }

  /** The document the API was imported from, if it was. */
  async document(name: string): Promise<StoredDocument | undefined> {
    await this.require(name);
    return this.documents.document(name);
  }

  /** Which document each imported API came from, for configuration as code to compare. */
  documentDigests(): Promise<ApiDocumentDigest[]> {
    return this.documents.digests();
  }

  /**
   * The API as a document (`openapi`, `openapi+json`, `swagger-json`; `wsdl` for a SOAP API imported from one), as
   * API Management's export writes it; `serverUrl` is the server the document names (default the service URL).
   */
  async exportDocument(name: string, format: string, options: { serverUrl?: string } = {}): Promise<ExportedDocument> {
    const api = await this.require(name);
    const canonical = exportFormat(format);
    const [operations, document, schemas] = await Promise.all([
      this.tx.operations.list(name),
      this.documents.document(name),
      this.documents.schemas(name),
    ]);
    const text = exportApiDocument({ ...api, document: document ?? null }, operations, canonical, {
      schemas,
      ...options,
    });
    return { format: canonical, contentType: DOCUMENT_CONTENT_TYPES[canonical], text };
  }

  /** Deletes the API with its operations, policies, product links and the subscriptions scoped to it. */
  async delete(name: string): Promise<boolean> {
    if (!(await this.get(name))) return false;
    await this.tx.policies.discardForApi(name);
    await this.tx.subscriptions.discardScopedTo({ kind: "api", api: name });
    this.known.set(name, undefined);
    return this.repository.delete(name);
  }

  /**
   * Creates APIs that do not exist yet, with their operations and policies, in a few statements instead of several
   * per object (configuration as code creating thousands at once). The checks are those of put here, of the
   * operations' put and of the policies' put, run against the store and the batch itself.
   */
  async createMany(items: readonly NewApi[]): Promise<void> {
    const apis = items.map((item) => apiFrom(item.name, item.input));
    const names = new Set(apis.map((a) => a.name));
    const paths = new Map<string, string>();
    for (const holder of await this.repository.holding(apis)) {
      if (names.has(holder.name)) throw new GatewayConflictError(`Api '${holder.name}' already exists.`);
      paths.set(holder.path.toLowerCase(), holder.name);
    }
    if (names.size < apis.length) throw new GatewayConflictError("An api name is given twice.");
    const operations: Operation[] = [];
    const documents: { scope: PolicyScope; xml: string; operation?: Operation }[] = [];
    for (const [index, item] of items.entries()) {
      const api = apis[index] as Api;
      const holder = paths.get(api.path.toLowerCase());
      if (holder !== undefined) throw pathTaken(api, holder);
      paths.set(api.path.toLowerCase(), api.name);
      if (item.policy !== undefined) documents.push({ scope: { kind: "api", api: api.name }, xml: item.policy });
      const ops = operationsOf(api, item.operations);
      operations.push(...ops);
      item.operations.forEach((op, i) => {
        if (op.policy === undefined) return;
        const scope: PolicyScope = { kind: "operation", api: api.name, operation: op.name };
        documents.push({ scope, xml: op.policy, operation: ops[i] });
      });
    }
    for (const d of documents) await this.tx.policies.check(d.scope, d.xml, d.operation);
    await this.repository.insertMany(apis);
    await this.tx.operations.insertMany(operations);
    await this.tx.policies.insertMany(documents.map(({ scope, xml }) => ({ scope, xml })));
    for (const item of items) if (item.imported) await this.keepDocument(item.name, item.imported);
    for (const api of apis) this.known.set(api.name, api);
  }
}
