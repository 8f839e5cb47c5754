import type { Kysely, Selectable } from "kysely";
import type { Database, GatewayProductTable } from "../../../store/schema.js";
import type { Product, ProductState } from "./types.js";

const toProduct = (row: Selectable<GatewayProductTable>, apis: string[]): Product => ({
  name: row.name,
  displayName: row.display_name,
  description: row.description,
  terms: row.terms,
  state: row.state as ProductState,
  subscriptionRequired: row.subscription_required === 1,
  approvalRequired: row.approval_required === 1,
  subscriptionsLimit: row.subscriptions_limit,
  apis,
});

/** Products with the names of their APIs (the links live in gateway_product_apis). */
export class GatewayProductRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<Product[]> {
    const [rows, links] = await Promise.all([
      this.db.selectFrom("gateway_products").selectAll().orderBy("name").execute(),
      this.db.selectFrom("gateway_product_apis").selectAll().orderBy("api").execute(),
    ]);
    const apis = new Map<string, string[]>();
    for (const link of links) {
      const list = apis.get(link.product);
      if (list) list.push(link.api);
      else apis.set(link.product, [link.api]);
    }
    return rows.map((row) => toProduct(row, apis.get(row.name) ?? []));
  }

  async get(name: string): Promise<Product | undefined> {
    const [row, links] = await Promise.all([
      this.db.selectFrom("gateway_products").selectAll().where("name", "=", name).executeTakeFirst(),
      this.db.selectFrom("gateway_product_apis").select("api").where("product", "=", name).orderBy("api").execute(),
    ]);
    return (
      row &&
      toProduct(
        row,
        links.map((l) => l.api),
      )
    );
  }

  /** Products that include this API. */
  async listContaining(api: string): Promise<Product[]> {
    const names = await this.db.selectFrom("gateway_product_apis").select("product").where("api", "=", api).execute();
    const products = await Promise.all(names.map((n) => this.get(n.product)));
    return products.filter((p): p is Product => p !== undefined);
  }

  /** Writes the product's own fields; its API links are kept. */
  async upsert(product: Omit<Product, "apis">): Promise<void> {
    const values = {
      display_name: product.displayName,
      description: product.description,
      terms: product.terms,
      state: product.state,
      subscription_required: product.subscriptionRequired ? 1 : 0,
      approval_required: product.approvalRequired ? 1 : 0,
      subscriptions_limit: product.subscriptionsLimit,
    };
    await this.db
      .insertInto("gateway_products")
      .values({ name: product.name, ...values })
      .onConflict((oc) => oc.column("name").doUpdateSet(values))
      .execute();
  }

  /** Deletes the product and its API links (foreign keys). */
  async delete(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom("gateway_products").where("name", "=", name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async addApi(product: string, api: string): Promise<boolean> {
    const result = await this.db
      .insertInto("gateway_product_apis")
      .values({ product, api })
      .onConflict((oc) => oc.columns(["product", "api"]).doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async removeApi(product: string, api: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("gateway_product_apis")
      .where("product", "=", product)
      .where("api", "=", api)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
