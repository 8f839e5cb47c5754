import { GatewayConflictError, GatewayNotFoundError } from "../errors.js";
import { EntityObject } from "../entity-object.js";
import type { GatewayTransaction } from "../transaction.js";
import { defined } from "../checks.js";
import { GatewayProductRepository } from "./repository.js";
import type { Product, ProductInput } from "./types.js";
import { productFrom, productInputOf } from "./validation.js";

/** The products of one transaction, with their API links. */
export class Products extends EntityObject<GatewayProductRepository> {
  static readonly reads = ["list", "get"] as const;
  static readonly writes = ["put", "patch", "delete", "addApi", "removeApi"] as const;

  constructor(tx: GatewayTransaction) {
    super(tx, GatewayProductRepository);
  }

  list(): Promise<Product[]> {
    return this.repository.list();
  }

  get(name: string): Promise<Product | undefined> {
    return this.repository.get(name);
  }

  async require(name: string): Promise<Product> {
    const product = await this.repository.get(name);
    if (!product) throw new GatewayNotFoundError("Product", name);
    return product;
  }

  async put(name: string, input: ProductInput): Promise<{ product: Product; created: boolean }> {
    const fields = productFrom(name, input);
    const existing = await this.repository.get(name);
    const apis = existing?.apis ?? [];
    if (!fields.subscriptionRequired) await this.assertOpenProductFree(name, apis);
    await this.repository.upsert(fields);
    return { product: { ...fields, apis }, created: existing === undefined };
  }

  async patch(name: string, patch: Partial<ProductInput>): Promise<Product> {
    const existing = await this.require(name);
    const fields = productFrom(name, { ...productInputOf(existing), ...defined(patch) });
    if (!fields.subscriptionRequired) await this.assertOpenProductFree(name, existing.apis);
    await this.repository.upsert(fields);
    return { ...fields, apis: existing.apis };
  }

  /** Deletes the product with its API links, its policy and the subscriptions scoped to it. */
  async delete(name: string): Promise<boolean> {
    if (!(await this.repository.get(name))) return false;
    await this.tx.policies.discard({ kind: "product", product: name });
    await this.tx.subscriptions.discardScopedTo({ kind: "product", product: name });
    return this.repository.delete(name);
  }

  async addApi(productName: string, apiName: string): Promise<{ created: boolean }> {
    const product = await this.require(productName);
    await this.tx.apis.require(apiName);
    if (!product.subscriptionRequired) await this.assertOpenProductFree(productName, [apiName]);
    return { created: await this.repository.addApi(productName, apiName) };
  }

  async removeApi(productName: string, apiName: string): Promise<boolean> {
    await this.require(productName);
    return this.repository.removeApi(productName, apiName);
  }

  /** A request without a key runs in the API's open product, so an API may be in at most one (apim.md §4.2). */
  private async assertOpenProductFree(product: string, apis: readonly string[]): Promise<void> {
    for (const api of apis) {
      const open = (await this.repository.listContaining(api)).find(
        (p) => p.name !== product && !p.subscriptionRequired,
      );
      if (open) {
        throw new GatewayConflictError(
          `Api '${api}' is already in product '${open.name}', which requires no subscription; an API can be in only one such product.`,
        );
      }
    }
  }
}
