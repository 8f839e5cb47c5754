import type { Kysely, Selectable } from "kysely";
import type { Database, GatewayProductTable } from "../../../store/schema.js";
import type { ProductApplication } from "../../entra/directory.js";
import type { AuthenticationType, Product, ProductEntraApplication, ProductFields, ProductState } from "./types.js";

/** The registration's ids as stored: everything but `enabled`, which has a column of its own. */
type StoredEntraApplication = ProductApplication & { tenantId: string };

const entraOf = (row: Selectable<GatewayProductTable>): ProductEntraApplication | null =>
  row.entra_application === null
    ? null
    : {
        ...(JSON.parse(row.entra_application) as StoredEntraApplication),
        enabled: row.entra_application_enabled === 1,
      };

const toProduct = (row: Selectable<GatewayProductTable>, apis: string[], groups: string[]): Product => ({
  name: row.name,
  displayName: row.display_name,
  description: row.description,
  terms: row.terms,
  state: row.state as ProductState,
  subscriptionRequired: row.subscription_required === 1,
  approvalRequired: row.approval_required === 1,
  subscriptionsLimit: row.subscriptions_limit,
  authenticationType: JSON.parse(row.authentication_types) as AuthenticationType[],
  apis,
  groups,
  entra: entraOf(row),
});

/** Names by product, from link rows. */
function byProduct(links: readonly { product: string; name: string }[]): Map<string, string[]> {
  const names = new Map<string, string[]>();
  for (const link of links) {
    const list = names.get(link.product);
    if (list) list.push(link.name);
    else names.set(link.product, [link.name]);
  }
  return names;
}

/** Products with the names of their APIs and groups (the links live in gateway_product_apis and _groups). */
export class GatewayProductRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<Product[]> {
    const [rows, apiLinks, groupLinks] = await Promise.all([
      this.db.selectFrom("gateway_products").selectAll().orderBy("name").execute(),
      this.db.selectFrom("gateway_product_apis").select(["product", "api as name"]).orderBy("api").execute(),
      this.db
        .selectFrom("gateway_product_groups")
        .select(["product", "group_name as name"])
        .orderBy("group_name")
        .execute(),
    ]);
    const apis = byProduct(apiLinks);
    const groups = byProduct(groupLinks);
    return rows.map((row) => toProduct(row, apis.get(row.name) ?? [], groups.get(row.name) ?? []));
  }

  async get(name: string): Promise<Product | undefined> {
    const [row, apis, groups] = await Promise.all([
      this.db.selectFrom("gateway_products").selectAll().where("name", "=", name).executeTakeFirst(),
      this.db.selectFrom("gateway_product_apis").select("api").where("product", "=", name).orderBy("api").execute(),
      this.db
        .selectFrom("gateway_product_groups")
        .select("group_name")
        .where("product", "=", name)
        .orderBy("group_name")
        .execute(),
    ]);
    return (
      row &&
      toProduct(
        row,
        apis.map((l) => l.api),
        groups.map((l) => l.group_name),
      )
    );
  }

  /** Products that include this API. */
  async listContaining(api: string): Promise<Product[]> {
    const names = await this.db.selectFrom("gateway_product_apis").select("product").where("api", "=", api).execute();
    const products = await Promise.all(names.map((n) => this.get(n.product)));
    return products.filter((p): p is Product => p !== undefined);
  }

  /** Writes the product's own fields; its API and group links and registration are kept. */
  async upsert(product: ProductFields): Promise<void> {
    const values = {
      display_name: product.displayName,
      description: product.description,
      terms: product.terms,
      state: product.state,
      subscription_required: product.subscriptionRequired ? 1 : 0,
      approval_required: product.approvalRequired ? 1 : 0,
      subscriptions_limit: product.subscriptionsLimit,
      authentication_types: JSON.stringify(product.authenticationType),
    };
    await this.db
      .insertInto("gateway_products")
      .values({ name: product.name, ...values, entra_application_enabled: 0 })
      .onConflict((oc) => oc.column("name").doUpdateSet(values))
      .execute();
  }

  /** Stores the registration's ids and whether it is enabled; false when the product is gone. */
  async setEntraApplication(name: string, { enabled, ...ids }: ProductEntraApplication): Promise<boolean> {
    const stored: StoredEntraApplication = ids;
    const result = await this.db
      .updateTable("gateway_products")
      .set({ entra_application: JSON.stringify(stored), entra_application_enabled: enabled ? 1 : 0 })
      .where("name", "=", name)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Deletes the product and its API and group links (foreign keys). */
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

  async addGroup(product: string, group: string): Promise<boolean> {
    const result = await this.db
      .insertInto("gateway_product_groups")
      .values({ product, group_name: group })
      .onConflict((oc) => oc.columns(["product", "group_name"]).doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async removeGroup(product: string, group: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("gateway_product_groups")
      .where("product", "=", product)
      .where("group_name", "=", group)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
