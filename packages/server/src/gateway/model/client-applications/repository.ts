import type { Kysely, Selectable } from "kysely";
import type {
  Database,
  GatewayClientApplicationLinkTable,
  GatewayClientApplicationTable,
} from "../../../store/schema.js";
import type { ClientApplication, ClientApplicationEntra, ClientApplicationFields, ProductLink } from "./types.js";

const entraOf = (row: Selectable<GatewayClientApplicationTable>): ClientApplicationEntra | null =>
  row.entra_application_id === null ||
  row.entra_object_id === null ||
  row.entra_service_principal_id === null ||
  row.entra_tenant_id === null
    ? null
    : {
        appId: row.entra_application_id,
        objectId: row.entra_object_id,
        servicePrincipalId: row.entra_service_principal_id,
        tenantId: row.entra_tenant_id,
      };

const toLink = (row: Selectable<GatewayClientApplicationLinkTable>): ProductLink => ({
  name: row.name,
  product: row.product,
  granted: row.granted === 1,
});

const toApplication = (row: Selectable<GatewayClientApplicationTable>, links: ProductLink[]): ClientApplication => ({
  name: row.name,
  displayName: row.display_name,
  description: row.description,
  ownerId: row.owner_id,
  entra: entraOf(row),
  productLinks: links,
});

/** Client applications with their product links (gateway_client_application_links). */
export class GatewayClientApplicationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<ClientApplication[]> {
    const [rows, links] = await Promise.all([
      this.db.selectFrom("gateway_client_applications").selectAll().orderBy("name").execute(),
      this.db.selectFrom("gateway_client_application_links").selectAll().orderBy("name").execute(),
    ]);
    const byApplication = new Map<string, ProductLink[]>();
    for (const link of links) {
      const list = byApplication.get(link.application);
      if (list) list.push(toLink(link));
      else byApplication.set(link.application, [toLink(link)]);
    }
    return rows.map((row) => toApplication(row, byApplication.get(row.name) ?? []));
  }

  async get(name: string): Promise<ClientApplication | undefined> {
    const [row, links] = await Promise.all([
      this.db.selectFrom("gateway_client_applications").selectAll().where("name", "=", name).executeTakeFirst(),
      this.db
        .selectFrom("gateway_client_application_links")
        .selectAll()
        .where("application", "=", name)
        .orderBy("name")
        .execute(),
    ]);
    return row && toApplication(row, links.map(toLink));
  }

  /** The name of another application whose name differs from this one only in case. */
  async nameTwinOf(name: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("gateway_client_applications")
      .select("name")
      .where("name_key", "=", name.toLowerCase())
      .where("name", "!=", name)
      .executeTakeFirst();
    return row?.name;
  }

  /** Writes the application's own fields; its registration and links are kept. */
  async upsert(application: ClientApplicationFields): Promise<void> {
    const values = {
      display_name: application.displayName,
      description: application.description,
      owner_id: application.ownerId,
    };
    await this.db
      .insertInto("gateway_client_applications")
      .values({ name: application.name, name_key: application.name.toLowerCase(), ...values })
      .onConflict((oc) => oc.column("name").doUpdateSet(values))
      .execute();
  }

  async setRegistration(name: string, entra: ClientApplicationEntra): Promise<boolean> {
    const result = await this.db
      .updateTable("gateway_client_applications")
      .set({
        entra_application_id: entra.appId,
        entra_object_id: entra.objectId,
        entra_service_principal_id: entra.servicePrincipalId,
        entra_tenant_id: entra.tenantId,
      })
      .where("name", "=", name)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Deletes the application and its links (foreign keys). */
  async delete(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom("gateway_client_applications").where("name", "=", name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async upsertLink(application: string, link: ProductLink): Promise<void> {
    const values = { product: link.product, granted: link.granted ? 1 : 0 };
    await this.db
      .insertInto("gateway_client_application_links")
      .values({ application, name: link.name, ...values })
      .onConflict((oc) => oc.columns(["application", "name"]).doUpdateSet(values))
      .execute();
  }

  async setGranted(application: string, link: string, granted: boolean): Promise<boolean> {
    const result = await this.db
      .updateTable("gateway_client_application_links")
      .set({ granted: granted ? 1 : 0 })
      .where("application", "=", application)
      .where("name", "=", link)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async deleteLink(application: string, link: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("gateway_client_application_links")
      .where("application", "=", application)
      .where("name", "=", link)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
