import type { PolicyScope } from "../configuration.js";
import { GatewayNotFoundError } from "../errors.js";
import { EntityObject } from "../entity-object.js";
import type { GatewayTransaction } from "../transaction.js";
import { defined } from "../checks.js";
import { GatewayOperationRepository } from "./repository.js";
import type { Operation, OperationInput } from "./types.js";
import { operationFrom, operationInputOf, operationSignature, sameRequests } from "./validation.js";

/** The operations of the APIs, in one transaction. */
export class Operations extends EntityObject<GatewayOperationRepository> {
  static readonly reads = ["list", "get"] as const;
  static readonly writes = ["put", "patch", "delete"] as const;

  constructor(tx: GatewayTransaction) {
    super(tx, GatewayOperationRepository);
  }

  async list(api: string): Promise<Operation[]> {
    await this.tx.apis.require(api);
    return this.repository.list(api);
  }

  /** The operations of every API. */
  all(): Promise<Operation[]> {
    return this.repository.list();
  }

  get(api: string, name: string): Promise<Operation | undefined> {
    return this.repository.get(api, name);
  }

  async require(api: string, name: string): Promise<Operation> {
    await this.tx.apis.require(api);
    const operation = await this.repository.get(api, name);
    if (!operation) throw new GatewayNotFoundError("Operation", `${api}/${name}`);
    return operation;
  }

  async put(apiName: string, name: string, input: OperationInput): Promise<{ operation: Operation; created: boolean }> {
    const operation = operationFrom(await this.tx.apis.require(apiName), name, input);
    const siblings = await this.repository.signatures(apiName);
    const created = !siblings.some((s) => s.name === name);
    await this.save(operation, siblings, !created);
    return { operation, created };
  }

  async patch(apiName: string, name: string, patch: Partial<OperationInput>): Promise<Operation> {
    const existing = await this.require(apiName, name);
    const api = await this.tx.apis.require(apiName);
    const input = { ...operationInputOf(existing), ...defined(patch) };
    // A new template without parameters keeps those of the old that it still names.
    if (patch.urlTemplate !== undefined && patch.templateParameters === undefined) {
      const named = patch.urlTemplate.toLowerCase();
      input.templateParameters = existing.templateParameters.filter((p) => named.includes(`{${p.name.toLowerCase()}}`));
    }
    const operation = operationFrom(api, name, input);
    await this.save(operation, await this.repository.signatures(apiName), true);
    return operation;
  }

  private async save(
    operation: Operation,
    siblings: Pick<Operation, "name" | "method" | "urlTemplate">[],
    replacing: boolean,
  ): Promise<void> {
    const signature = operationSignature(operation);
    const twin = siblings.find((other) => other.name !== operation.name && operationSignature(other) === signature);
    if (twin) throw sameRequests(operation, twin.name);
    await this.repository.upsert(operation);
    // mock-response and rewrite-uri compile against the operation: its policy must still load.
    const scope: PolicyScope = { kind: "operation", api: operation.api, operation: operation.name };
    if (replacing) await this.tx.policies.recheck(scope);
  }

  async delete(api: string, name: string): Promise<boolean> {
    await this.tx.policies.discard({ kind: "operation", api, operation: name });
    return this.repository.delete(api, name);
  }

  /**
   * Makes these (validated together, `operationsOf`) the API's operations, in a few statements: the others go with
   * their policies; the policies of those that stay must still load.
   */
  async replaceAll(api: string, operations: Operation[]): Promise<void> {
    await this.repository.deleteAll(api);
    await this.repository.insertMany(operations);
    await this.tx.policies.keepOperations(api, new Set(operations.map((o) => o.name)));
  }

  /** Inserts new operations in a few statements (APIs created with theirs, `apis.createMany`). */
  insertMany(operations: Operation[]): Promise<void> {
    return this.repository.insertMany(operations);
  }
}
