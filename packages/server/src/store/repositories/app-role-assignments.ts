import type { Kysely, Selectable } from "kysely";
import type { AppRoleAssignmentTable, Database } from "../schema.js";
import type { AppRoleAssignment } from "../../identity/model.js";

const toAssignment = (row: Selectable<AppRoleAssignmentTable>): AppRoleAssignment => ({
  id: row.id,
  tenantId: row.tenant_id,
  principalId: row.principal_id,
  resourceId: row.resource_id,
  appRoleId: row.app_role_id,
  createdDateTime: row.created_at,
});

export class AppRoleAssignmentRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(
    filter: { tenantId?: string; resourceId?: string; principalId?: string } = {},
  ): Promise<AppRoleAssignment[]> {
    let query = this.db.selectFrom("app_role_assignments").selectAll();
    if (filter.tenantId) query = query.where("tenant_id", "=", filter.tenantId);
    if (filter.resourceId) query = query.where("resource_id", "=", filter.resourceId);
    if (filter.principalId) query = query.where("principal_id", "=", filter.principalId);
    return (await query.orderBy("created_at").orderBy("id").execute()).map(toAssignment);
  }

  async get(id: string): Promise<AppRoleAssignment | undefined> {
    const row = await this.db.selectFrom("app_role_assignments").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toAssignment(row);
  }

  async find(principalId: string, resourceId: string, appRoleId: string): Promise<AppRoleAssignment | undefined> {
    const row = await this.db
      .selectFrom("app_role_assignments")
      .selectAll()
      .where("principal_id", "=", principalId)
      .where("resource_id", "=", resourceId)
      .where("app_role_id", "=", appRoleId)
      .executeTakeFirst();
    return row && toAssignment(row);
  }

  async insert(a: AppRoleAssignment): Promise<void> {
    await this.db
      .insertInto("app_role_assignments")
      .values({
        id: a.id,
        tenant_id: a.tenantId,
        principal_id: a.principalId,
        resource_id: a.resourceId,
        app_role_id: a.appRoleId,
        created_at: a.createdDateTime,
      })
      .execute();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("app_role_assignments").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
