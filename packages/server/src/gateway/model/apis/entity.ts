import type { Operation, OperationInput } from "../operations/types.js";
import { operationFrom, operationSignature, sameRequests } from "../operations/validation.js";
import type { PolicyScope } from "../configuration.js";
import { GatewayConflictError, GatewayNotFoundError } from "../errors.js";
import { EntityObject } from "../entity-object.js";
import type { GatewayTransaction } from "../transaction.js";
import { defined } from "../checks.js";
import { GatewayApiRepository } from "./repository.js";
import type { Api, ApiInput } from "./types.js";
import { apiFrom, apiInputOf } from "./validation.js";

const pathTaken = (api: Api, holder: string) =>
  new GatewayConflictError(`The path '${api.path}' of api '${api.name}' is already used by api '${holder}'.`);

/** A new API with its operations and policy documents, for `createMany`. */
export interface NewApi {
  name: string;
  input: ApiInput;
  policy?: string | undefined;
  operations: { name: string; input: OperationInput; policy?: string | undefined }[];
}

/** The APIs of one transaction. */
export class Apis extends EntityObject<GatewayApiRepository> {
  static readonly reads = ["list", "get"] as const;
  static readonly writes = ["put", "patch", "delete"] as const;

  /** APIs already read or written in this transaction (undefined: known not to exist), to spare repeated reads. */
  private readonly known = new Map<string, Api | undefined>();

  constructor(tx: GatewayTransaction) {
    super(tx, GatewayApiRepository);
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
      const signatures = new Map<string, string>();
      const opNames = new Set<string>();
      for (const op of item.operations) {
        const operation = operationFrom(api, op.name, op.input);
        if (opNames.has(op.name)) {
          throw new GatewayConflictError(`Operation '${op.name}' of api '${api.name}' is given twice.`);
        }
        opNames.add(op.name);
        const twin = signatures.get(operationSignature(operation));
        if (twin !== undefined) throw sameRequests(operation, twin);
        signatures.set(operationSignature(operation), operation.name);
        operations.push(operation);
        if (op.policy !== undefined) {
          const scope: PolicyScope = { kind: "operation", api: api.name, operation: op.name };
          documents.push({ scope, xml: op.policy, operation });
        }
      }
    }
    for (const d of documents) await this.tx.policies.check(d.scope, d.xml, d.operation);
    await this.repository.insertMany(apis);
    await this.tx.operations.insertMany(operations);
    await this.tx.policies.insertMany(documents.map(({ scope, xml }) => ({ scope, xml })));
    for (const api of apis) this.known.set(api.name, api);
  }
}
