import type { Kysely, Selectable } from "kysely";
import type { Database, TenantTable } from "../schema.js";
import type { Tenant } from "../../identity/model.js";

const toTenant = (row: Selectable<TenantTable>): Tenant => ({
  id: row.id,
  displayName: row.display_name,
  domains: JSON.parse(row.domains) as string[],
  createdDateTime: row.created_at,
});

export class TenantRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<Tenant[]> {
    const rows = await this.db.selectFrom("tenants").selectAll().orderBy("created_at").orderBy("id").execute();
    return rows.map(toTenant);
  }

  async get(id: string): Promise<Tenant | undefined> {
    const row = await this.db.selectFrom("tenants").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toTenant(row);
  }

  async upsert(tenant: Tenant): Promise<void> {
    const values = { display_name: tenant.displayName, domains: JSON.stringify(tenant.domains) };
    await this.db
      .insertInto("tenants")
      .values({ id: tenant.id, created_at: tenant.createdDateTime, ...values })
      .onConflict((oc) => oc.column("id").doUpdateSet(values))
      .execute();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("tenants").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
