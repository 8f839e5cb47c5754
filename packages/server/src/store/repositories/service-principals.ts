import type { Kysely, Selectable } from "kysely";
import type { Database, ServicePrincipalTable } from "../schema.js";
import type { ServicePrincipal, ServicePrincipalType } from "../../identity/model.js";

const toServicePrincipal = (row: Selectable<ServicePrincipalTable>): ServicePrincipal => ({
  id: row.id,
  appId: row.app_id,
  tenantId: row.tenant_id,
  displayName: row.display_name,
  accountEnabled: row.account_enabled === 1,
  appRoleAssignmentRequired: row.app_role_assignment_required === 1,
  servicePrincipalType: row.service_principal_type as ServicePrincipalType,
  createdDateTime: row.created_at,
});

export class ServicePrincipalRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(tenantId?: string): Promise<ServicePrincipal[]> {
    let query = this.db.selectFrom("service_principals").selectAll();
    if (tenantId) query = query.where("tenant_id", "=", tenantId);
    return (await query.orderBy("created_at").orderBy("id").execute()).map(toServicePrincipal);
  }

  async get(id: string): Promise<ServicePrincipal | undefined> {
    const row = await this.db.selectFrom("service_principals").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toServicePrincipal(row);
  }

  async findByAppId(tenantId: string, appId: string): Promise<ServicePrincipal | undefined> {
    const row = await this.db
      .selectFrom("service_principals")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("app_id", "=", appId)
      .executeTakeFirst();
    return row && toServicePrincipal(row);
  }

  async insert(sp: ServicePrincipal): Promise<void> {
    await this.db
      .insertInto("service_principals")
      .values({
        id: sp.id,
        app_id: sp.appId,
        tenant_id: sp.tenantId,
        display_name: sp.displayName,
        account_enabled: sp.accountEnabled ? 1 : 0,
        app_role_assignment_required: sp.appRoleAssignmentRequired ? 1 : 0,
        service_principal_type: sp.servicePrincipalType,
        created_at: sp.createdDateTime,
      })
      .execute();
  }

  async update(sp: ServicePrincipal): Promise<void> {
    await this.db
      .updateTable("service_principals")
      .set({
        display_name: sp.displayName,
        account_enabled: sp.accountEnabled ? 1 : 0,
        app_role_assignment_required: sp.appRoleAssignmentRequired ? 1 : 0,
      })
      .where("id", "=", sp.id)
      .execute();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("service_principals").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Service principals of an application across tenants (deleted with the application). */
  async deleteByAppId(appId: string): Promise<void> {
    await this.db.deleteFrom("service_principals").where("app_id", "=", appId).execute();
  }
}
