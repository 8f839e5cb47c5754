import type { PolicyScope } from "../configuration.js";
import type { Operation } from "../operations/types.js";
import { EntityObject } from "../entity-object.js";
import type { GatewayTransaction } from "../transaction.js";
import { PolicyChecker, type BrokenPolicy } from "./checker.js";
import { GatewayPolicyRepository } from "./repository.js";
import type { PolicyDocument } from "./types.js";

/**
 * The policy documents of one transaction, as raw XML. A document is stored only if it compiles as the data plane
 * will load it; entities whose changes could break stored documents re-check them here.
 */
export class Policies extends EntityObject<GatewayPolicyRepository> {
  static readonly reads = ["get"] as const;
  static readonly writes = ["put", "delete"] as const;

  private readonly checker: PolicyChecker;

  constructor(tx: GatewayTransaction) {
    super(tx, GatewayPolicyRepository);
    this.checker = new PolicyChecker(tx, this.repository);
  }

  /** The policy document at a scope; throws GatewayNotFoundError when the product, API or operation is missing. */
  async get(scope: PolicyScope): Promise<string | undefined> {
    await this.requireScope(scope);
    return this.repository.get(scope);
  }

  async put(scope: PolicyScope, xml: string): Promise<{ created: boolean }> {
    await this.requireScope(scope);
    await this.checker.check(scope, xml);
    const existing = await this.repository.get(scope);
    await this.repository.upsert(scope, xml);
    return { created: existing === undefined };
  }

  async delete(scope: PolicyScope): Promise<boolean> {
    await this.requireScope(scope);
    return this.repository.delete(scope);
  }

  /** Every document, at every scope. */
  all(): Promise<PolicyDocument[]> {
    return this.repository.list();
  }

  /** Throws GatewayValidationError with the load error when the document would not load at the scope. */
  check(scope: PolicyScope, xml: string, operation?: Operation): Promise<void> {
    return this.checker.check(scope, xml, operation);
  }

  /** Checks the stored document at the scope, if any, again (what it compiles against has changed). */
  async recheck(scope: PolicyScope): Promise<void> {
    const xml = await this.repository.get(scope);
    if (xml !== undefined) await this.checker.check(scope, xml);
  }

  /** After named values or backends change: documents compile against them. */
  invalidate(): void {
    this.checker.invalidate();
  }

  /** The first stored document selected by `affected` that no longer loads, with its load error, if any. */
  firstBroken(affected: (xml: string) => boolean): Promise<BrokenPolicy | undefined> {
    return this.checker.firstBroken(affected);
  }

  /** Deletes the document at the scope without checking the scope exists (its owner is being deleted). */
  discard(scope: PolicyScope): Promise<boolean> {
    return this.repository.delete(scope);
  }

  /** Deletes the API's document and those of all its operations. */
  discardForApi(api: string): Promise<void> {
    return this.repository.deleteForApi(api);
  }

  /**
   * After the API's operations were replaced (an import): the documents of operations that are gone go with them,
   * the others must still load against their operation as it now is.
   */
  async keepOperations(api: string, kept: ReadonlySet<string>): Promise<void> {
    for (const { operation, xml } of await this.repository.operationDocuments(api)) {
      const scope: PolicyScope = { kind: "operation", api, operation };
      if (kept.has(operation)) await this.checker.check(scope, xml);
      else await this.repository.delete(scope);
    }
  }

  insertMany(documents: PolicyDocument[]): Promise<void> {
    return this.repository.insertMany(documents);
  }

  private async requireScope(scope: PolicyScope): Promise<void> {
    if (scope.kind === "product") await this.tx.products.require(scope.product);
    else if (scope.kind === "api") await this.tx.apis.require(scope.api);
    else if (scope.kind === "operation") await this.tx.operations.require(scope.api, scope.operation);
  }
}
